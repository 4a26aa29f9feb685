import { UNSAFE } from '../shared/text';
import * as SSF from 'ssf';
import { canonicalLocale } from '../shared/locale';
import { MetadataErrors } from './metadata.errors';

/**
 * One column of an export mapping (the biz type's `columns`): where the value comes from, how it is
 * titled, typed, translated and masked in the file. Validated once when metadata is saved and again
 * when a task is planned, so the writers can trust every field.
 */
export type ColumnType = 'string' | 'integer' | 'decimal' | 'date' | 'datetime' | 'boolean';
export type MaskKind = 'phone' | 'email' | 'idcard' | 'bankcard' | 'name';

export interface ExportColumn {
  /** Source field key in the row object. */
  key: string;
  header: string;
  /** The header per locale (`{"zh-CN": "订单号", "en": "Order No"}`); `header` when none fits. */
  headers?: Record<string, string>;
  type: ColumnType;
  /** xlsx number/date format, e.g. '0.00', 'yyyy-mm-dd hh:mm:ss'. */
  format?: string;
  /** value → label */
  dict?: Record<string, string>;
  /** Dictionary labels per locale, over `dict`: `{"zh-CN": {"1": "已支付"}}`. */
  dicts?: Record<string, Record<string, string>>;
  mask?: MaskKind;
  restricted?: boolean;
  width?: number;
}

export const COLUMN_TYPES: readonly ColumnType[] = [
  'string',
  'integer',
  'decimal',
  'date',
  'datetime',
  'boolean',
];
export const MASK_KINDS: readonly MaskKind[] = ['phone', 'email', 'idcard', 'bankcard', 'name'];
export const MAX_EXPORT_COLUMNS = 200;
export const COLUMN_KEY_PATTERN = /^[a-z][a-z0-9_]{0,63}$/;
export const MAX_HEADER_LENGTH = 128;
export const MAX_FORMAT_LENGTH = 64;
export const MAX_DICT_ENTRIES = 1000;
/** Excel's own column width limit (characters). */
export const MAX_COLUMN_WIDTH = 255;

const KNOWN_FIELDS = new Set([
  'key',
  'header',
  'headers',
  'type',
  'format',
  'dict',
  'dicts',
  'mask',
  'restricted',
  'width',
]);
/** Locales one column may carry headers or dictionaries for. */
export const MAX_COLUMN_LOCALES = 20;

const fail = (field: string, message: string) => MetadataErrors.invalidExportColumns(field, message);

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Whether ssf (the engine exports render formats with) can render a format: checked on write. */
function isRenderableFormat(format: string): boolean {
  try {
    SSF.format(format, 1);
    return true;
  } catch {
    return false;
  }
}

const checkHeader = (header: unknown, field: string): string => {
  if (typeof header !== 'string' || header.trim().length === 0 || header.length > MAX_HEADER_LENGTH) {
    throw fail(field, `must be a string of 1 to ${MAX_HEADER_LENGTH} characters`);
  }
  if (UNSAFE.test(header)) throw fail(field, 'must not contain control characters');
  return header;
};

function checkDict(dict: unknown, field: string): Record<string, string> {
  if (!isPlainObject(dict)) throw fail(field, 'must be an object of value → label');
  const entries = Object.entries(dict);
  if (entries.length > MAX_DICT_ENTRIES) throw fail(field, `must have at most ${MAX_DICT_ENTRIES} entries`);
  // A null-prototype copy: a row value such as "constructor" must not find an inherited label.
  const copy = Object.create(null) as Record<string, string>;
  for (const [value, label] of entries) {
    if (typeof label !== 'string') throw fail(`${field}.${value}`, 'must be a string');
    copy[value] = label;
  }
  return copy;
}

/** `{locale: T}` with canonical language tags as keys. */
function byLocale<T>(
  raw: unknown,
  field: string,
  check: (v: unknown, field: string) => T,
): Record<string, T> {
  if (!isPlainObject(raw)) throw fail(field, 'must be an object keyed by locale, e.g. {"zh-CN": …}');
  const entries = Object.entries(raw);
  if (entries.length > MAX_COLUMN_LOCALES)
    throw fail(field, `must have at most ${MAX_COLUMN_LOCALES} locales`);
  const out: Record<string, T> = {};
  for (const [tag, v] of entries) {
    const locale = canonicalLocale(tag);
    if (locale === null) throw fail(`${field}.${tag}`, 'is not a language tag such as zh-CN or en');
    out[locale] = check(v, `${field}.${tag}`);
  }
  return out;
}

function validateColumn(raw: unknown, path: string): ExportColumn {
  if (!isPlainObject(raw)) throw fail(path, 'must be an object');
  for (const k of Object.keys(raw)) {
    if (!KNOWN_FIELDS.has(k)) throw fail(`${path}.${k}`, 'is not a known column field');
  }
  const { key, header, headers, type, format, dict, dicts, mask, restricted, width } = raw;
  if (typeof key !== 'string' || !COLUMN_KEY_PATTERN.test(key)) {
    throw fail(`${path}.key`, `must match ${String(COLUMN_KEY_PATTERN)}`);
  }
  checkHeader(header, `${path}.header`);
  if (typeof type !== 'string' || !(COLUMN_TYPES as readonly string[]).includes(type)) {
    throw fail(`${path}.type`, `must be one of ${COLUMN_TYPES.join(', ')}`);
  }
  const column: ExportColumn = { key, header: header as string, type: type as ColumnType };
  if (headers !== undefined) column.headers = byLocale(headers, `${path}.headers`, checkHeader);

  if (format !== undefined) {
    if (typeof format !== 'string' || format.length === 0 || format.length > MAX_FORMAT_LENGTH) {
      throw fail(`${path}.format`, `must be a string of 1 to ${MAX_FORMAT_LENGTH} characters`);
    }
    if (UNSAFE.test(format)) throw fail(`${path}.format`, 'must not contain control characters');
    if (!isRenderableFormat(format)) throw fail(`${path}.format`, 'is not a spreadsheet number format');
    column.format = format;
  }
  if (dict !== undefined) column.dict = checkDict(dict, `${path}.dict`);
  if (dicts !== undefined) column.dicts = byLocale(dicts, `${path}.dicts`, checkDict);
  if (mask !== undefined) {
    if (typeof mask !== 'string' || !(MASK_KINDS as readonly string[]).includes(mask)) {
      throw fail(`${path}.mask`, `must be one of ${MASK_KINDS.join(', ')}`);
    }
    column.mask = mask as MaskKind;
  }
  if (restricted !== undefined) {
    if (typeof restricted !== 'boolean') throw fail(`${path}.restricted`, 'must be a boolean');
    column.restricted = restricted;
  }
  if (width !== undefined) {
    if (typeof width !== 'number' || !Number.isFinite(width) || width <= 0 || width > MAX_COLUMN_WIDTH) {
      throw fail(`${path}.width`, `must be a number above 0 and at most ${MAX_COLUMN_WIDTH}`);
    }
    column.width = width;
  }
  return column;
}

/** Throws INVALID_EXPORT_COLUMNS with `data.field` naming the first bad path, e.g. `columns[2].type`. */
export function validateExportColumns(input: unknown): ExportColumn[] {
  if (!Array.isArray(input)) throw fail('columns', 'must be an array');
  if (input.length === 0) throw fail('columns', 'must have at least one column');
  if (input.length > MAX_EXPORT_COLUMNS)
    throw fail('columns', `must have at most ${MAX_EXPORT_COLUMNS} columns`);
  const seen = new Set<string>();
  return input.map((raw, i) => {
    const column = validateColumn(raw, `columns[${i}]`);
    if (seen.has(column.key)) throw fail(`columns[${i}].key`, `repeats the key "${column.key}"`);
    seen.add(column.key);
    return column;
  });
}
