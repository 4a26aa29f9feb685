import type { ExportColumn, MaskKind } from '../metadata/export-column';
import { excelSerial, keepsMilliseconds } from './cell-text';
import { instantOfWallClock, UTC, wallClockConverter } from '../shared/time-zone';

/**
 * Turns source values into the cells an export file holds: one typed value per column, with
 * dictionaries, masking and formula-injection neutralisation applied. Both writers (xlsx, csv) take
 * these cells as they are, so every fidelity decision lives here and is the same for both formats.
 *
 * A date or datetime cell is a number: the Excel serial of the wall-clock time in the export's zone
 * (whole seconds unless the column's format shows fractions). The xlsx cell holds that number and
 * the csv text is the same number through the same format (cell-text.ts), so they agree exactly.
 */
export type Cell = string | number | boolean | null;

export interface CellFormatOptions {
  /** IANA zone whose wall-clock time datetime cells show (default UTC). */
  timeZone?: string;
  /**
   * Prefix text a spreadsheet would evaluate with `'` (OWASP, default true): what csv needs. The
   * xlsx writer asks for the raw text and marks such cells with Excel's quote-prefix style instead,
   * so no apostrophe is visible and editing the cell never makes it a formula.
   */
  quoteFormulas?: boolean;
}
export type RowFormatter = (row: Record<string, unknown>) => Cell[];
type ValueFormatter = (value: unknown) => Cell;
/** What text a spreadsheet would evaluate becomes: quoted (csv) or left for the writer (xlsx). */
type Guard = (text: string) => string;
const unguarded: Guard = (text) => text;

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

/** Whether a spreadsheet would evaluate this text (or treat it as a DDE payload) if it were typed in. */
export const startsLikeFormula = (text: string): boolean =>
  text.length > 0 && FORMULA_PREFIXES.has(text.charCodeAt(0));

/** Prepends `'` to text a spreadsheet would otherwise evaluate; the quote is visible but harmless. */
export function neutralizeFormula(text: string): string {
  return startsLikeFormula(text) ? `'${text}` : text;
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
function toNumber(value: unknown, guard: Guard): Cell {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return guard(String(value));
    // A double past 2^53 already lost digits upstream; text keeps what is left without rounding again.
    return Number.isInteger(value) && !Number.isSafeInteger(value) ? String(value) : value;
  }
  if (typeof value === 'bigint') {
    return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER)
      ? Number(value)
      : guard(value.toString());
  }
  if (typeof value === 'string') {
    const text = value.trim();
    if (text === '') return null;
    if (INTEGER_TEXT.test(text)) {
      const n = Number(text);
      return Number.isSafeInteger(n) ? n : guard(value);
    }
    if (DECIMAL_TEXT.test(text)) {
      const n = Number(text);
      if (Number.isFinite(n) && significantDigits(text) <= MAX_NUMBER_DIGITS) return n;
    }
    return guard(value);
  }
  return guard(toText(value));
}

// YYYY-MM-DD, optionally with a time (T or space), fraction and zone.
const DATE_TEXT =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;
const DATE_ONLY_TEXT = /^\s*\d{4}-\d{2}-\d{2}\s*$/;

/**
 * Parses ISO-8601 and 'YYYY-MM-DD HH:MM:SS'; a time without an offset is the wall-clock time in
 * `zone` (never the node's own zone: nodes may sit in different zones). Impossible dates are null.
 */
export function parseDateIn(text: string, zone: string): Date | null {
  const m = DATE_TEXT.exec(text.trim());
  if (!m) return null;
  const [, y, mo, d, h = '0', mi = '0', s = '0', frac = '', offset] = m;
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
  if (offset && offset.toUpperCase() !== 'Z') {
    const sign = offset[0] === '-' ? -1 : 1;
    const digits = offset.slice(1).replace(':', '');
    const minutes = Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2) || '0');
    if (minutes > 18 * 60) return null;
    date.setTime(date.getTime() - sign * minutes * 60_000);
  } else if (!offset && zone !== UTC) {
    const local = { year, month: month + 1, day, hour, minute, second, millisecond: ms };
    return instantOfWallClock(local, zone);
  }
  return Number.isNaN(date.getTime()) ? null : date;
}

/** parseDateIn for sources and filters that store UTC. */
export const parseUtcDate = (text: string): Date | null => parseDateIn(text, UTC);

/**
 * A date column's formatter: the value's instant in the export's zone as an Excel serial. A bare
 * calendar date ('2026-11-25' in a `date` column) is a day, not an instant, and is never shifted.
 * Dates Excel cannot show (before 1900) are written as text.
 */
function dateFormatter(
  column: ExportColumn,
  toWallClock: (ms: number) => number,
  guard: Guard,
): ValueFormatter {
  const second = keepsMilliseconds(column) ? 1 : 1000;
  const serialOf = (wall: number): Cell => {
    const truncated = Math.floor(wall / second) * second;
    return excelSerial(truncated) ?? new Date(truncated).toISOString().slice(0, 19).replace('T', ' ');
  };
  const isDay = column.type === 'date';
  return (value) => {
    if (value instanceof Date) {
      const ms = value.getTime();
      return Number.isNaN(ms) ? null : serialOf(toWallClock(ms));
    }
    if (typeof value === 'string') {
      if (value.trim() === '') return null;
      const date = parseUtcDate(value);
      if (date === null) return guard(value);
      return serialOf(isDay && DATE_ONLY_TEXT.test(value) ? date.getTime() : toWallClock(date.getTime()));
    }
    // Epoch milliseconds, what a JSON data handler usually sends for a timestamp.
    if (typeof value === 'number' && Number.isFinite(value) && !Number.isNaN(new Date(value).getTime()))
      return serialOf(toWallClock(value));
    return guard(toText(value));
  };
}

const TRUE_TEXT = new Set(['true', '1', 'yes', 'y']);
const FALSE_TEXT = new Set(['false', '0', 'no', 'n']);

function toBoolean(value: unknown, guard: Guard): Cell {
  if (typeof value === 'boolean') return value;
  if (value === 1 || value === 0) return value === 1;
  if (value === 1n || value === 0n) return value === 1n;
  if (typeof value === 'string') {
    const text = value.trim().toLowerCase();
    if (text === '') return null;
    if (TRUE_TEXT.has(text)) return true;
    if (FALSE_TEXT.has(text)) return false;
  }
  return guard(toText(value));
}

function typedFormatter(
  column: ExportColumn,
  toWallClock: (ms: number) => number,
  guard: Guard,
): ValueFormatter {
  switch (column.type) {
    case 'string':
      return (value) => guard(toText(value));
    case 'integer':
    case 'decimal':
      return (value) => toNumber(value, guard);
    case 'date':
    case 'datetime':
      return dateFormatter(column, toWallClock, guard);
    case 'boolean':
      return (value) => toBoolean(value, guard);
  }
}

/** The formatter of one column, with its dictionary, mask and zone resolved once. */
export function compileCellFormatter(column: ExportColumn, options: CellFormatOptions = {}): ValueFormatter {
  const guard = options.quoteFormulas === false ? unguarded : neutralizeFormula;
  const toWallClock = wallClockConverter(options.timeZone ?? UTC);
  const { dict, mask } = column;
  if (dict === undefined && mask === undefined) {
    const typed = typedFormatter(column, toWallClock, guard);
    return (value) => (value === null || value === undefined ? null : typed(value));
  }
  return (value) => {
    if (value === null || value === undefined) return null;
    let text = toText(value);
    // Own properties only: "constructor" or "__proto__" as a value must not find an inherited label.
    if (dict !== undefined && Object.prototype.hasOwnProperty.call(dict, text)) text = dict[text];
    if (mask !== undefined) text = maskText(mask, text);
    return guard(text);
  };
}

/** Precomputes one formatter per column; the result formats a row with no per-row lookups. */
export function compileRowFormatter(
  columns: readonly ExportColumn[],
  options: CellFormatOptions = {},
): RowFormatter {
  const keys = columns.map((c) => c.key);
  const formatters = columns.map((c) => compileCellFormatter(c, options));
  const n = keys.length;
  return (row) => {
    const cells = new Array<Cell>(n);
    for (let i = 0; i < n; i++) cells[i] = formatters[i](row[keys[i]]);
    return cells;
  };
}

/** One row, for callers that format a handful; use compileRowFormatter in a loop. */
export function formatRow(
  columns: readonly ExportColumn[],
  row: Record<string, unknown>,
  options: CellFormatOptions = {},
): Cell[] {
  return compileRowFormatter(columns, options)(row);
}
