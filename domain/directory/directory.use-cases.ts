import type { Clock } from '../ports/clock.port';
import { buildUnitTree, OrgUnit } from './org-unit';
import { BUILT_IN_ROLES, Role } from './role';
import { assertRolesKnown, checkPassword, checkUsername, User } from './user';
import type {
  DirectoryRepository,
  IdGenerator,
  LoginThrottle,
  PasswordHasher,
  TokenIssuer,
} from './directory.ports';
import { ADMIN_ROLE } from '../shared/principal';
import { domainEvent, type DomainEvent } from '../shared/domain-event';
import { DirectoryErrors } from './directory.errors';
import { ValidationErrors } from '../shared/validation.errors';

/** Who asks for a change, for the operation log. */
export interface Actor {
  userId: string | null;
  requestId: string | null;
}
const SYSTEM: Actor = { userId: null, requestId: null };

export interface DirectoryDeps {
  repo: DirectoryRepository;
  hasher: PasswordHasher;
  tokens: TokenIssuer;
  ids: IdGenerator;
  clock: Clock;
  /** Absent: no limit (tests of other rules). */
  throttle?: LoginThrottle;
}

/** Failed sign-ins allowed per username and client address before 429, within the throttle's window. */
export const MAX_LOGIN_FAILURES = 10;

/**
 * The directory's use cases. Authorisation (who may call a write) is checked by the service layer;
 * these functions check the data.
 */
export class DirectoryUseCases {
  // A hash of a random password: verifying against it costs the same as a real check, so a
  // missing username answers as slowly as a wrong password and cannot be told apart.
  private dummyHash: Promise<string> | null = null;

  constructor(private readonly d: DirectoryDeps) {}

  private event(
    actor: Actor,
    type: string,
    targetType: string,
    targetId: string,
    detail: Record<string, unknown>,
  ): DomainEvent {
    return domainEvent(
      { type, userId: actor.userId, requestId: actor.requestId, targetType, targetId, detail },
      this.d.ids.next(),
      this.d.clock.now(),
    );
  }

  async login(username: unknown, password: unknown, client = 'unknown') {
    if (typeof username !== 'string' || typeof password !== 'string' || !username || !password) {
      throw ValidationErrors.invalid('username and password are required');
    }
    const key = `${username.toLowerCase()}|${client}`;
    // Counted before the check, so parallel guesses cannot all pass a count read before any failed.
    if (this.d.throttle && (await this.d.throttle.attempt(key)) > MAX_LOGIN_FAILURES) {
      throw DirectoryErrors.tooManyLoginAttempts(this.d.throttle.windowSeconds);
    }
    const user = await this.d.repo.findUserByUsername(username.toLowerCase());
    this.dummyHash ??= this.d.hasher.hash(`dummy-${Math.random()}`);
    const ok = await this.d.hasher.verify(password, user?.passwordHash ?? (await this.dummyHash));
    if (!user || !ok || user.disabled) {
      throw DirectoryErrors.invalidCredentials();
    }
    await this.d.throttle?.reset(key);
    const issued = this.d.tokens.issue(user.toPrincipal(), user.tokenVersion);
    return { token: issued.token, expiresAt: issued.expiresAt.toISOString(), user: this.me(user) };
  }

  me(user: User) {
    return { id: user.id, username: user.username, roles: [...user.roles], unitId: user.unitId };
  }

  async getUser(id: string): Promise<User> {
    const user = await this.d.repo.findUserById(id);
    if (!user) throw DirectoryErrors.userNotFound();
    return user;
  }

  async subjectExists(type: 'ROLE' | 'UNIT' | 'USER', id: string): Promise<boolean> {
    if (type === 'UNIT') return (await this.d.repo.findUnit(id)) !== null;
    if (type === 'USER') return (await this.d.repo.findUserById(id)) !== null;
    return (await this.d.repo.listRoles()).some((r) => r.code === id);
  }

  async units() {
    return this.d.repo.listUnits();
  }

  async unitTree() {
    return buildUnitTree(await this.d.repo.listUnits());
  }

  async createUnit(input: { name: unknown; parentId?: unknown }, actor: Actor = SYSTEM) {
    let parent: OrgUnit | null = null;
    if (input.parentId !== undefined && input.parentId !== null) {
      if (typeof input.parentId !== 'string') throw ValidationErrors.invalid('parentId must be a string');
      parent = await this.d.repo.findUnit(input.parentId);
      if (!parent) throw DirectoryErrors.unknownUnit('parentId');
    }
    const unit = OrgUnit.create({ id: this.d.ids.next(), name: input.name, parent, now: this.d.clock.now() });
    await this.d.repo.saveUnit(unit, [
      this.event(actor, 'UNIT_CREATED', 'UNIT', unit.id, { name: unit.name, parentId: unit.parentId }),
    ]);
    return { id: unit.id, name: unit.name, parentId: unit.parentId };
  }

  async listRoles() {
    return (await this.d.repo.listRoles()).map((r) => ({ code: r.code, name: r.name }));
  }

  async createRole(input: { code: unknown; name: unknown }, actor: Actor = SYSTEM) {
    const role = Role.create(input);
    if (
      !(await this.d.repo.insertRole(role, [
        this.event(actor, 'ROLE_CREATED', 'ROLE', role.code, { name: role.name }),
      ]))
    )
      throw DirectoryErrors.roleExists(role.code);
    return { code: role.code, name: role.name };
  }

  async listUsers(limit: number, cursor: string | null) {
    const users = await this.d.repo.listUsers({ limit: limit + 1, after: cursor });
    const page = users.slice(0, limit);
    return {
      items: page.map((u) => u.toView()),
      nextCursor: users.length > limit ? page[page.length - 1].id : null,
    };
  }

  async knownRoles(): Promise<Set<string>> {
    return new Set((await this.d.repo.listRoles()).map((r) => r.code));
  }

  async checkUnit(unitId: unknown): Promise<string | null> {
    if (unitId === undefined || unitId === null) return null;
    if (typeof unitId !== 'string' || !(await this.d.repo.findUnit(unitId))) {
      throw DirectoryErrors.unknownUnit('unitId');
    }
    return unitId;
  }

  async createUser(
    input: {
      username: unknown;
      password: unknown;
      displayName?: unknown;
      roles?: unknown;
      unitId?: unknown;
    },
    actor: Actor = SYSTEM,
  ) {
    checkUsername(input.username);
    const password = checkPassword(input.password);
    const roles = assertRolesKnown(input.roles ?? [], await this.knownRoles());
    const unitId = await this.checkUnit(input.unitId);
    const user = User.create({
      id: this.d.ids.next(),
      username: input.username,
      displayName: input.displayName,
      passwordHash: await this.d.hasher.hash(password),
      roles,
      unitId,
      now: this.d.clock.now(),
    });
    const created = this.event(actor, 'USER_CREATED', 'USER', user.id, {
      username: user.username,
      roles: [...user.roles],
      unitId: user.unitId,
    });
    if (!(await this.d.repo.insertUser(user, [created]))) throw DirectoryErrors.usernameTaken(user.username);
    return user.toView();
  }

  async updateUser(
    id: string,
    change: {
      password?: unknown;
      displayName?: unknown;
      roles?: unknown;
      unitId?: unknown;
      disabled?: unknown;
    },
    actor: Actor = SYSTEM,
  ) {
    const user = await this.getUser(id);
    const roles =
      change.roles === undefined ? undefined : assertRolesKnown(change.roles, await this.knownRoles());
    if (change.disabled !== undefined && typeof change.disabled !== 'boolean') {
      throw ValidationErrors.invalidField('disabled', 'disabled must be a boolean');
    }
    const losesAdmin =
      user.roles.includes(ADMIN_ROLE) && ((roles && !roles.includes(ADMIN_ROLE)) || change.disabled === true);
    if (losesAdmin && (await this.d.repo.countUsersWithRole(ADMIN_ROLE)) <= 1) {
      throw DirectoryErrors.lastAdmin();
    }
    user.update(
      {
        displayName: change.displayName,
        roles,
        unitId: change.unitId === undefined ? undefined : await this.checkUnit(change.unitId),
        passwordHash:
          change.password === undefined
            ? undefined
            : await this.d.hasher.hash(checkPassword(change.password)),
        disabled: change.disabled,
      },
      this.d.clock.now(),
    );
    // What changed, never the password itself.
    const changed = Object.keys(change).filter((k) => change[k as keyof typeof change] !== undefined);
    const detail = {
      username: user.username,
      changed,
      roles: [...user.roles],
      unitId: user.unitId,
      disabled: user.disabled,
    };
    await this.d.repo.updateUser(user, [this.event(actor, 'USER_UPDATED', 'USER', user.id, detail)]);
    return user.toView();
  }

  /**
   * Makes sure the built-in roles exist and that there is an administrator. Safe to run on every
   * node at every start: inserts are conditional, so concurrent starts create one admin.
   * Returns the password when an admin was created (null when one already existed).
   */
  async bootstrap(
    adminPassword: string | null,
    generatePassword: () => string,
  ): Promise<{ created: boolean; password: string | null }> {
    for (const r of BUILT_IN_ROLES) await this.d.repo.insertRole(Role.restore(r));
    if ((await this.d.repo.countUsersWithRole(ADMIN_ROLE)) > 0) return { created: false, password: null };
    const password = adminPassword ?? generatePassword();
    const admin = User.create({
      id: this.d.ids.next(),
      username: 'admin',
      displayName: 'Administrator',
      // The first admin's password comes from the operator (ADMIN_PASSWORD), so the length policy
      // for users created through the API does not apply to it.
      passwordHash: await this.d.hasher.hash(password),
      roles: [ADMIN_ROLE],
      unitId: null,
      now: this.d.clock.now(),
    });
    const created = await this.d.repo.insertUser(admin);
    return { created, password: created ? password : null };
  }
}

export interface DemoDirectory {
  units: readonly { id: string; name: string; parentId: string | null }[];
  roles: readonly { code: string; name: string }[];
  users: readonly { username: string; displayName: string; roles: string[]; unitId: string }[];
  password: string;
}

/** Inserts whatever part of the demo organisation is missing (units in parent-first order). */
export async function seedDemoDirectory(d: DirectoryDeps, demo: DemoDirectory): Promise<number> {
  let added = 0;
  for (const r of demo.roles) if (await d.repo.insertRole(Role.restore(r))) added++;
  for (const u of demo.units) {
    if (await d.repo.findUnit(u.id)) continue;
    const parent = u.parentId ? await d.repo.findUnit(u.parentId) : null;
    try {
      await d.repo.saveUnit(OrgUnit.create({ id: u.id, name: u.name, parent, now: d.clock.now() }));
    } catch (e) {
      // Several core nodes seeding one database at once: another node stored the unit between the
      // check and the write. Its row is the same demo unit; anything else is a real failure.
      if (await d.repo.findUnit(u.id)) continue;
      throw e;
    }
    added++;
  }
  const hash = await d.hasher.hash(demo.password);
  for (const u of demo.users) {
    if (await d.repo.findUserByUsername(u.username)) continue;
    const user = User.create({ id: d.ids.next(), ...u, passwordHash: hash, now: d.clock.now() });
    if (await d.repo.insertUser(user)) added++;
  }
  return added;
}
