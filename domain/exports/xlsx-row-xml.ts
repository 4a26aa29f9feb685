import { startsLikeFormula, type Cell } from './cell-format';

/**
 * A worksheet data row's XML (`<row …><c …>…</c></row>`), byte for byte what exceljs 4.4.0's
 * streaming writer renders for the same cells with `useSharedStrings: false`, without its per-cell
 * objects: exceljs builds a Row, a Cell, a value object, a model and an XmlStream of attribute
 * fragments for every cell, which was the largest single cost of a 1M-row xlsx export. The style
 * ids come from the caller (exceljs's style registry), asked once per column and kind of value.
 *
 * What exceljs writes, and so what this writes:
 * - a row holding only nulls is left out (its row number is still used), a null cell too;
 * - `spans="1:<cells>"`: exceljs counts every cell of the row, nulls included;
 * - text is `t="str"` with the value in `<v>` (no shared strings, no inline strings), escaped as
 *   `xmlEscape` below; numbers as JavaScript prints them; booleans `t="b"` with 1 or 0;
 * - style id 0 (the default format) is not written.
 */

/** The kinds of value whose style a column may have, in the order of `kindOf`'s numbers. */
export const CELL_KINDS = ['string', 'quoted', 'number', 'boolean'] as const;
export type CellKind = (typeof CELL_KINDS)[number];
const STRING = 0;
const QUOTED = 1;
const NUMBER = 2;
const BOOLEAN = 3;

/** Gives the style id (0 for none) of a column's (0-based) cells of one kind. */
export type StyleIdOf = (column: number, kind: CellKind) => number;

// exceljs 4.4.0 utils.xmlEncode: the five XML specials become entities; control characters XML 1.0
// cannot carry (all below 0x20 but tab, LF and CR, and DEL) are dropped.
// eslint-disable-next-line no-control-regex -- the control characters are what it looks for
const NEEDS_ESCAPE = /[<>&'"\x7F\x00-\x08\x0B-\x0C\x0E-\x1F]/;

/** Text as exceljs 4.4.0 escapes it for an XML text node or attribute value. */
export function xmlEscape(text: string): string {
  const first = text.search(NEEDS_ESCAPE);
  if (first < 0) return text;
  let out = text.slice(0, first);
  let from = first;
  for (let i = first; i < text.length; i++) {
    let entity: string;
    switch (text.charCodeAt(i)) {
      case 34:
        entity = '&quot;';
        break;
      case 38:
        entity = '&amp;';
        break;
      case 39:
        entity = '&apos;';
        break;
      case 60:
        entity = '&lt;';
        break;
      case 62:
        entity = '&gt;';
        break;
      case 127:
        entity = '';
        break;
      default: {
        const code = text.charCodeAt(i);
        if (code <= 31 && code !== 9 && code !== 10 && code !== 13) {
          entity = '';
          break;
        }
        continue;
      }
    }
    if (from !== i) out += text.slice(from, i);
    out += entity;
    from = i + 1;
  }
  return from < text.length ? out + text.slice(from) : out;
}

/** Spreadsheet column letters of a 1-based column number: 1 → A, 27 → AA. */
export function columnLetters(column: number): string {
  let letters = '';
  for (let n = column; n > 0; n = Math.floor((n - 1) / 26)) {
    letters = String.fromCharCode(65 + ((n - 1) % 26)) + letters;
  }
  return letters;
}

/** Renders data rows of one table shape; the style ids it learns stay valid for every sheet. */
export class RowXml {
  /** `<c r="B` per column: the address's row number follows. */
  private readonly opens: string[];
  /** Per column and kind, what follows the address up to the value, or undefined until asked. */
  private readonly tails: (string | undefined)[][];

  constructor(
    columnCount: number,
    private readonly styleIdOf: StyleIdOf,
  ) {
    this.opens = Array.from({ length: columnCount }, (_, i) => `<c r="${columnLetters(i + 1)}`);
    this.tails = Array.from({ length: columnCount }, () => [undefined, undefined, undefined, undefined]);
  }

  /** The row's XML, or '' when exceljs would leave the row out (no cell but nulls). */
  render(rowNumber: number, cells: readonly Cell[]): string {
    const r = String(rowNumber);
    let xml = '';
    for (let i = 0; i < cells.length; i++) {
      const cell = cells[i];
      switch (typeof cell) {
        case 'string': {
          const kind = startsLikeFormula(cell) ? QUOTED : STRING;
          xml +=
            this.opens[i] + r + (this.tails[i][kind] ?? this.tail(i, kind)) + xmlEscape(cell) + '</v></c>';
          break;
        }
        case 'number':
          xml +=
            this.opens[i] + r + (this.tails[i][NUMBER] ?? this.tail(i, NUMBER)) + String(cell) + '</v></c>';
          break;
        case 'boolean':
          xml +=
            this.opens[i] +
            r +
            (this.tails[i][BOOLEAN] ?? this.tail(i, BOOLEAN)) +
            (cell ? '1' : '0') +
            '</v></c>';
          break;
        default: // null: exceljs writes nothing for an unstyled empty cell
      }
    }
    if (xml === '') return '';
    return `<row r="${r}" spans="1:${cells.length}" x14ac:dyDescent="0.25">${xml}</row>`;
  }

  /** Asked the first time a column meets a kind: the order exceljs registers styles in too. */
  private tail(column: number, kind: number): string {
    const id = this.styleIdOf(column, CELL_KINDS[kind]);
    const style = id ? ` s="${id}"` : '';
    const type = kind === BOOLEAN ? ' t="b"' : kind === NUMBER ? '' : ' t="str"';
    return (this.tails[column][kind] = `"${style}${type}><v>`);
  }
}
