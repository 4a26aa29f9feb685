import type { DataSource } from 'typeorm';
import type { Grant, PermissionAction, PermissionType } from '../../domain/permissions/grant';
import type { DomainEvent } from '../../domain/shared/domain-event';
import { GrantSchema, type GrantRow } from '../database/schemas/permission.schema';
import { appendToOutbox } from '../operation-log/outbox';
import type { GrantRepository } from '../../domain/permissions/grant.ports';

const toGrant = (r: GrantRow): Grant => ({
  id: r.id,
  bizType: r.bizType,
  type: r.type as PermissionType,
  subject: r.subject,
  actions: r.actions as PermissionAction[],
  columns: r.columns,
  scopeUnitId: r.scopeUnitId,
});

/** Grants, each write together with its PERMISSION_CHANGED event (the outbox). */
export class TypeormGrantRepository implements GrantRepository {
  constructor(private readonly ds: DataSource) {}

  async list(bizType: string | null): Promise<Grant[]> {
    const qb = this.ds.getRepository(GrantSchema).createQueryBuilder('g').orderBy('g.id', 'ASC');
    if (bizType) qb.where('g.biz_type = :bizType', { bizType });
    return (await qb.getMany()).map(toGrant);
  }

  async find(id: string): Promise<Grant | null> {
    const row = await this.ds.getRepository(GrantSchema).findOneBy({ id });
    return row ? toGrant(row) : null;
  }

  async insert(g: Grant, createdBy: string | null, now: Date, events: DomainEvent[]): Promise<void> {
    await this.ds.transaction(async (em) => {
      await em.getRepository(GrantSchema).insert({ ...g, createdAt: now, createdBy });
      await appendToOutbox(em, events);
    });
  }

  /** Deletes the grant; false when it did not exist (then no event is stored either). */
  async delete(id: string, events: DomainEvent[]): Promise<boolean> {
    return this.ds.transaction(async (em) => {
      const repo = em.getRepository(GrantSchema);
      if (!(await repo.findOneBy({ id }))) return false;
      await repo.delete({ id });
      await appendToOutbox(em, events);
      return true;
    });
  }
}
