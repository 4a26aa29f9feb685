import { displayText } from '../shared/text';
import type { Principal } from '../shared/principal';
import { DirectoryErrors } from './directory.errors';
import { ValidationErrors } from '../shared/validation.errors';

export const MIN_PASSWORD_LENGTH = 8;
const MAX_PASSWORD_LENGTH = 256;

export function checkPassword(value: unknown): string {
  if (typeof value !== 'string' || value.length < MIN_PASSWORD_LENGTH || value.length > MAX_PASSWORD_LENGTH) {
    throw DirectoryErrors.weakPassword(MIN_PASSWORD_LENGTH, MAX_PASSWORD_LENGTH);
  }
  return value;
}

export function checkUsername(value: unknown): string {
  if (typeof value !== 'string' || !/^[a-zA-Z0-9][a-zA-Z0-9._-]{1,63}$/.test(value)) {
    throw ValidationErrors.invalidField(
      'username',
      'username must be 2 to 64 letters, digits, dots, dashes or underscores',
    );
  }
  return value.toLowerCase();
}

export interface UserProps {
  id: string;
  username: string;
  displayName: string;
  passwordHash: string;
  roles: string[];
  unitId: string | null;
  disabled: boolean;
  /**
   * Bumped when the password, the roles or the disabled flag change: a token carries the version it
   * was issued under and is refused once it differs, so a change revokes every earlier token (and
   * re-enabling a user never revives the tokens they had before being disabled).
   */
  tokenVersion: number;
  createdAt: Date;
  updatedAt: Date;
}

/** A person who signs in. Roles are codes; the unit decides which unit-scoped grants apply. */
export class User {
  private constructor(private props: UserProps) {}

  static create(input: {
    id: string;
    username: unknown;
    displayName?: unknown;
    passwordHash: string;
    roles: string[];
    unitId: string | null;
    now: Date;
  }): User {
    const username = checkUsername(input.username);
    return new User({
      id: input.id,
      username,
      displayName:
        input.displayName === undefined ? username : displayText('displayName', input.displayName, 100),
      passwordHash: input.passwordHash,
      roles: [...new Set(input.roles)].sort(),
      unitId: input.unitId,
      disabled: false,
      tokenVersion: 0,
      createdAt: input.now,
      updatedAt: input.now,
    });
  }

  static restore(props: UserProps): User {
    return new User({ ...props, roles: [...props.roles].sort() });
  }

  /** True after an update that revoked the user's tokens (the store increments its counter). */
  private revoked = false;

  get id() {
    return this.props.id;
  }
  get username() {
    return this.props.username;
  }
  get passwordHash() {
    return this.props.passwordHash;
  }
  get disabled() {
    return this.props.disabled;
  }
  get roles(): readonly string[] {
    return this.props.roles;
  }
  get unitId() {
    return this.props.unitId;
  }
  get tokenVersion() {
    return this.props.tokenVersion;
  }
  get tokensRevoked() {
    return this.revoked;
  }

  update(
    change: {
      displayName?: unknown;
      roles?: string[];
      unitId?: string | null;
      passwordHash?: string;
      disabled?: boolean;
    },
    now: Date,
  ): void {
    if (change.displayName !== undefined)
      this.props.displayName = displayText('displayName', change.displayName, 100);
    const roles = change.roles === undefined ? undefined : [...new Set(change.roles)].sort();
    const revokes =
      change.passwordHash !== undefined ||
      (roles !== undefined && roles.join('\n') !== this.props.roles.join('\n')) ||
      (change.disabled !== undefined && change.disabled !== this.props.disabled);
    if (roles !== undefined) this.props.roles = roles;
    if (change.unitId !== undefined) this.props.unitId = change.unitId;
    if (change.passwordHash !== undefined) this.props.passwordHash = change.passwordHash;
    if (change.disabled !== undefined) this.props.disabled = change.disabled;
    if (revokes) {
      this.props.tokenVersion++;
      this.revoked = true;
    }
    this.props.updatedAt = now;
  }

  toPrincipal(): Principal {
    return {
      id: this.props.id,
      username: this.props.username,
      roles: [...this.props.roles],
      unitId: this.props.unitId,
    };
  }

  /** What the API shows: never the hash. */
  toView() {
    const { passwordHash: _hidden, tokenVersion: _internal, ...rest } = this.props;
    return { ...rest, createdAt: rest.createdAt.toISOString(), updatedAt: rest.updatedAt.toISOString() };
  }

  snapshot(): Readonly<UserProps> {
    return { ...this.props, roles: [...this.props.roles] };
  }
}

export const assertRolesKnown = (roles: unknown, known: ReadonlySet<string>): string[] => {
  if (!Array.isArray(roles) || roles.some((r) => typeof r !== 'string')) {
    throw ValidationErrors.invalidField('roles', 'roles must be an array of role codes');
  }
  const unknown = (roles as string[]).filter((r) => !known.has(r));
  if (unknown.length) throw DirectoryErrors.unknownRoles(...unknown);
  return roles as string[];
};
