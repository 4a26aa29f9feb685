import { displayText } from '../shared/text';
import type { DomainEvent } from '../shared/domain-event';
import type { Principal } from '../shared/principal';
import { ValidationErrors } from '../shared/validation.errors';

export interface ServiceAccountProps {
  id: string;
  name: string;
  roles: string[];
  unitId: string | null;
  /** sha256 (hex) of the token's secret: the token itself is shown once and never stored. */
  tokenHash: string;
  createdAt: Date;
  createdBy: string | null;
}

/**
 * A business system's credential (API.md "Callers inside the cluster"): roles and a unit like a
 * user, so grants apply to it the same way; deleting it revokes its token.
 */
export class ServiceAccount {
  private constructor(private readonly props: ServiceAccountProps) {}

  static create(input: Omit<ServiceAccountProps, 'name' | 'roles'> & { name: unknown; roles: string[] }) {
    const name = displayText('name', input.name, 100);
    if (!/^[\p{L}\p{N}][\p{L}\p{N} ._-]*$/u.test(name))
      throw ValidationErrors.invalidField('name', 'name must be letters, digits, spaces, dots, dashes');
    return new ServiceAccount({ ...input, name, roles: [...new Set(input.roles)].sort() });
  }

  static restore(props: ServiceAccountProps) {
    return new ServiceAccount({ ...props, roles: [...props.roles].sort() });
  }

  get id() {
    return this.props.id;
  }
  get name() {
    return this.props.name;
  }

  snapshot(): Readonly<ServiceAccountProps> {
    return { ...this.props, roles: [...this.props.roles] };
  }

  /** What the API lists: never the hash. */
  toView() {
    const { tokenHash: _hidden, ...rest } = this.props;
    return { ...rest, createdAt: rest.createdAt.toISOString() };
  }

  /** The record the principal resolver checks a token against. */
  toSubject(): Principal & { disabled: boolean; tokenVersion: number; tokenHash: string } {
    return {
      id: this.props.id,
      username: `service:${this.props.name}`,
      roles: [...this.props.roles],
      unitId: this.props.unitId,
      kind: 'service',
      disabled: false,
      tokenVersion: 0,
      tokenHash: this.props.tokenHash,
    };
  }
}

export interface ServiceAccountRepository {
  /** False when the name is taken. */
  insert(account: ServiceAccount, events: DomainEvent[]): Promise<boolean>;
  list(): Promise<ServiceAccount[]>;
  find(id: string): Promise<ServiceAccount | null>;
  /** False when there was no such account. */
  delete(id: string, events: DomainEvent[]): Promise<boolean>;
}

/** Makes a new token for an account id: the token (shown once) and the hash that is stored. */
export type ServiceAccountTokenMaker = (id: string) => { token: string; hash: string };
