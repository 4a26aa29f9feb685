import { ValidationErrors } from '../shared/validation.errors';

/** Operators a `sql` filter may use; each maps to one parameterised predicate. */
export const FILTER_OPS = ['=', '!=', 'in', '>=', '>', '<=', '<', 'like'] as const;
export type FilterOp = (typeof FILTER_OPS)[number];
export const FILTER_VALUE_TYPES = ['string', 'number', 'datetime', 'boolean'] as const;
export type FilterValueType = (typeof FILTER_VALUE_TYPES)[number];

/** A whitelisted filter: the request names it by its key, never by a column. */
export interface FilterSpec {
  column: string;
  op: FilterOp;
  type: FilterValueType;
}

export interface SqlHandler {
  type: 'sql';
  /** A data source configured on the export nodes (EXPORT_SOURCES), never a connection string. */
  source: string;
  table: string;
  /** A unique, indexed, orderable column: chunks are key ranges over it (keyset, never OFFSET). */
  key: string;
  filters: Record<string, FilterSpec>;
}

export interface ActionHandler {
  type: 'action';
  /** A Moleculer action answering {rows, nextCursor} for {filters, cursor, limit, rowScope}. */
  action: string;
  filters: Record<string, Omit<FilterSpec, 'column'>>;
}

/** Further handler types registered in code carry their own validated options. */
export interface CustomHandler {
  type: string;
  [option: string]: unknown;
}

export type DataHandler = SqlHandler | ActionHandler | CustomHandler;

/** SQL identifiers are whitelisted by shape and quoted by the driver; values are always bound. */
export const SQL_IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
const FILTER_KEY = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;
const ACTION_NAME = /^[A-Za-z][A-Za-z0-9_-]*(\.[A-Za-z$][A-Za-z0-9_-]*)+$/;

const bad = ValidationErrors.invalidField;

const record = (v: unknown, field: string): Record<string, unknown> => {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw bad(field, `${field} must be an object`);
  return v as Record<string, unknown>;
};

function parseFilters(raw: unknown, withColumn: boolean): Record<string, FilterSpec> {
  const out: Record<string, FilterSpec> = {};
  const entries = Object.entries(record(raw ?? {}, 'dataHandler.filters'));
  if (entries.length > 50) throw bad('dataHandler.filters', 'at most 50 filters');
  for (const [name, spec] of entries) {
    const field = `dataHandler.filters.${name}`;
    if (!FILTER_KEY.test(name)) throw bad(field, `filter name "${name}" is not a valid key`);
    const s = record(spec, field);
    const column = withColumn ? s.column : name;
    if (typeof column !== 'string' || !SQL_IDENTIFIER.test(column))
      throw bad(`${field}.column`, `${field}.column must be a column name`);
    if (!FILTER_OPS.includes(s.op as FilterOp))
      throw bad(`${field}.op`, `${field}.op must be one of ${FILTER_OPS.join(' ')}`);
    const type = s.type ?? 'string';
    if (!FILTER_VALUE_TYPES.includes(type as FilterValueType))
      throw bad(`${field}.type`, `${field}.type must be one of ${FILTER_VALUE_TYPES.join(', ')}`);
    if (s.op === 'like' && type !== 'string') throw bad(`${field}.type`, 'a like filter takes a string');
    out[name] = { column, op: s.op as FilterOp, type: type as FilterValueType };
  }
  return out;
}

export function parseSqlHandler(raw: Record<string, unknown>): SqlHandler {
  for (const f of ['source', 'table', 'key'] as const) {
    if (typeof raw[f] !== 'string' || !SQL_IDENTIFIER.test(raw[f]))
      throw bad(`dataHandler.${f}`, `dataHandler.${f} must be an identifier`);
  }
  return {
    type: 'sql',
    source: raw.source as string,
    table: raw.table as string,
    key: raw.key as string,
    filters: parseFilters(raw.filters, true),
  };
}

export function parseActionHandler(raw: Record<string, unknown>): ActionHandler {
  if (typeof raw.action !== 'string' || raw.action.length > 128 || !ACTION_NAME.test(raw.action))
    throw bad('dataHandler.action', 'dataHandler.action must be a service.action name');
  const filters = Object.fromEntries(
    Object.entries(parseFilters(raw.filters, false)).map(([k, { op, type }]) => [k, { op, type }]),
  );
  return { type: 'action', action: raw.action, filters };
}

/** The filters a handler accepts, whatever its type. */
export function filterSpecsOf(h: DataHandler): Record<string, Omit<FilterSpec, 'column'>> {
  const f = (h as { filters?: unknown }).filters;
  return typeof f === 'object' && f !== null ? (f as Record<string, Omit<FilterSpec, 'column'>>) : {};
}
