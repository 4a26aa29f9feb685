import * as SSF from 'ssf';
import type { ExportColumn } from '../metadata/export-column';

/**
 * One formatting rule for both file formats: the number format a column carries in xlsx is the
 * format its csv text is rendered with, by SheetJS's ECMA-376 format engine (ssf), which rounds and
 * lays out dates and numbers as Excel displays them. So the csv text of a cell is what Excel shows
 * for the same cell of the xlsx file, to the second.
 */
const DEFAULT_FORMATS: Partial<Record<ExportColumn['type'], string>> = {
  date: 'yyyy-mm-dd',
  datetime: 'yyyy-mm-dd hh:mm:ss',
};

/** The number format of a number or date column (undefined: General, or a text column). */
export function columnFormat(column: ExportColumn): string | undefined {
  switch (column.type) {
    case 'integer':
    case 'decimal':
    case 'date':
    case 'datetime':
      return column.format ?? DEFAULT_FORMATS[column.type];
    default:
      return undefined;
  }
}

export const isDateColumn = (column: ExportColumn): boolean =>
  column.type === 'date' || column.type === 'datetime';

/** Whether the column's format shows fractions of a second (`ss.0`, `ss.000`); else cells hold whole seconds. */
export const keepsMilliseconds = (column: ExportColumn): boolean => /s\.0/i.test(columnFormat(column) ?? '');

const DAY_MS = 86_400_000;
/** Days from Excel's day 0 (1899-12-30 in its 1900 date system) to the Unix epoch. */
const UNIX_EPOCH_SERIAL = 25_569;
/** The first serial after Excel's fictitious 1900-02-29 (serial 60, kept for Lotus 1-2-3). */
const MARCH_1900 = 61;

/**
 * The Excel serial of a wall-clock time (milliseconds whose UTC fields are the local ones); null
 * before 1900-01-01, which Excel cannot show as a date.
 */
export function excelSerial(wallMs: number): number | null {
  const serial = wallMs / DAY_MS + UNIX_EPOCH_SERIAL;
  if (serial >= MARCH_1900) return serial;
  return serial - 1 >= 1 ? serial - 1 : null;
}

type CellText = (cell: string | number | boolean) => string;

const TWO_DIGITS = Array.from({ length: 60 }, (_, i) => String(i).padStart(2, '0'));
/** Serials Excel shows as dates (ssf's limit: 9999-12-31); below 61 lie 1900's quirks. */
const LAST_SERIAL = 2_958_465;

/**
 * `yyyy-mm-dd` and `yyyy-mm-dd hh:mm:ss` (the default date formats, most date columns' format) for
 * serials of whole seconds, without ssf's general date engine: a 1M-row csv export spent ~8 % of
 * its CPU in ssf laying out dates. The text is ssf's, to the character (test/unit/domain/cell-text
 * compares them over many values); anything else (fractions of a second, before March 1900,
 * another format) goes to ssf.
 */
function fastDateText(format: string): ((serial: number) => string | null) | null {
  const withTime = format === 'yyyy-mm-dd hh:mm:ss';
  if (!withTime && format !== 'yyyy-mm-dd') return null;
  // A day's text is built once: an export's dates fall on comparatively few days.
  const days = new Map<number, string>();
  return (serial) => {
    if (!(serial >= MARCH_1900 && serial <= LAST_SERIAL)) return null;
    const exact = serial * 86_400;
    const seconds = Math.round(exact);
    // Whole seconds only (datetime cells hold them unless the format shows fractions): then ssf's
    // own rounding cannot move the text.
    if (Math.abs(exact - seconds) > 1e-4) return null;
    const day = Math.floor(seconds / 86_400);
    let text = days.get(day);
    if (text === undefined) {
      // Serial day 61 onwards counts from 1899-12-30 (the fictitious 1900-02-29 is serial 60).
      text = new Date((day - UNIX_EPOCH_SERIAL) * DAY_MS).toISOString().slice(0, 10);
      if (days.size >= 4096) days.clear();
      days.set(day, text);
    }
    if (!withTime) return text;
    const s = seconds - day * 86_400;
    const h = Math.floor(s / 3600);
    const m = Math.floor((s % 3600) / 60);
    return `${text} ${TWO_DIGITS[h]}:${TWO_DIGITS[m]}:${TWO_DIGITS[s % 60]}`;
  };
}

/**
 * `0.00` (any number of zero decimals) as ssf writes it: `Math.round(v × 10^d) / 10^d` printed
 * and padded with zeros; ssf's `rnd` and padding are exactly this. Beyond ±1e15 ssf's path is kept.
 */
function fastFixedText(format: string): ((n: number) => string | null) | null {
  const m = /^0\.(0{1,9})$/.exec(format);
  if (!m) return null;
  const d = m[1].length;
  const scale = 10 ** d;
  return (n) => {
    if (!(Math.abs(n) < 1e15)) return null;
    const t = String(Math.round(n * scale) / scale);
    const dot = t.indexOf('.');
    if (dot === -1) return `${t}.${m[1]}`;
    const have = t.length - dot - 1;
    return have >= d ? t : t + m[1].slice(have);
  };
}

/** The text of a non-null cell of this column, as Excel would display it. */
export function compileCellText(column: ExportColumn): CellText {
  const format = columnFormat(column);
  // General in ssf rounds to 11 digits; a number shown without a format keeps all of its digits.
  const fast =
    format === undefined ? null : isDateColumn(column) ? fastDateText(format) : fastFixedText(format);
  const ofNumber =
    format === undefined || format === 'General'
      ? String
      : fast
        ? (n: number) => fast(n) ?? SSF.format(format, n)
        : (n: number) => SSF.format(format, n);
  return (cell) => {
    switch (typeof cell) {
      case 'string':
        return cell;
      case 'number':
        return ofNumber(cell);
      default:
        return cell ? 'true' : 'false';
    }
  };
}
