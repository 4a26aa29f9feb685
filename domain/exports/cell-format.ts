import type { ColumnType, ExportColumn, MaskKind } from '../metadata/export-column';

/**
 * Turns source values into the cells an export file holds: one typed value per column, with
 * dictionaries, masking and formula-injection neutralisation applied. Both writers (xlsx, csv) take
 * these cells as they are, so every fidelity decision lives here and is the same for both formats.
 */
export type Cell = string | number | boolean | Date | null;
export type RowFormatter = (row: Record<string, unknown>) => Cell[];
type ValueFormatter = (value: unknown) => Cell;

/** Significant digits a spreadsheet keeps (Excel shows and stores 15); more would silently round. */
const MAX_NUMBER_DIGITS = 15;

/**
 * OWASP CSV injection: a text cell starting with one of these is read as a formula (or a DDE
 * payload once a control character is trimmed) by Excel, LibreOffice and Google Sheets.
 */
const FORMULA_PREFIXES = new Set([
  0x3d, // =
  0x2b, // +
  0x2d, // -
  0x40, // @
  0x09, // tab
  0x0d, // carriage return
  // Full-width = + - @, which Apple Numbers normalises to the ASCII ones (csv-stringify guards them too).
  0xff1d,
  0xff0b,
  0xff0d,
  0xff20,
]);

/** Prepends `'` to text a spreadsheet would otherwise evaluate; the quote is visible but harmless. */
export function neutralizeFormula(text: string): string {
  return text.length > 0 && FORMULA_PREFIXES.has(text.charCodeAt(0)) ? `'${text}` : text;
}

function toText(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return value;
    case 'number':
    case 'bigint':
    case 'boolean':
      return String(value);
    case 'object':
      if (value instanceof Date) return Number.isNaN(value.getTime()) ? '' : value.toISOString();
      if (value instanceof Uint8Array) return new TextDecoder().decode(value);
      try {
        return JSON.stringify(value) ?? '';
      } catch {
        return ''; // a cycle or a throwing toJSON: an empty cell rather than a failed export
      }
    default:
      return String(value);
  }
}

const stars = (n: number) => (n > 0 ? '*'.repeat(n) : '');

/**
 * Keeps `head` leading and `tail` trailing characters and stars the rest, by code point so a
 * surrogate pair is never split. A value too short for both ends keeps proportionally less, so a
 * mask never reveals the whole value.
 */
function keepEnds(text: string, head: number, tail: number): string {
  const chars = Array.from(text);
  const n = chars.length;
  if (n === 0) return '';
  if (n <= head + tail) {
    const keep = Math.floor(n / 4);
    head = Math.min(head, keep);
    tail = Math.min(tail, keep);
  }
  return (
    chars.slice(0, head).join('') + stars(n - head - tail) + (tail > 0 ? chars.slice(n - tail).join('') : '')
  );
}

function maskEmail(text: string): string {
  const at = text.lastIndexOf('@');
  if (at < 0) return keepEnds(text, 1, 0);
  const local = Array.from(text.slice(0, at));
  return (local.length > 1 ? local[0] : '') + '***' + text.slice(at);
}

/** Masks the string form of a value; always a string. */
export function maskText(kind: MaskKind, text: string): string {
  switch (kind) {
    case 'phone':
      return keepEnds(text, 3, 4);
    case 'email':
      return maskEmail(text);
    case 'idcard':
      return keepEnds(text, 6, 4);
    case 'bankcard':
      return keepEnds(text, 0, 4);
    case 'name': {
      const chars = Array.from(text);
      return chars.length <= 1 ? stars(chars.length) : chars[0] + stars(chars.length - 1);
    }
  }
}

const INTEGER_TEXT = /^[+-]?\d+$/;
const DECIMAL_TEXT = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** Significant digits of a plain decimal literal (no exponent handling needed for the count). */
function significantDigits(text: string): number {
  const mantissa = text.replace(/^[+-]/, '').replace(/[eE].*$/, '');
  const digits = mantissa.replace('.', '').replace(/^0+/, '');
  // Trailing zeros after the point carry no precision; before it they do (1200 is 4 digits exact).
  const trimmed = mantissa.includes('.') ? digits.replace(/0+$/, '') : digits;
  return trimmed.length;
}

/** A number only when no digit is lost, else the value's text (kept, never thrown away). */
function toNumber(value: unknown): Cell {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return neutralizeFormula(String(value));
    // A double past 2^53 already lost digits upstream; text keeps what is left without rounding again.
    return Number.isInteger(value) && !Number.isSafeInteger(value) ? String(value) : value;
  }
  if (typeof value === 'bigint') {
    return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER)
      ? Number(value)
      : neutralizeFormula(value.toString());
  }
  if (typeof value === 'string') {
    const text = value.trim();
    if (text === '') return null;
    if (INTEGER_TEXT.test(text)) {
      const n = Number(text);
      return Number.isSafeInteger(n) ? n : neutralizeFormula(value);
    }
    if (DECIMAL_TEXT.test(text)) {
      const n = Number(text);
      if (Number.isFinite(n) && significantDigits(text) <= MAX_NUMBER_DIGITS) return n;
    }
    return neutralizeFormula(value);
  }
  return neutralizeFormula(toText(value));
}

// YYYY-MM-DD, optionally with a time (T or space), fraction and zone; no zone means UTC.
const DATE_TEXT =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

/** Parses ISO-8601 and 'YYYY-MM-DD HH:MM:SS' as UTC (never local time: nodes may sit in different zones). */
export function parseUtcDate(text: string): Date | null {
  const m = DATE_TEXT.exec(text.trim());
  if (!m) return null;
  const [, y, mo, d, h = '0', mi = '0', s = '0', frac = '', zone] = m;
  const year = Number(y);
  const month = Number(mo) - 1;
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(s);
  if (month > 11 || hour > 23 || minute > 59 || second > 59) return null;
  const ms = frac === '' ? 0 : Math.floor(Number(`0.${frac}`) * 1000);
  const date = new Date(Date.UTC(year, month, day, hour, minute, second, ms));
  date.setUTCFullYear(year); // Date.UTC maps years 0..99 to 1900..1999
  if (date.getUTCDate() !== day || date.getUTCMonth() !== month) return null; // e.g. 02-30
  if (zone && zone.toUpperCase() !== 'Z') {
    const sign = zone[0] === '-' ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    const offset = Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2) || '0');
    if (offset > 18 * 60) return null;
    date.setTime(date.getTime() - sign * offset * 60_000);
  }
  return Number.isNaN(date.getTime()) ? null : date;
}

function toDate(value: unknown): Cell {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value;
  if (typeof value === 'string') {
    if (value.trim() === '') return null;
    return parseUtcDate(value) ?? neutralizeFormula(value);
  }
  // Epoch milliseconds, what a JSON data handler usually sends for a timestamp.
  if (typeof value === 'number' && Number.isFinite(value)) {
    const date = new Date(value);
    if (!Number.isNaN(date.getTime())) return date;
  }
  return neutralizeFormula(toText(value));
}

const TRUE_TEXT = new Set(['true', '1', 'yes', 'y']);
const FALSE_TEXT = new Set(['false', '0', 'no', 'n']);

function toBoolean(value: unknown): Cell {
  if (typeof value === 'boolean') return value;
  if (value === 1 || value === 0) return value === 1;
  if (value === 1n || value === 0n) return value === 1n;
  if (typeof value === 'string') {
    const text = value.trim().toLowerCase();
    if (text === '') return null;
    if (TRUE_TEXT.has(text)) return true;
    if (FALSE_TEXT.has(text)) return false;
  }
  return neutralizeFormula(toText(value));
}

const TYPED: Record<ColumnType, ValueFormatter> = {
  string: (value) => neutralizeFormula(toText(value)),
  integer: toNumber,
  decimal: toNumber,
  date: toDate,
  datetime: toDate,
  boolean: toBoolean,
};

/** The formatter of one column, with its dictionary and mask resolved once. */
export function compileCellFormatter(column: ExportColumn): ValueFormatter {
  const { dict, mask } = column;
  if (dict === undefined && mask === undefined) {
    const typed = TYPED[column.type];
    return (value) => (value === null || value === undefined ? null : typed(value));
  }
  return (value) => {
    if (value === null || value === undefined) return null;
    let text = toText(value);
    // Own properties only: "constructor" or "__proto__" as a value must not find an inherited label.
    if (dict !== undefined && Object.prototype.hasOwnProperty.call(dict, text)) text = dict[text];
    if (mask !== undefined) text = maskText(mask, text);
    return neutralizeFormula(text);
  };
}

/** Precomputes one formatter per column; the result formats a row with no per-row lookups. */
export function compileRowFormatter(columns: readonly ExportColumn[]): RowFormatter {
  const keys = columns.map((c) => c.key);
  const formatters = columns.map(compileCellFormatter);
  const n = keys.length;
  return (row) => {
    const cells = new Array<Cell>(n);
    for (let i = 0; i < n; i++) cells[i] = formatters[i](row[keys[i]]);
    return cells;
  };
}

/** One row, for callers that format a handful; use compileRowFormatter in a loop. */
export function formatRow(columns: readonly ExportColumn[], row: Record<string, unknown>): Cell[] {
  return compileRowFormatter(columns)(row);
}
