import type { OrgUnit } from './org-unit';
import type { Role } from './role';
import type { User } from './user';
import type { Principal } from '../shared/principal';
import type { DomainEvent } from '../shared/domain-event';
import type { IdGenerator } from '../ports/id-generator.port';

export interface DirectoryRepository {
  findUnit(id: string): Promise<OrgUnit | null>;
  listUnits(): Promise<OrgUnit[]>;
  /** Each write stores its domain events in the same transaction (the outbox). */
  saveUnit(unit: OrgUnit, events?: DomainEvent[]): Promise<void>;
  listRoles(): Promise<Role[]>;
  /** Inserts the role; false when the code already exists. */
  insertRole(role: Role, events?: DomainEvent[]): Promise<boolean>;
  findUserById(id: string): Promise<User | null>;
  findUserByUsername(username: string): Promise<User | null>;
  listUsers(page: { limit: number; after: string | null }): Promise<User[]>;
  /** Inserts the user; false when the username is taken. */
  insertUser(user: User, events?: DomainEvent[]): Promise<boolean>;
  updateUser(user: User, events?: DomainEvent[]): Promise<void>;
  countUsersWithRole(role: string): Promise<number>;
}

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(password: string, hash: string): Promise<boolean>;
}

export interface IssuedToken {
  token: string;
  expiresAt: Date;
}

/** What a valid token says: who, the token version it was issued under, and until when. */
export type VerifiedToken = Principal & { tokenVersion: number; expiresAtMs: number };

export interface TokenIssuer {
  issue(principal: Principal, tokenVersion?: number): IssuedToken;
  /** Throws an UNAUTHORIZED DomainError for a bad, expired or foreign token. */
  verify(token: string): VerifiedToken;
}

export type { IdGenerator };

/**
 * Counts failed sign-ins per key (username + client address) over a window, in a store every
 * node shares (the Cache port), so a password cannot be guessed by spreading tries over nodes.
 */
export interface LoginThrottle {
  /** Counts one attempt, atomically; the number of attempts since the last success in the window. */
  attempt(key: string): Promise<number>;
  /** After a successful sign-in. */
  reset(key: string): Promise<void>;
  /** How long the count lasts after the last attempt: a refused client's Retry-After. */
  readonly windowSeconds: number;
}

/** A user as they are now, for a decision made later than the request (an export run). */
export interface UserLookup {
  /** The user with their current roles, unit and state; null when they no longer exist. */
  current(id: string): Promise<(Principal & { disabled: boolean }) | null>;
}
