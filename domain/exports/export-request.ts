import crypto from 'node:crypto';
import { parseDateIn } from './cell-format';
import { parseLocale } from '../shared/locale';
import { parseTimeZone, resolveTimeZone } from '../shared/time-zone';
import { canonicalJson } from '../operation-log/hash-chain';
import type { ExportBizType, ExportFormat } from '../metadata/biz-type';
import { filterSpecsOf, type FilterSpec } from '../metadata/data-handler';
import { canExport, exportableColumns, subtreeUnits, type Subject } from '../permissions/policy';
import type { Grant } from '../permissions/grant';
import { isAdmin, type Principal } from '../shared/principal';
import type { ExportSpec } from '../file-tasks/file-task';
import { ExportErrors } from './export.errors';

export interface ExportRequest {
  format: ExportFormat;
  filters: Record<string, unknown>;
  columns: string[];
  /** The zone datetime cells are shown in and datetime filters were read in (resolved, never null). */
  timeZone: string;
  /** Headers and labels in this language; null: the columns' own `header` and `dict`. */
  locale: string | null;
  idempotencyKey: string | null;
  requestHash: string;
}

const MAX_IN = 1000;
const IDEMPOTENCY_KEY = /^[A-Za-z0-9._:-]{1,128}$/;

function filterValue(name: string, spec: Omit<FilterSpec, 'column'>, v: unknown, zone: string): unknown {
  const field = `filters.${name}`;
  const one = (x: unknown): unknown => {
    switch (spec.type) {
      case 'number':
        if (typeof x === 'number' && Number.isFinite(x)) return x;
        if (typeof x === 'string' && /^-?\d+(\.\d+)?$/.test(x.trim())) return Number(x);
        throw ExportErrors.invalidFilter(field, `${field} must be a number`);
      case 'boolean':
        if (typeof x === 'boolean') return x;
        throw ExportErrors.invalidFilter(field, `${field} must be true or false`);
      case 'datetime': {
        // ISO-8601 only, read in the export's zone without an offset (never the node's own zone),
        // impossible dates refused: a bare number or free text ("1", "May 5") is not guessed.
        const d = typeof x === 'string' ? parseDateIn(x, zone) : null;
        if (d === null) throw ExportErrors.invalidFilter(field, `${field} must be an ISO-8601 date`);
        return d.toISOString();
      }
      default:
        if (typeof x !== 'string' && typeof x !== 'number')
          throw ExportErrors.invalidFilter(field, `${field} must be text`);
        if (String(x).length > 256)
          throw ExportErrors.invalidFilter(field, `${field} is longer than 256 characters`);
        return String(x);
    }
  };
  if (spec.op === 'in') {
    if (!Array.isArray(v) || v.length > MAX_IN)
      throw ExportErrors.invalidFilter(field, `${field} must be a list of at most ${MAX_IN} values`);
    return [...new Set(v.map(one))];
  }
  return one(v);
}

/**
 * Filters the biz type whitelists, each checked and normalised to its declared type; a datetime
 * without an offset is the wall-clock time in `zone`, stored as the UTC instant.
 */
export function parseFilters(b: ExportBizType, raw: unknown, zone = 'UTC'): Record<string, unknown> {
  if (raw === undefined || raw === null) return {};
  if (typeof raw !== 'object' || Array.isArray(raw))
    throw ExportErrors.invalidFilter('filters', 'filters must be an object');
  const specs = filterSpecsOf(b.dataHandler);
  const out: Record<string, unknown> = {};
  for (const name of Object.keys(raw).sort()) {
    const spec = Object.hasOwn(specs, name) ? specs[name] : undefined;
    if (!spec) throw ExportErrors.unknownFilter(b.code, name, ...Object.keys(specs));
    const v = (raw as Record<string, unknown>)[name];
    if (v !== undefined && v !== null) out[name] = filterValue(name, spec, v, zone);
  }
  return out;
}

/**
 * Validates `POST /api/exports` against the biz type and the requester's grants: the format the
 * rules allow, whitelisted filters, and the columns the requester may see (a requested column they
 * may not see is a 403, never silently dropped: the file would look complete and be wrong).
 */
export function parseExportRequest(
  b: ExportBizType,
  raw: Record<string, unknown>,
  subject: Subject,
  grants: readonly Grant[],
  defaultTimeZone: string | null = null,
): ExportRequest {
  if (!canExport(subject, b.code, grants)) throw ExportErrors.notAllowed(`you may not export ${b.code}`);
  const format = raw.format;
  if (typeof format !== 'string' || !b.rules.formats.includes(format as ExportFormat))
    throw ExportErrors.unsupportedFormat(...b.rules.formats);
  const timeZone = exportTimeZone(b, raw, defaultTimeZone);
  const locale = parseLocale(raw.locale, 'locale');
  const filters = parseFilters(b, raw.filters, timeZone);
  const allowed = exportableColumns(subject, b.code, b.columns, grants, b.rules.columnPermission);
  let columns = allowed;
  if (raw.columns !== undefined && raw.columns !== null) {
    if (!Array.isArray(raw.columns) || raw.columns.length === 0 || raw.columns.length > 200)
      throw ExportErrors.invalidColumns();
    const wanted = new Set<unknown>(raw.columns);
    for (const c of wanted) {
      if (typeof c !== 'string' || !b.columns.some((col) => col.key === c))
        throw ExportErrors.unknownColumn(b.code, String(c));
      if (!allowed.includes(c)) throw ExportErrors.columnNotAllowed(c);
    }
    // The biz type's order, whatever order they were asked in: one layout per biz type.
    columns = allowed.filter((k) => wanted.has(k));
  }
  if (columns.length === 0) throw ExportErrors.notAllowed(`no column of ${b.code} is visible to you`);
  const key = raw.idempotencyKey ?? null;
  if (key !== null && (typeof key !== 'string' || !IDEMPOTENCY_KEY.test(key)))
    throw ExportErrors.invalidIdempotencyKey();
  const requestHash = crypto
    .createHash('sha256')
    .update(canonicalJson({ bizType: b.code, format, filters, columns, timeZone, locale }))
    .digest('hex');
  return {
    format: format as ExportFormat,
    filters,
    columns,
    timeZone,
    locale,
    idempotencyKey: key,
    requestHash,
  };
}

/** The request's `timeZone`, else the biz type's `rules.timeZone`, else the installation's, else UTC. */
export function exportTimeZone(
  b: ExportBizType,
  raw: Record<string, unknown>,
  defaultTimeZone: string | null,
): string {
  return resolveTimeZone(parseTimeZone(raw.timeZone, 'timeZone'), b.rules.timeZone, defaultTimeZone);
}

/** The row scope of `rules.rowScope`: the units of the requester's subtree (ADMIN: all rows). */
export function rowScopeUnits(
  b: ExportBizType,
  user: Principal,
  unitPaths: Record<string, string>,
): string[] | null {
  if (!b.rules.rowScope || isAdmin(user)) return null;
  return user.unitId ? subtreeUnits(unitPaths)(user.unitId) : [];
}

export function exportSpec(req: ExportRequest, user: Principal, rowScope: string[] | null): ExportSpec {
  return {
    filters: req.filters,
    columns: req.columns,
    timeZone: req.timeZone,
    locale: req.locale,
    rowScope,
    requester: { id: user.id, roles: [...user.roles], unitId: user.unitId },
  };
}
