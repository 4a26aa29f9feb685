import type {
  DirectoryRepository,
  PasswordHasher,
  TokenIssuer,
  VerifiedToken,
} from '../../domain/directory/directory.ports';
import type { DirectoryDeps } from '../../domain/directory/directory.use-cases';
import type { OrgUnit } from '../../domain/directory/org-unit';
import type { Role } from '../../domain/directory/role';
import { User } from '../../domain/directory/user';
import type { Principal } from '../../domain/shared/principal';
import { unauthorized } from '../../domain/shared/errors';

/** An in-memory DirectoryRepository for fast use-case tests (the TypeORM one has its own tests). */
export class MemoryDirectoryRepository implements DirectoryRepository {
  units = new Map<string, OrgUnit>();
  roles = new Map<string, Role>();
  users = new Map<string, User>();

  async findUnit(id: string) {
    return this.units.get(id) ?? null;
  }
  async listUnits() {
    return [...this.units.values()];
  }
  async saveUnit(unit: OrgUnit) {
    this.units.set(unit.id, unit);
  }
  async listRoles() {
    return [...this.roles.values()];
  }
  async insertRole(role: Role) {
    if (this.roles.has(role.code)) return false;
    this.roles.set(role.code, role);
    return true;
  }
  private copy = (u: User) => User.restore(u.snapshot());
  async findUserById(id: string) {
    const u = this.users.get(id);
    return u ? this.copy(u) : null;
  }
  async findUserByUsername(username: string) {
    const u = [...this.users.values()].find((x) => x.username === username);
    return u ? this.copy(u) : null;
  }
  async listUsers(page: { limit: number; after: string | null }) {
    return [...this.users.values()]
      .filter((u) => page.after === null || u.id > page.after)
      .sort((a, b) => a.id.localeCompare(b.id))
      .slice(0, page.limit)
      .map(this.copy);
  }
  async insertUser(user: User) {
    if ([...this.users.values()].some((u) => u.username === user.username)) return false;
    this.users.set(user.id, this.copy(user));
    return true;
  }
  async updateUser(user: User) {
    this.users.set(user.id, this.copy(user));
  }
  async countUsersWithRole(role: string) {
    return [...this.users.values()].filter((u) => u.roles.includes(role) && !u.disabled).length;
  }
}

/** Reversible "hash" and token: the real scrypt and JWT adapters are tested on their own. */
export const plainHasher: PasswordHasher = {
  hash: async (p) => `plain:${p}`,
  verify: async (p, h) => h === `plain:${p}`,
};

export const jsonTokens: TokenIssuer = {
  issue: (p: Principal, tokenVersion = 0) => ({
    token: Buffer.from(JSON.stringify({ ...p, tokenVersion, expiresAtMs: 0 })).toString('base64url'),
    expiresAt: new Date(0),
  }),
  verify: (t: string) => {
    try {
      return JSON.parse(Buffer.from(t, 'base64url').toString()) as VerifiedToken;
    } catch {
      throw unauthorized('INVALID_TOKEN', 'invalid token');
    }
  },
};

export function memoryDirectoryDeps(): DirectoryDeps & { repo: MemoryDirectoryRepository } {
  let n = 0;
  return {
    repo: new MemoryDirectoryRepository(),
    hasher: plainHasher,
    tokens: jsonTokens,
    ids: { next: () => `id${String(++n).padStart(6, '0')}` },
    clock: { now: () => new Date('2026-01-01T00:00:00Z') },
  };
}
