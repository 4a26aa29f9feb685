import type { DataSource } from 'typeorm';
import { ExportSchedule } from '../../domain/export-schedules/export-schedule';
import type { ExportScheduleRepository, Firing } from '../../domain/export-schedules/export-schedule.ports';
import type { DomainEvent } from '../../domain/shared/domain-event';
import { ExportScheduleSchema, type ExportScheduleRow } from '../database/schemas/export-schedule.schema';
import { appendToOutbox } from '../operation-log/outbox';

const toSchedule = (r: ExportScheduleRow): ExportSchedule =>
  ExportSchedule.restore({
    ...r,
    enabled: Boolean(r.enabled),
    filters: (r.filters ?? {}) as Record<string, unknown>,
  });

/** Export schedules in the main database; every write appends its events to the outbox with it. */
export class TypeormExportScheduleRepository implements ExportScheduleRepository {
  constructor(private readonly ds: DataSource) {}

  async insert(s: ExportSchedule, events: DomainEvent[]): Promise<void> {
    await this.ds.transaction(async (em) => {
      await em.getRepository(ExportScheduleSchema).insert({ ...s.snapshot() });
      await appendToOutbox(em, events);
    });
  }

  async find(id: string): Promise<ExportSchedule | null> {
    const row = await this.ds.getRepository(ExportScheduleSchema).findOneBy({ id });
    return row ? toSchedule(row) : null;
  }

  async list(q: {
    ownerId: string | null;
    beforeId: string | null;
    limit: number;
  }): Promise<ExportSchedule[]> {
    const qb = this.ds.getRepository(ExportScheduleSchema).createQueryBuilder('s');
    if (q.ownerId !== null) qb.andWhere('s.ownerId = :owner', { owner: q.ownerId });
    if (q.beforeId !== null) qb.andWhere('s.id < :before', { before: q.beforeId });
    return (await qb.orderBy('s.id', 'DESC').limit(q.limit).getMany()).map(toSchedule);
  }

  async all(): Promise<ExportSchedule[]> {
    return (await this.ds.getRepository(ExportScheduleSchema).find({ order: { id: 'ASC' } })).map(toSchedule);
  }

  async update(s: ExportSchedule, from: number, events: DomainEvent[]): Promise<boolean> {
    const id = s.id;
    // The owner, creation and firing columns are not a change's to write.
    const set = { ...s.fields(), version: s.version, updatedAt: s.snapshot().updatedAt };
    return this.ds.transaction(async (em) => {
      const r = await em
        .createQueryBuilder()
        .update(ExportScheduleSchema)
        .set(set)
        .where('id = :id AND version = :from', { id, from })
        .updateEntity(false)
        .execute();
      if (!r.affected) return false;
      await appendToOutbox(em, events);
      return true;
    });
  }

  async delete(id: string, from: number, events: DomainEvent[]): Promise<boolean> {
    return this.ds.transaction(async (em) => {
      const r = await em
        .createQueryBuilder()
        .delete()
        .from(ExportScheduleSchema)
        .where('id = :id AND version = :from', { id, from })
        .execute();
      if (!r.affected) return false;
      await appendToOutbox(em, events);
      return true;
    });
  }

  async recordFiring(id: string, f: Firing, events: DomainEvent[]): Promise<void> {
    await this.ds.transaction(async (em) => {
      await em
        .createQueryBuilder()
        .update(ExportScheduleSchema)
        .set({ lastFiredAt: f.at, lastTaskId: f.taskId, lastError: f.error?.slice(0, 500) ?? null })
        .where('id = :id', { id })
        .updateEntity(false)
        .execute();
      await appendToOutbox(em, events);
    });
  }
}
