import { compileCellText, isDateColumn } from './cell-text';
import type { Cell } from './cell-format';
import { MAX_COLUMN_WIDTH, type ExportColumn } from '../metadata/export-column';

/**
 * Column widths of an xlsx sheet, in Excel's character units, from what the column will show: its
 * header (bold: a little wider), the type's usual text (a datetime is as wide as its format), and
 * a sample of the first rows, measured as displayed. East Asian wide characters count double, as
 * they take two character cells in Excel's default fonts. An admin's `width` wins.
 */
export const MIN_WIDTH = 6;
export const MAX_AUTO_WIDTH = 60;
/** Padding for the autofilter button beside the header text. */
const FILTER_BUTTON = 2;

// Hangul, CJK, Kana, full-width forms and the CJK extensions beyond the BMP.
const WIDE =
  /[\u1100-\u115f\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua960-\ua97f\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]|[\u{20000}-\u{3fffd}]/u;

/** Character cells a text takes; the longest line of a multi-line text. */
export function displayWidth(text: string): number {
  let widest = 0;
  for (const line of text.split(/\r\n|\r|\n/)) {
    let w = 0;
    for (const ch of line) w += WIDE.test(ch) ? 2 : 1;
    if (w > widest) widest = w;
  }
  return widest;
}

/** The widest text a column type usually shows, before any row is seen. */
function typeWidth(column: ExportColumn): number {
  if (isDateColumn(column)) return displayWidth(compileCellText(column)(45_000.5)); // a sample date
  if (column.type === 'boolean') return 5;
  return 0;
}

export function columnWidths(
  columns: readonly ExportColumn[],
  headers: readonly string[],
  sample: Iterable<readonly Cell[]>,
): number[] {
  const texts = columns.map(compileCellText);
  const widths = columns.map((c, i) => Math.max(typeWidth(c), displayWidth(headers[i]) + FILTER_BUTTON));
  for (const row of sample) {
    for (let i = 0; i < columns.length; i++) {
      const cell = row[i];
      if (cell === null || cell === undefined) continue;
      const w = displayWidth(texts[i](cell));
      if (w > widths[i]) widths[i] = w;
    }
  }
  return columns.map((c, i) =>
    c.width !== undefined
      ? Math.min(c.width, MAX_COLUMN_WIDTH)
      : Math.min(MAX_AUTO_WIDTH, Math.max(MIN_WIDTH, widths[i] + 1)),
  );
}
