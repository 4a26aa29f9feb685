import { In, type DataSource, type EntityManager } from 'typeorm';
import type { DirectoryRepository } from '../../domain/directory/directory.ports';
import { OrgUnit } from '../../domain/directory/org-unit';
import { Role } from '../../domain/directory/role';
import { User } from '../../domain/directory/user';
import {
  OrgUnitSchema,
  RoleSchema,
  UserRoleSchema,
  UserSchema,
  type OrgUnitRow,
  type UserRow,
} from '../database/schemas/directory.schema';
import { isDuplicateKey } from '../database/db-errors';
import type { DomainEvent } from '../../domain/shared/domain-event';
import { appendToOutbox } from '../operation-log/outbox';

export class TypeormDirectoryRepository implements DirectoryRepository {
  constructor(private readonly ds: DataSource) {}

  private toUnit = (r: OrgUnitRow) => OrgUnit.restore({ ...r, createdAt: new Date(r.createdAt) });

  async findUnit(id: string) {
    const row = await this.ds.getRepository(OrgUnitSchema).findOneBy({ id });
    return row ? this.toUnit(row) : null;
  }

  async listUnits() {
    return (await this.ds.getRepository(OrgUnitSchema).find({ order: { path: 'ASC' } })).map(this.toUnit);
  }

  async saveUnit(unit: OrgUnit, events: DomainEvent[] = []) {
    await this.ds.transaction(async (em) => {
      await this.saveUnitIn(em, unit);
      await appendToOutbox(em, events);
    });
  }

  private async saveUnitIn(em: EntityManager, unit: OrgUnit) {
    await em.getRepository(OrgUnitSchema).save({
      id: unit.id,
      name: unit.name,
      parentId: unit.parentId,
      path: unit.path,
      createdAt: unit.createdAt,
    });
  }

  async listRoles() {
    return (await this.ds.getRepository(RoleSchema).find({ order: { code: 'ASC' } })).map((r) =>
      Role.restore(r),
    );
  }

  async insertRole(role: Role, events: DomainEvent[] = []) {
    try {
      await this.ds.transaction(async (em) => {
        await em.getRepository(RoleSchema).insert({ code: role.code, name: role.name });
        await appendToOutbox(em, events);
      });
      return true;
    } catch (e) {
      if (isDuplicateKey(e)) return false;
      throw e;
    }
  }

  private async hydrate(rows: UserRow[], em: EntityManager = this.ds.manager): Promise<User[]> {
    if (rows.length === 0) return [];
    const links = await em.getRepository(UserRoleSchema).findBy({ userId: In(rows.map((r) => r.id)) });
    return rows.map((r) =>
      User.restore({
        ...r,
        disabled: Boolean(r.disabled),
        tokenVersion: Number(r.tokenVersion ?? 0),
        createdAt: new Date(r.createdAt),
        updatedAt: new Date(r.updatedAt),
        roles: links.filter((l) => l.userId === r.id).map((l) => l.roleCode),
      }),
    );
  }

  async findUserById(id: string) {
    const row = await this.ds.getRepository(UserSchema).findOneBy({ id });
    return row ? ((await this.hydrate([row]))[0] ?? null) : null;
  }

  async findUserByUsername(username: string) {
    const row = await this.ds.getRepository(UserSchema).findOneBy({ username });
    return row ? ((await this.hydrate([row]))[0] ?? null) : null;
  }

  async listUsers(page: { limit: number; after: string | null }) {
    const qb = this.ds
      .getRepository(UserSchema)
      .createQueryBuilder('u')
      .orderBy('u.id', 'ASC')
      .limit(page.limit);
    if (page.after) qb.where('u.id > :after', { after: page.after });
    return this.hydrate(await qb.getMany());
  }

  private row(user: User): UserRow {
    const { roles: _roles, ...row } = user.snapshot();
    return row;
  }

  async insertUser(user: User, events: DomainEvent[] = []) {
    try {
      await this.ds.transaction(async (em) => {
        await appendToOutbox(em, events);
        await em.getRepository(UserSchema).insert(this.row(user));
        if (user.roles.length) {
          await em
            .getRepository(UserRoleSchema)
            .insert(user.roles.map((roleCode) => ({ userId: user.id, roleCode })));
        }
      });
      return true;
    } catch (e) {
      if (isDuplicateKey(e)) return false;
      throw e;
    }
  }

  async updateUser(user: User, events: DomainEvent[] = []) {
    await this.ds.transaction(async (em) => {
      await appendToOutbox(em, events);
      // The token version only ever goes up, by the database's own count: two concurrent updates
      // cannot write an older version back and revive revoked tokens.
      const { tokenVersion: _counted, ...row } = this.row(user);
      await em.getRepository(UserSchema).update({ id: user.id }, row);
      if (user.tokensRevoked)
        await em.getRepository(UserSchema).increment({ id: user.id }, 'tokenVersion', 1);
      await em.getRepository(UserRoleSchema).delete({ userId: user.id });
      if (user.roles.length) {
        await em
          .getRepository(UserRoleSchema)
          .insert(user.roles.map((roleCode) => ({ userId: user.id, roleCode })));
      }
    });
  }

  async countUsersWithRole(role: string) {
    return this.ds
      .getRepository(UserRoleSchema)
      .createQueryBuilder('ur')
      .innerJoin('users', 'u', 'u.id = ur.user_id')
      .where('ur.role_code = :role', { role })
      .andWhere('u.disabled = :disabled', { disabled: false })
      .getCount();
  }
}
