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

/** The text of a non-null cell of this column, as Excel would display it. */
export function compileCellText(column: ExportColumn): CellText {
  const format = columnFormat(column);
  // General in ssf rounds to 11 digits; a number shown without a format keeps all of its digits.
  const ofNumber =
    format === undefined || format === 'General' ? String : (n: number) => SSF.format(format, n);
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
