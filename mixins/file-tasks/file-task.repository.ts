import type { DataSource } from 'typeorm';
import { DateUtils } from 'typeorm/util/DateUtils';
import { FileTask, type FileTaskKind, type FileTaskStatus } from '../../domain/file-tasks/file-task';
import type { FileTaskListQuery } from '../../domain/file-tasks/list-query';
import type { ReadFilter } from '../../domain/permissions/policy';
import type { DomainEvent } from '../../domain/shared/domain-event';
import { encodeCursor } from '../../domain/shared/pagination';
import { FileTaskSchema, type FileTaskRow } from '../database/schemas/file-task.schema';
import { appendToOutbox } from '../operation-log/outbox';
import { escapeLike, LIKE_ESCAPE } from '../database/like';

const COLUMNS =
  'id, kind, biz_type, biz_domain, name, status, created_by, unit_id, unit_path, created_at, updated_at, storage_key, size, sha256, content_type, version';

interface RawRow {
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
}

/** SQLite stores TypeORM datetimes as UTC text without a zone; MySQL returns Date objects. */
const asDate = (v: Date | string) =>
  v instanceof Date ? v : new Date(v.includes('T') ? v : `${v.replace(' ', 'T')}Z`);

const fromRaw = (r: RawRow): FileTask =>
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
    version: Number(r.version),
  });

export class FileTaskRepository {
  constructor(private readonly ds: DataSource) {}

  private dbDate(d: Date): Date | string {
    // Raw queries bypass TypeORM's conversion: better-sqlite3 binds no Date, and TypeORM keeps
    // SQLite datetimes as UTC text. mysql2 converts a Date itself (timezone 'Z').
    return this.ds.options.type === 'mysql' ? d : DateUtils.mixedDateToUtcDatetimeString(d);
  }

  async insert(task: FileTask, events: DomainEvent[]): Promise<void> {
    const p = task.snapshot();
    const row: FileTaskRow = {
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
    };
    await this.ds.transaction(async (em) => {
      await em.getRepository(FileTaskSchema).insert(row);
      await appendToOutbox(em, events);
    });
  }

  async find(id: string): Promise<FileTask | null> {
    const rows = await this.ds.query<RawRow[]>(`SELECT ${COLUMNS} FROM file_tasks WHERE id = ?`, [id]);
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
   * One page, newest first, of the tasks the filter allows. The permission filter is part of the
   * SQL: a UNION of one branch per way of seeing a task, each an ordered index range read limited
   * to the page size. The top `limit` of the union is the top `limit` overall, because every row of
   * the overall top is in the top of its own branch.
   */
  async list(
    q: FileTaskListQuery,
    filter: ReadFilter,
  ): Promise<{ items: FileTask[]; nextCursor: string | null }> {
    const common: string[] = [];
    const commonParams: unknown[] = [];
    const add = (sql: string, ...params: unknown[]) => {
      common.push(sql);
      commonParams.push(...params);
    };
    if (q.kind) add('kind = ?', q.kind);
    if (q.bizType) add('biz_type = ?', q.bizType);
    if (q.status) add('status = ?', q.status);
    if (q.createdBy) add('created_by = ?', q.createdBy);
    if (q.from) add('created_at >= ?', this.dbDate(q.from));
    if (q.to) add('created_at <= ?', this.dbDate(q.to));
    if (q.q) add(`name LIKE ? ${LIKE_ESCAPE}`, `%${escapeLike(q.q)}%`);
    if (q.beforeId) add('id < ?', q.beforeId);

    const branches: { sql: string; params: unknown[] }[] = [];
    if (filter.all) branches.push({ sql: '1 = 1', params: [] });
    else {
      branches.push({ sql: 'created_by = ?', params: [filter.createdBy] });
      for (const b of filter.bizTypes) branches.push({ sql: 'biz_type = ?', params: [b] });
      for (const s of filter.scoped) {
        branches.push({
          sql: `biz_type = ? AND unit_path LIKE ? ${LIKE_ESCAPE}`,
          params: [s.bizType, `${escapeLike(s.unitPathPrefix)}%`],
        });
      }
    }
    const n = q.limit + 1;
    const params: unknown[] = [];
    // Branches select ids only, so a branch can be answered from its index; the page's rows are
    // then fetched by primary key (a deferred join).
    const parts = branches.map((b, i) => {
      params.push(...b.params, ...commonParams);
      const where = [b.sql, ...common].join(' AND ');
      return `SELECT id FROM (SELECT id FROM file_tasks WHERE ${where} ORDER BY id DESC LIMIT ${n}) b${i}`;
    });
    const cols = COLUMNS.split(', ')
      .map((c) => `t.${c}`)
      .join(', ');
    const sql = `SELECT ${cols} FROM file_tasks t JOIN (${parts.join(' UNION ')}) k ON t.id = k.id ORDER BY t.id DESC LIMIT ${n}`;
    const rows = await this.ds.query<RawRow[]>(sql, params);
    const page = rows.slice(0, q.limit).map(fromRaw);
    const last = page[page.length - 1];
    return { items: page, nextCursor: rows.length > q.limit && last ? encodeCursor({ id: last.id }) : null };
  }
}
