import { displayText } from '../shared/text';
import { ADMIN_ROLE, AUDITOR_ROLE } from '../shared/principal';
import { ValidationErrors } from '../shared/validation.errors';

/** Built-in roles exist on every installation and cannot be removed. */
export const BUILT_IN_ROLES: readonly { code: string; name: string }[] = [
  { code: ADMIN_ROLE, name: 'Administrator' },
  { code: AUDITOR_ROLE, name: 'Auditor' },
];

export class Role {
  private constructor(
    readonly code: string,
    readonly name: string,
  ) {}

  static create(input: { code: unknown; name: unknown }): Role {
    if (typeof input.code !== 'string' || !/^[A-Z][A-Z0-9_]{1,63}$/.test(input.code)) {
      throw ValidationErrors.invalidField('code', 'code must be UPPER_SNAKE_CASE, 2 to 64 characters');
    }
    return new Role(input.code, displayText('name', input.name, 100));
  }

  static restore(p: { code: string; name: string }): Role {
    return new Role(p.code, p.name);
  }
}
