import type { DataSource } from 'typeorm';
import { dbDate } from '../../database/db-dates';
import type { FilterSpec, SqlHandler } from '../../../domain/metadata/data-handler';
import { parseSqlHandler, SQL_IDENTIFIER } from '../../../domain/metadata/data-handler';
import { isDomainError } from '../../../domain/shared/errors';
import { escapeLike, LIKE_ESCAPE } from '../../database/like';
import type {
  Batch,
  DataHandlerAdapter,
  ExportPlan,
  KeyRange,
  KeyValue,
  ReadScope,
} from '../../../domain/exports/data-handler.port';
import type { SourcePool } from './source-pool';
import { pointRead } from '../../database/point-read';
import { ExportErrors } from '../../../domain/exports/export.errors';
import { MetadataErrors } from '../../../domain/metadata/metadata.errors';

/**
 * Identifiers were whitelisted by shape when the biz type was written, and are checked again here:
 * a handler definition may arrive from another node, and only the shape makes the quoting safe.
 * Backticks parse on both engines.
 */
const q = (id: string) => {
  if (!SQL_IDENTIFIER.test(id)) throw invalidMapping(`"${id}" is not an SQL identifier`);
  return `\`${id}\``;
};

/** A mapping the source cannot serve: final for the export (BIZ_TYPE_INVALID), typed to cross nodes. */
const invalidMapping = MetadataErrors.bizTypeInvalid;

const OPS: Record<string, string> = { '=': '=', '!=': '<>', '>=': '>=', '>': '>', '<=': '<=', '<': '<' };

/** The WHERE clause of a request: every value a bound parameter, never text in the SQL. */
function where(ds: DataSource, h: SqlHandler, scope: ReadScope, range?: KeyRange) {
  const sql: string[] = [];
  const params: unknown[] = [];
  const value = (spec: FilterSpec, v: unknown) =>
    spec.type === 'datetime' ? dbDate(ds, new Date(v as string)) : v;
  for (const [name, v] of Object.entries(scope.filters)) {
    const spec = Object.hasOwn(h.filters, name) ? h.filters[name] : undefined;
    // A filter the biz type no longer has must not silently widen the export to every row.
    if (!spec) throw invalidMapping(`the biz type has no filter "${name}" any more`);
    if (v === undefined || v === null) continue;
    if (spec.op === 'in') {
      const list = v as unknown[];
      if (list.length === 0) sql.push('1 = 0');
      else {
        sql.push(`${q(spec.column)} IN (${list.map(() => '?').join(', ')})`);
        params.push(...list.map((x) => value(spec, x)));
      }
    } else if (spec.op === 'like') {
      sql.push(`${q(spec.column)} LIKE ? ${LIKE_ESCAPE}`);
      params.push(`%${escapeLike(v as string)}%`);
    } else {
      sql.push(`${q(spec.column)} ${OPS[spec.op]} ?`);
      params.push(value(spec, v));
    }
  }
  if (scope.rowScope) {
    const ids = scope.rowScope.unitIds;
    // An empty scope matches nothing: it must never widen into "every row".
    if (ids.length === 0) sql.push('1 = 0');
    else {
      sql.push(`${q(scope.rowScope.column)} IN (${ids.map(() => '?').join(', ')})`);
      params.push(...ids);
    }
  }
  if (range?.after !== null && range?.after !== undefined) {
    sql.push(`${q(h.key)} > ?`);
    params.push(range.after);
  }
  if (range?.to !== null && range?.to !== undefined) {
    sql.push(`${q(h.key)} <= ?`);
    params.push(range.to);
  }
  return { sql: sql.length ? `WHERE ${sql.join(' AND ')}` : '', params };
}

/** A connection or server failure is worth retrying; a bad query (e.g. a missing column) is not. */
function classify(e: unknown): never {
  if (isDomainError(e)) throw e;
  const code = (e as { code?: string }).code ?? '';
  const transient =
    /ECONN|ETIMEDOUT|PROTOCOL_CONNECTION_LOST|ER_LOCK|SQLITE_BUSY|ER_CON_COUNT|EPIPE|ENOTFOUND/.test(code);
  if (transient) throw ExportErrors.sourceUnavailable(`export source failed: ${(e as Error).message}`);
  // Typed, so its code survives the hop back to the coordinator, which makes it final: the mapping
  // names a table or column the source does not have.
  throw invalidMapping(`the export source rejected the query: ${(e as Error).message}`);
}

type BatchRead = (params: unknown[]) => Promise<Record<string, unknown>[]>;

/** A source's batch readers by SQL text: an export's batches repeat one or two texts. */
const batchReaders = new WeakMap<DataSource, Map<string, BatchRead>>();
const MAX_BATCH_READERS = 32;

/**
 * A batch read on the driver, outside TypeORM's query runner (mixins/database/point-read.ts: a
 * statement prepared once on SQLite, a pool connection on MySQL): the runner's per-query work (a
 * statement cache lookup, logger and subscriber broadcasts, a lock turn) is paid once per batch of
 * a million-row export otherwise. better-sqlite3 cannot bind booleans: 1/0, as TypeORM binds them.
 */
function batchReader(ds: DataSource, sql: string): BatchRead {
  let bySql = batchReaders.get(ds);
  if (!bySql) batchReaders.set(ds, (bySql = new Map()));
  let read = bySql.get(sql);
  if (!read) {
    const raw = pointRead<Record<string, unknown>>(ds, sql);
    read =
      ds.options.type === 'better-sqlite3'
        ? (params) => raw(params.map((p) => (typeof p === 'boolean' ? Number(p) : p)))
        : raw;
    if (bySql.size >= MAX_BATCH_READERS) bySql.delete(bySql.keys().next().value!);
    bySql.set(sql, read);
  }
  return read;
}

/** `sql` data handler: keyset batches over a table or view of a configured data source. */
export function sqlDataHandler(pool: SourcePool): DataHandlerAdapter {
  return {
    parse: parseSqlHandler,

    async plan(handler, scope, chunkRows): Promise<ExportPlan> {
      const h = handler as SqlHandler;
      const ds = await pool.get(h.source);
      const w = where(ds, h, scope);
      try {
        const [row] = await ds.query<{ lo: KeyValue | null; hi: KeyValue | null; n: number | string }[]>(
          `SELECT MIN(${q(h.key)}) AS lo, MAX(${q(h.key)}) AS hi, COUNT(*) AS n FROM ${q(h.table)} ${w.sql}`,
          w.params,
        );
        const total = Number(row?.n ?? 0);
        if (total === 0 || row.lo === null || row.hi === null) return { total, chunks: [] };
        return { total, chunks: splitKeys(row.lo, row.hi, total, chunkRows) };
      } catch (e) {
        classify(e);
      }
    },

    async read(handler, scope, range, limit): Promise<Batch> {
      const h = handler as SqlHandler;
      const ds = await pool.get(h.source);
      const w = where(ds, h, scope, range);
      const cols = [...new Set([h.key, ...scope.columns])].map(q).join(', ');
      try {
        const rows = await batchReader(
          ds,
          `SELECT ${cols} FROM ${q(h.table)} ${w.sql} ORDER BY ${q(h.key)} LIMIT ${Number(limit)}`,
        )(w.params);
        const last = rows[rows.length - 1];
        return { rows, next: rows.length === limit && last ? (last[h.key] as KeyValue) : null };
      } catch (e) {
        classify(e);
      }
    },
  };
}

/**
 * Key ranges of about `chunkRows` matching rows each, assuming keys spread evenly (an auto-increment
 * id does). Text or unsafe keys cannot be split arithmetically: they are read as one range.
 */
export function splitKeys(lo: KeyValue, hi: KeyValue, total: number, chunkRows: number): KeyRange[] {
  const a = Number(lo);
  const b = Number(hi);
  const n = Math.max(1, Math.ceil(total / chunkRows));
  if (!Number.isSafeInteger(a) || !Number.isSafeInteger(b) || n === 1 || b - a < n)
    return [{ after: null, to: null }];
  const step = (b - a + 1) / n;
  const ranges: KeyRange[] = [];
  let after: number | null = null;
  for (let i = 1; i <= n; i++) {
    const to = i === n ? null : a - 1 + Math.round(step * i);
    ranges.push({ after, to });
    after = to;
  }
  return ranges;
}
