import type { FileTaskRepository as FileTaskRepositoryPort } from '../../domain/file-tasks/file-task.ports';
import type { DataSource, EntityManager } from 'typeorm';
import { asDate, dbDate } from '../database/db-dates';
import {
  FileTask,
  type ExportAttrs,
  type ExportFormat,
  type ExportSpec,
  type FailureReason,
  type FileTaskKind,
  type FileTaskProps,
  type FileTaskStatus,
} from '../../domain/file-tasks/file-task';
import type { WaitingReason } from '../../domain/exports/fair-turns';
import type { FileTaskListQuery } from '../../domain/file-tasks/list-query';
import type { ReadFilter } from '../../domain/permissions/policy';
import type { DomainEvent } from '../../domain/shared/domain-event';
import { encodeCursor } from '../../domain/shared/pagination';
import { FileTaskSchema, type FileTaskRow } from '../database/schemas/file-task.schema';
import { appendToOutbox, logEvents } from '../operation-log/outbox';
import { isPublishedAction } from '../../domain/notifications/integration-event';
import { isMariaDb } from '../database/server-flavor';
import { pointRead } from '../database/point-read';
import { GroupCommit } from '../database/group-commit';
import { FileTaskListSql, listBranches } from './file-task-list.sql';
import { planWalk, walkIndexFor, type Walk } from './file-task-list.walk';
import { loadRecentTasks, RecentTaskSample } from './recent-task-sample';

export const COLUMNS =
  'id, kind, biz_type, biz_domain, name, status, created_by, unit_id, unit_path, created_at, updated_at, storage_key, size, sha256, content_type, version, ' +
  'export_format, export_spec, idempotency_key, request_hash, row_count, progress_rows, progress_total, failure_reason, failure_message, attempts, lease_owner, lease_until, manifest, waiting_reason';
const COLUMN_LIST = COLUMNS.split(', ');

export interface RawRow {
  id: string;
  kind: string;
  biz_type: string;
  biz_domain: string | null;
  name: string;
  status: string;
  created_by: string;
  unit_id: string | null;
  unit_path: string | null;
  created_at: Date | string;
  updated_at: Date | string;
  storage_key: string | null;
  size: number | string | null;
  sha256: string | null;
  content_type: string | null;
  version: number | string;
  export_format: string | null;
  export_spec: string | null;
  idempotency_key: string | null;
  request_hash: string | null;
  row_count: number | string | null;
  progress_rows: number | string | null;
  progress_total: number | string | null;
  failure_reason: string | null;
  failure_message: string | null;
  attempts: number | string | null;
  lease_owner: string | null;
  lease_until: Date | string | null;
  manifest: string | null;
  waiting_reason: string | null;
}

/**
 * A row of COLUMNS from its values in that order (the SQLite point read's raw values): an object
 * literal, one shape for every row. Kept in COLUMNS' order by a unit test.
 */
export const rawRowOf = (v: unknown[]): RawRow =>
  ({
    id: v[0],
    kind: v[1],
    biz_type: v[2],
    biz_domain: v[3],
    name: v[4],
    status: v[5],
    created_by: v[6],
    unit_id: v[7],
    unit_path: v[8],
    created_at: v[9],
    updated_at: v[10],
    storage_key: v[11],
    size: v[12],
    sha256: v[13],
    content_type: v[14],
    version: v[15],
    export_format: v[16],
    export_spec: v[17],
    idempotency_key: v[18],
    request_hash: v[19],
    row_count: v[20],
    progress_rows: v[21],
    progress_total: v[22],
    failure_reason: v[23],
    failure_message: v[24],
    attempts: v[25],
    lease_owner: v[26],
    lease_until: v[27],
    manifest: v[28],
    waiting_reason: v[29],
  }) as RawRow;

const num = (v: number | string | null) => (v === null ? null : Number(v));

const exportOf = (r: RawRow): ExportAttrs | null =>
  r.kind === 'EXPORT' && r.export_format && r.export_spec
    ? {
        format: r.export_format as ExportFormat,
        spec: JSON.parse(r.export_spec) as ExportSpec,
        idempotencyKey: r.idempotency_key,
        requestHash: r.request_hash ?? '',
        rowCount: num(r.row_count),
        progress: { rows: num(r.progress_rows) ?? 0, total: num(r.progress_total) },
        failureReason: r.failure_reason as FailureReason | null,
        failureMessage: r.failure_message,
        attempts: Number(r.attempts ?? 0),
        leaseOwner: r.lease_owner,
        leaseUntil: r.lease_until === null ? null : asDate(r.lease_until),
        manifest: r.manifest ? (JSON.parse(r.manifest) as Record<string, unknown>) : null,
        waitingReason: r.waiting_reason as WaitingReason | null,
      }
    : null;

export const fromRaw = (r: RawRow): FileTask =>
  FileTask.restore({
    id: r.id,
    kind: r.kind as FileTaskKind,
    bizType: r.biz_type,
    bizDomain: r.biz_domain,
    name: r.name,
    status: r.status as FileTaskStatus,
    createdBy: r.created_by,
    unitId: r.unit_id,
    unitPath: r.unit_path,
    createdAt: asDate(r.created_at),
    updatedAt: asDate(r.updated_at),
    file:
      r.storage_key && r.sha256 && r.content_type
        ? { storageKey: r.storage_key, size: Number(r.size), sha256: r.sha256, contentType: r.content_type }
        : null,
    export: exportOf(r),
    version: Number(r.version),
  });

/** The persisted form of a task: one mapping for inserts and conditional updates alike. */
const toRow = (p: FileTaskProps): FileTaskRow => ({
  id: p.id,
  kind: p.kind,
  bizType: p.bizType,
  bizDomain: p.bizDomain,
  name: p.name,
  status: p.status,
  createdBy: p.createdBy,
  unitId: p.unitId,
  unitPath: p.unitPath,
  createdAt: p.createdAt,
  updatedAt: p.updatedAt,
  storageKey: p.file?.storageKey ?? null,
  size: p.file?.size ?? null,
  sha256: p.file?.sha256 ?? null,
  contentType: p.file?.contentType ?? null,
  version: p.version,
  exportFormat: p.export?.format ?? null,
  exportSpec: p.export?.spec ?? null,
  idempotencyKey: p.export?.idempotencyKey ?? null,
  requestHash: p.export?.requestHash ?? null,
  rowCount: p.export?.rowCount ?? null,
  progressRows: p.export?.progress.rows ?? null,
  progressTotal: p.export?.progress.total ?? null,
  failureReason: p.export?.failureReason ?? null,
  failureMessage: p.export?.failureMessage ?? null,
  attempts: p.export?.attempts ?? 0,
  leaseOwner: p.export?.leaseOwner ?? null,
  leaseUntil: p.export?.leaseUntil ?? null,
  manifest: p.export?.manifest ?? null,
  waitingReason: p.export?.waitingReason ?? null,
});

/**
 * Writes the task as the aggregate now holds it if the stored row is still at `from` (status and
 * version): the conditional update every move after the insert goes through.
 */
export async function saveFrom(
  em: EntityManager,
  task: FileTask,
  from: { status: FileTaskStatus; version: number },
): Promise<boolean> {
  const { id, createdAt: _c, ...changes } = toRow(task.snapshot());
  const r = await em
    .createQueryBuilder()
    .update(FileTaskSchema)
    .set(changes)
    .where('id = :id AND status = :status AND version = :version', { id, ...from })
    .updateEntity(false)
    .execute();
  return (r.affected ?? 0) > 0;
}

/**
 * How list pages with several branches are planned: `auto` walks when the sample says it pays (on
 * MariaDB), `union` never walks, and a fixed walk is for tests of both paths.
 */
export type ListWalks = 'auto' | 'union' | Pick<Walk, 'budget'>;

export interface FileTaskRepositoryOptions {
  walks?: ListWalks;
  /** Told when a walk failed and the page came from the UNION instead. */
  warn?: (message: string) => void;
}

/**
 * Published events (domain/notifications) carry the task as it is after the change, so a
 * subscriber needs no second read that could see a later state.
 */
function withTaskSubject(task: FileTask, events: DomainEvent[]): DomainEvent[] {
  return events.map((e) =>
    isPublishedAction(e.type)
      ? {
          ...e,
          subject: {
            task: task.toView({ withManifest: false }),
            ...(task.kind === 'EXPORT' && task.exportAttrs.idempotencyKey
              ? { requestId: task.exportAttrs.idempotencyKey }
              : {}),
          },
        }
      : e,
  );
}

export class FileTaskRepository implements FileTaskRepositoryPort {
  private readonly sample: RecentTaskSample;
  private readonly walks: ListWalks;
  private readonly warn: (message: string) => void;
  private lastWalkWarning = -Infinity;
  /** The by-id read of GET /api/file-tasks/:id (and every use case's load), off TypeORM's query runner. */
  private readonly byId: (params: unknown[]) => Promise<RawRow[]>;
  private readonly eventLog = new GroupCommit<DomainEvent[]>(
    (lists) => logEvents(this.ds, lists.flat()),
    (events) => logEvents(this.ds, events),
  );

  constructor(
    private readonly ds: DataSource,
    options: FileTaskRepositoryOptions = {},
  ) {
    this.walks = options.walks ?? 'auto';
    this.warn = options.warn ?? (() => undefined);
    this.sample = new RecentTaskSample(() => loadRecentTasks(ds));
    this.byId = pointRead<RawRow>(ds, `SELECT ${COLUMNS} FROM file_tasks WHERE id = ?`, rawRowOf);
  }

  async insert(task: FileTask, events: DomainEvent[]): Promise<void> {
    const row = toRow(task.snapshot());
    await this.ds.transaction(async (em) => {
      await em.getRepository(FileTaskSchema).insert(row);
      await appendToOutbox(em, withTaskSubject(task, events));
    });
  }

  /**
   * Several new tasks with their events in one transaction (one commit, one fsync): the group
   * commit of concurrent requests (file-task-insert-batch.ts). All or none are stored.
   */
  async insertMany(items: readonly { task: FileTask; events: DomainEvent[] }[]): Promise<void> {
    if (items.length === 0) return;
    const rows = items.map((i) => toRow(i.task.snapshot()));
    await this.ds.transaction(async (em) => {
      await em.getRepository(FileTaskSchema).insert(rows);
      await appendToOutbox(
        em,
        items.flatMap((i) => withTaskSubject(i.task, i.events)),
      );
    });
  }

  /** Events about a task that change no record (links issued, downloads): outbox only. */
  /**
   * Events about tasks, group-committed: concurrent callers (a DOWNLOAD_URL_ISSUED per link asked
   * for) share one transaction instead of a commit and an fsync each; each returns once its own
   * events are stored.
   */
  async logEvents(events: DomainEvent[]): Promise<void> {
    if (events.length) await this.eventLog.add(events);
  }

  /**
   * Persists a transition made on the aggregate, if the stored task is still at `from` (its
   * status and version before the move): false when another worker or request moved it first.
   */
  async transition(
    task: FileTask,
    from: { status: FileTaskStatus; version: number },
    events: DomainEvent[],
  ): Promise<boolean> {
    return this.ds.transaction(async (em) => {
      if (!(await saveFrom(em, task, from))) return false;
      await appendToOutbox(em, withTaskSubject(task, events));
      return true;
    });
  }

  /**
   * Progress and lease renewal of a running export, by its lease holder only. No version bump: a
   * cancel racing with it still wins. False when the task is no longer this owner's EXPORTING task
   * (cancelled, or the lease was taken over): the worker must stop.
   */
  async heartbeat(
    id: string,
    owner: string,
    p: { rows: number; total: number | null; leaseUntil: Date; now: Date },
  ): Promise<boolean> {
    const r = await this.ds
      .createQueryBuilder()
      .update(FileTaskSchema)
      .set({ progressRows: p.rows, progressTotal: p.total, leaseUntil: p.leaseUntil, updatedAt: p.now })
      .where("id = :id AND status = 'EXPORTING' AND lease_owner = :owner", { id, owner })
      .updateEntity(false)
      .execute();
    return (r.affected ?? 0) > 0;
  }

  /** The task a user created with this idempotency key, if any. */
  async findByIdempotencyKey(createdBy: string, key: string): Promise<FileTask | null> {
    const rows = await this.ds.query<RawRow[]>(
      `SELECT ${COLUMNS} FROM file_tasks WHERE created_by = ? AND idempotency_key = ?`,
      [createdBy, key],
    );
    return rows[0] ? fromRaw(rows[0]) : null;
  }

  /** An identical request of the same user still PENDING or EXPORTING: merged instead of re-run. */
  async findInFlight(createdBy: string, requestHash: string): Promise<FileTask | null> {
    const rows = await this.ds.query<RawRow[]>(
      `SELECT ${COLUMNS} FROM file_tasks WHERE created_by = ? AND request_hash = ? AND status IN ('PENDING', 'EXPORTING') ORDER BY id DESC LIMIT 1`,
      [createdBy, requestHash],
    );
    return rows[0] ? fromRaw(rows[0]) : null;
  }

  async find(id: string): Promise<FileTask | null> {
    const rows = await this.byId([id]);
    return rows[0] ? fromRaw(rows[0]) : null;
  }

  /** Deletes the record if it is still at `version`; false when it changed or is gone. */
  async delete(task: FileTask, events: DomainEvent[]): Promise<boolean> {
    return this.ds.transaction(async (em) => {
      const found = await em.query<{ id: string }[]>(
        'SELECT id FROM file_tasks WHERE id = ? AND version = ?',
        [task.id, task.version],
      );
      if (found.length === 0) return false;
      await em.query('DELETE FROM file_tasks WHERE id = ? AND version = ?', [task.id, task.version]);
      await appendToOutbox(em, events);
      return true;
    });
  }

  /**
   * One page, newest first, of the tasks the filter allows, the permission filter inside the SQL
   * (plans in file-task-list.sql.ts): one exact branch is read as it is, several are merged.
   */
  async list(
    q: FileTaskListQuery,
    filter: ReadFilter,
  ): Promise<{ items: FileTask[]; nextCursor: string | null }> {
    const branches = listBranches(q, filter);
    if (branches.length === 0) return { items: [], nextCursor: null };
    const sql = new FileTaskListSql(q, COLUMN_LIST, this.ds.options.type === 'mysql', (d) =>
      dbDate(this.ds, d),
    );
    const read = (s: { sql: string; params: unknown[] }) => this.ds.query<RawRow[]>(s.sql, s.params);
    const only = branches.length === 1 && FileTaskListSql.isExact(branches[0]) ? branches[0] : null;
    let rows: RawRow[] | null = only ? await read(sql.plain(only)) : null;
    if (!rows) {
      const walk = await this.walkFor(q, filter, branches.length);
      // A short walk either ran out of budget or reached the end: the UNION is exact either way.
      if (walk)
        rows = await read(sql.walk(branches, walk)).then(
          (r) => (r.length > q.limit ? r : null),
          this.walkFailed,
        );
      rows ??= await read(sql.union(branches));
    }
    rows.sort((a, b) => (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
    const page = rows.slice(0, q.limit).map(fromRaw);
    const last = page[page.length - 1];
    return { items: page, nextCursor: rows.length > q.limit && last ? encodeCursor({ id: last.id }) : null };
  }

  /** Loads the list planner's sample now rather than on the first list (MariaDB only). */
  async warmUp(): Promise<void> {
    if (this.walks !== 'auto' || !(await this.mariaDb())) return;
    this.sample.current();
    await this.sample.settled();
  }

  /** Stops reloading the planner's sample and waits for a reload in progress (before the database closes). */
  async close(): Promise<void> {
    await this.sample.stop();
  }

  /**
   * A walk is an optimisation: should MariaDB ever refuse one (e.g. a capped walk planned with a
   * sort answers "Sort aborted"), the page comes from the UNION, with a warning at most a minute.
   */
  private readonly walkFailed = (e: Error): null => {
    if (Date.now() - this.lastWalkWarning >= 60_000) {
      this.lastWalkWarning = Date.now();
      this.warn(`file task list: walk failed, answered by the UNION: ${e.message}`);
    }
    return null;
  };

  /** MariaDB, for walks; a failed probe only means no walk this time (it is asked again). */
  private mariaDb(): Promise<boolean> {
    return isMariaDb(this.ds).catch(() => false);
  }

  /** The walk for a page with several branches, or null for the UNION (file-task-list.walk.ts). */
  private async walkFor(q: FileTaskListQuery, f: ReadFilter, branches: number): Promise<Walk | null> {
    if (this.walks === 'union' || !(await this.mariaDb())) return null;
    if (this.walks !== 'auto')
      return { index: walkIndexFor(q), expectedRows: this.walks.budget, budget: this.walks.budget };
    const { beforeId: _cursor, ...shape } = q;
    return this.sample.memoised(JSON.stringify([shape, f, branches]), (s) => planWalk(q, f, branches, s));
  }
}
