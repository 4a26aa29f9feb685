import type { DataSource } from 'typeorm';
import type { FailureReason, FileTaskStatus } from '../../domain/file-tasks/file-task';
import type {
  CompensationCandidate,
  FileTaskMaintenanceRepository,
} from '../../domain/scheduler/scheduler.ports';
import type { WaitingReason } from '../../domain/exports/fair-turns';
import type { DomainEvent } from '../../domain/shared/domain-event';
import { FileTaskSchema } from '../database/schemas/file-task.schema';
import { appendToOutbox } from '../operation-log/outbox';
import { asDate, dbDate, marks } from '../database/db-dates';

/** Statuses whose records hold no bytes and will never change again: what archival may move. */
export { ARCHIVABLE_STATUSES } from '../../domain/scheduler/scheduled-task';

interface CandidateRow {
  id: string;
  biz_type: string;
  status: string;
  updated_at: Date | string;
  failure_reason: string | null;
  attempts: number | string | null;
  lease_until: Date | string | null;
  version: number | string;
  waiting_reason: string | null;
}

/**
 * The scheduler's queries over file_tasks: stuck exports, expired files, and the move of old
 * records to file_tasks_cold. Kept apart from FileTaskRepository, which serves requests.
 */
export class TypeormFileTaskMaintenance implements FileTaskMaintenanceRepository {
  constructor(private readonly ds: DataSource) {}

  private get mysql() {
    return this.ds.options.type === 'mysql';
  }

  private scope(bizTypes: readonly string[]): { sql: string; params: string[] } {
    return bizTypes.length
      ? { sql: ` AND biz_type IN (${marks(bizTypes.length)})`, params: [...bizTypes] }
      : { sql: '', params: [] };
  }

  /**
   * One page (by id, after `afterId`) of exports in `status` that may be stuck: EXPORTING ones
   * whose lease ran out (idx_tasks_lease), PENDING or FAILED ones unchanged since `settledBefore`
   * (idx_tasks_status). The caller judges each with the domain's stuckReason.
   */
  async candidates(
    status: 'PENDING' | 'EXPORTING' | 'FAILED',
    p: { now: Date; settledBefore: Date; afterId: string; limit: number; bizTypes: readonly string[] },
  ): Promise<CompensationCandidate[]> {
    const scope = this.scope(p.bizTypes);
    const age =
      status === 'EXPORTING'
        ? { sql: 'lease_until <= ?', value: dbDate(this.ds, p.now) }
        : { sql: 'updated_at <= ?', value: dbDate(this.ds, p.settledBefore) };
    const rows = await this.ds.query<CandidateRow[]>(
      `SELECT id, biz_type, status, updated_at, failure_reason, attempts, lease_until, version, waiting_reason FROM file_tasks
       WHERE status = ? AND kind = 'EXPORT' AND ${age.sql} AND id > ?${scope.sql}
       ORDER BY id LIMIT ${Number(p.limit)}`,
      [status, age.value, p.afterId, ...scope.params],
    );
    return rows.map((r) => ({
      id: r.id,
      bizType: r.biz_type,
      status: r.status as FileTaskStatus,
      updatedAt: asDate(r.updated_at),
      failureReason: r.failure_reason as FailureReason | null,
      attempts: Number(r.attempts ?? 0),
      leaseUntil: r.lease_until === null ? null : asDate(r.lease_until),
      version: Number(r.version),
      waitingReason: r.waiting_reason as WaitingReason | null,
    }));
  }

  /**
   * Claims a stuck export for compensation: bumps its version if it is still in the state that was
   * judged stuck (for EXPORTING: its lease still expired), with the TASK_COMPENSATED event in the
   * same transaction. Of two compensators (a cron run and a manual one) only one wins, and the new
   * version names the job it enqueues, so each stuck state is enqueued once. A dead worker's late
   * final write fails too: it is conditional on the version it read.
   */
  async claim(t: CompensationCandidate, now: Date, events: DomainEvent[]): Promise<boolean> {
    return this.ds.transaction(async (em) => {
      const lease = t.status === 'EXPORTING' ? ' AND lease_until <= ?' : '';
      const params: unknown[] = [t.id, t.status, t.version];
      if (lease) params.push(dbDate(this.ds, now));
      const found = await em.query<{ id: string }[]>(
        `SELECT id FROM file_tasks WHERE id = ? AND status = ? AND version = ?${lease}${this.mysql ? ' FOR UPDATE' : ''}`,
        params,
      );
      if (found.length === 0) return false;
      // Counted by the SELECT: TypeORM's SQLite driver does not report an UPDATE's affected rows.
      // Clearing the lease owner fences out a worker that is slow rather than dead: its next
      // heartbeat fails at once and it stops, instead of renewing the lease it no longer holds.
      await em.query(
        'UPDATE file_tasks SET version = version + 1, lease_owner = NULL WHERE id = ? AND version = ?',
        [t.id, t.version],
      );
      await appendToOutbox(em, events);
      return true;
    });
  }

  /**
   * Ids of SUCCESS tasks of a biz type (exports and uploads alike: each biz type has one kind)
   * whose last change is older than `before`.
   */
  async expired(bizType: string, before: Date, afterId: string, limit: number): Promise<string[]> {
    const rows = await this.ds.query<{ id: string }[]>(
      `SELECT id FROM file_tasks WHERE biz_type = ? AND status = 'SUCCESS' AND updated_at < ? AND id > ?
       ORDER BY id LIMIT ${Number(limit)}`,
      [bizType, dbDate(this.ds, before), afterId],
    );
    return rows.map((r) => r.id);
  }

  /** What the records say about objects named after these task ids. */
  async owners(
    ids: readonly string[],
  ): Promise<Map<string, { status: FileTaskStatus; storageKey: string | null }>> {
    const out = new Map<string, { status: FileTaskStatus; storageKey: string | null }>();
    if (ids.length === 0) return out;
    const rows = await this.ds.query<{ id: string; status: string; storage_key: string | null }[]>(
      `SELECT id, status, storage_key FROM file_tasks WHERE id IN (${marks(ids.length)})`,
      [...ids],
    );
    for (const r of rows) out.set(r.id, { status: r.status as FileTaskStatus, storageKey: r.storage_key });
    return out;
  }

  /**
   * Moves one batch of finished tasks in `status` last changed before `before` to file_tasks_cold:
   * copy and delete in one transaction, so a crash loses or duplicates nothing and the next run
   * simply carries on. On MySQL the batch's rows are locked (SKIP LOCKED: a concurrent run takes
   * other rows instead of waiting). `event` describes the batch and commits with it.
   */
  async archiveBatch(
    status: FileTaskStatus,
    before: Date,
    limit: number,
    bizTypes: readonly string[],
    event: (n: number, firstId: string, lastId: string) => DomainEvent,
  ): Promise<number> {
    const scope = this.scope(bizTypes);
    return this.ds.transaction(async (em) => {
      const rows = await em.query<{ id: string }[]>(
        `SELECT id FROM file_tasks WHERE status = ? AND updated_at < ?${scope.sql}
         LIMIT ${Number(limit)}${this.mysql ? ' FOR UPDATE SKIP LOCKED' : ''}`,
        [status, dbDate(this.ds, before), ...scope.params],
      );
      if (rows.length === 0) return 0;
      const ids = rows.map((r) => r.id).sort();
      const cols = this.columns();
      await em.query(
        `INSERT INTO file_tasks_cold (${cols}) SELECT ${cols} FROM file_tasks WHERE id IN (${marks(ids.length)})`,
        ids,
      );
      await em.query(`DELETE FROM file_tasks WHERE id IN (${marks(ids.length)})`, ids);
      await appendToOutbox(em, [event(ids.length, ids[0], ids[ids.length - 1])]);
      return ids.length;
    });
  }

  /** The live table's columns: the cold table has the same ones (migration 7). */
  private columns(): string {
    return this.ds
      .getMetadata(FileTaskSchema)
      .columns.map((c) => c.databaseName)
      .join(', ');
  }
}
