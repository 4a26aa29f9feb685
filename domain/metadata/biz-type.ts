import { displayText } from '../shared/text';
import { validateExportColumns, type ExportColumn } from './export-column';
import { parseTimeZone } from '../shared/time-zone';
import { parseActionHandler, parseSqlHandler, SQL_IDENTIFIER, type DataHandler } from './data-handler';

import { EXPORT_FORMATS, type ExportFormat } from './export-format';
import { ValidationErrors } from '../shared/validation.errors';

export { EXPORT_FORMATS, type ExportFormat };
export type BizKind = 'FILE' | 'EXPORT';

export interface ExportRules {
  formats: ExportFormat[];
  maxRows: number;
  retentionDays: number;
  columnPermission: boolean;
  rowScope: { column: string } | null;
  /** A UTF-8 byte-order mark on csv files, for Excel; null (unset): unless the export is in English. */
  csvBom: boolean | null;
  /** Zone of datetime cells and filters when a request names none (absent in older definitions). */
  timeZone?: string | null;
  /** Exports of this biz type running at once across the cluster; null: no cap of its own. */
  maxConcurrent?: number | null;
  /** Rows one user may export of this biz type per UTC day; null: no quota. */
  dailyRowQuota?: number | null;
}

export interface FileRules {
  maxSize: number | null;
  contentTypes: string[];
  retentionDays: number | null;
}

/** The metadata aggregate (the paper's FileTaskType with ExportMapping and ExportRule). */
export type BizType =
  | {
      code: string;
      name: string;
      kind: 'EXPORT';
      dataHandler: DataHandler;
      columns: ExportColumn[];
      rules: ExportRules;
    }
  | { code: string; name: string; kind: 'FILE'; rules: FileRules };

export type ExportBizType = Extract<BizType, { kind: 'EXPORT' }>;

export const BIZ_CODE = /^[a-z][a-z0-9_]{0,63}$/;
/** 50M rows: far beyond one spreadsheet (48 sheets of xlsx) yet a bound on a runaway request. */
export const MAX_ROWS_LIMIT = 50_000_000;
const CONTENT_TYPE = /^[a-z0-9][a-z0-9!#$&^_.+-]{0,126}\/[a-z0-9*][a-z0-9!#$&^_.+-]{0,126}$/;

const bad = ValidationErrors.invalidField;

const obj = (v: unknown, field: string): Record<string, unknown> => {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw bad(field, `${field} must be an object`);
  return v as Record<string, unknown>;
};

const intIn = (v: unknown, field: string, min: number, max: number, dflt: number | null) => {
  if (v === undefined || v === null) return dflt;
  if (!Number.isSafeInteger(v) || (v as number) < min || (v as number) > max)
    throw bad(field, `${field} must be an integer from ${min} to ${max}`);
  return v as number;
};

/** A data handler parser for a type; `sql` and `action` are built in, code may register more. */
export type HandlerParser = (raw: Record<string, unknown>) => DataHandler;
const BUILT_IN: Record<string, HandlerParser> = { sql: parseSqlHandler, action: parseActionHandler };

/**
 * Validates a biz type as `PUT /api/biz-types/:code` receives it. Everything an export relies on is
 * checked here, on write: a bad mapping fails the admin's request, not a user's export hours later.
 */
export function parseBizType(
  code: string,
  raw: Record<string, unknown>,
  handlers: Record<string, HandlerParser> = {},
): BizType {
  if (!BIZ_CODE.test(code)) throw bad('code', 'code must match [a-z][a-z0-9_]{0,63}');
  const name = displayText('name', raw.name, 128);
  const rules = obj(raw.rules ?? {}, 'rules');
  if (raw.kind === 'FILE') {
    if (raw.dataHandler !== undefined || raw.columns !== undefined)
      throw bad('kind', 'a FILE biz type has no dataHandler or columns');
    const types = rules.contentTypes ?? [];
    if (
      !Array.isArray(types) ||
      types.length > 100 ||
      types.some((t) => typeof t !== 'string' || !CONTENT_TYPE.test(t))
    )
      throw bad('rules.contentTypes', 'rules.contentTypes must be a list of lower-case media types');
    return {
      code,
      name,
      kind: 'FILE',
      rules: {
        maxSize: intIn(rules.maxSize, 'rules.maxSize', 1, Number.MAX_SAFE_INTEGER, null),
        contentTypes: [...new Set(types as string[])],
        retentionDays: intIn(rules.retentionDays, 'rules.retentionDays', 1, 36_500, null),
      },
    };
  }
  if (raw.kind !== 'EXPORT') throw bad('kind', 'kind must be FILE or EXPORT');

  const h = obj(raw.dataHandler, 'dataHandler');
  // Own properties only: a type named after an Object.prototype member must not resolve.
  const own = (m: Record<string, HandlerParser>, k: string) => (Object.hasOwn(m, k) ? m[k] : undefined);
  const parse = typeof h.type === 'string' ? (own(BUILT_IN, h.type) ?? own(handlers, h.type)) : undefined;
  if (!parse) throw bad('dataHandler.type', `unknown data handler type "${String(h.type)}"`);
  const dataHandler = parse(h);
  const columns = validateExportColumns(raw.columns);

  const formats = rules.formats ?? [...EXPORT_FORMATS];
  if (
    !Array.isArray(formats) ||
    formats.length === 0 ||
    formats.some((f) => !EXPORT_FORMATS.includes(f as ExportFormat))
  )
    throw bad('rules.formats', 'rules.formats must list xlsx and/or csv');
  let rowScope: ExportRules['rowScope'] = null;
  if (rules.rowScope !== undefined && rules.rowScope !== null) {
    const col = obj(rules.rowScope, 'rules.rowScope').column;
    if (typeof col !== 'string' || !SQL_IDENTIFIER.test(col))
      throw bad('rules.rowScope.column', 'rules.rowScope.column must be a column name');
    rowScope = { column: col };
  }
  for (const flag of ['columnPermission', 'csvBom'] as const) {
    if (rules[flag] !== undefined && rules[flag] !== null && typeof rules[flag] !== 'boolean')
      throw bad(`rules.${flag}`, `rules.${flag} must be true or false`);
  }
  return {
    code,
    name,
    kind: 'EXPORT',
    dataHandler,
    columns,
    rules: {
      formats: [...new Set(formats as ExportFormat[])],
      maxRows: intIn(rules.maxRows, 'rules.maxRows', 1, MAX_ROWS_LIMIT, 5_000_000)!,
      retentionDays: intIn(rules.retentionDays, 'rules.retentionDays', 1, 36_500, 7)!,
      columnPermission: rules.columnPermission !== false,
      rowScope,
      csvBom: typeof rules.csvBom === 'boolean' ? rules.csvBom : null,
      timeZone: parseTimeZone(rules.timeZone, 'rules.timeZone'),
      maxConcurrent: intIn(rules.maxConcurrent, 'rules.maxConcurrent', 1, 1000, null),
      dailyRowQuota: intIn(rules.dailyRowQuota, 'rules.dailyRowQuota', 1, Number.MAX_SAFE_INTEGER, null),
    },
  };
}
