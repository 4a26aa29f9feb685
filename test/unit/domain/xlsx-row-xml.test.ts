import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { PassThrough } from 'node:stream';
import ExcelJS from 'exceljs';
import JSZip from 'jszip';
import { startsLikeFormula, type Cell } from '../../../domain/exports/cell-format';
import { mulberry32 } from '../../../domain/shared/prng';
import { columnLetters, RowXml, xmlEscape, type CellKind } from '../../../domain/exports/xlsx-row-xml';

// exceljs is the reference here: RowXml must write exactly what its streaming writer writes.
const requireExceljs = createRequire(require.resolve('exceljs'));
const exceljsUtils = requireExceljs('./lib/utils/utils') as { xmlEncode(text: string): string };
const colCache = requireExceljs('./lib/utils/col-cache') as { n2l(n: number): string };

/** The exceljs internals the reference writer feeds (as the product's xlsx writer does). */
interface Internals {
  styles: { addStyleModel(model: unknown, cellType: ExcelJS.ValueType): number };
}
interface SheetInternals {
  _rowZero: number;
  stream: { write(xml: string): unknown };
}

/** Text with what escaping and spreadsheets care about: XML specials, controls, formulas, emoji. */
const PIECES = [
  'a',
  'Zoë',
  '欧阳',
  '🎧',
  ' ',
  '<',
  '>',
  '&',
  '"',
  "'",
  '\t',
  '\n',
  '\r',
  '\x00',
  '\x07',
  '\x0b',
  '\x1f',
  '\x7f',
  '=',
  '+',
  '-',
  '@',
  '１',
  '\uff1d',
  '0.5',
  '&amp;',
];

function randomCell(next: () => number): Cell {
  const r = next();
  if (r < 0.15) return null;
  if (r < 0.25) return next() < 0.5;
  if (r < 0.5) {
    const n = next();
    if (n < 0.2) return Math.floor(next() * 2 ** 53) * (next() < 0.5 ? -1 : 1);
    if (n < 0.4) return Math.round(next() * 1e6) / 100;
    if (n < 0.5) return next() * 10 ** Math.floor(next() * 40 - 20);
    if (n < 0.55) return [0, -0, 1e21, 5e-324, Number.MAX_VALUE][Math.floor(next() * 5)];
    return 46_000 + next() * 1000; // a date serial
  }
  const length = Math.floor(next() * 8);
  let text = '';
  for (let i = 0; i < length; i++) text += PIECES[Math.floor(next() * PIECES.length)];
  return text;
}

const FORMATS: (string | undefined)[] = [
  undefined,
  '0.00',
  undefined,
  'yyyy-mm-dd hh:mm:ss',
  undefined,
  'yyyy-mm-dd',
];

/** The style objects a writer gives each kind of cell: shared, as exceljs caches ids by object. */
function styleScheme() {
  const plain = { string: {}, number: {}, boolean: {} };
  const quoted: Partial<ExcelJS.Style> = { font: { italic: true } };
  const formats = FORMATS.map((numFmt) => (numFmt === undefined ? undefined : { numFmt }));
  return {
    ofCell(column: number, cell: string | number | boolean): Partial<ExcelJS.Style> {
      if (typeof cell === 'string') return startsLikeFormula(cell) ? quoted : plain.string;
      return formats[column] ?? plain[typeof cell as 'number' | 'boolean'];
    },
    ofKind(column: number, kind: CellKind): [Partial<ExcelJS.Style>, ExcelJS.ValueType] {
      if (kind === 'string') return [plain.string, ExcelJS.ValueType.String];
      if (kind === 'quoted') return [quoted, ExcelJS.ValueType.String];
      if (kind === 'number') return [formats[column] ?? plain.number, ExcelJS.ValueType.Number];
      return [formats[column] ?? plain.boolean, ExcelJS.ValueType.Boolean];
    },
  };
}

/** A workbook through exceljs's streaming writer; the data rows by exceljs or by RowXml. */
async function workbook(rows: Cell[][], by: 'exceljs' | 'RowXml'): Promise<Record<string, string>> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  const book = new ExcelJS.stream.xlsx.WorkbookWriter({
    stream: out,
    useStyles: true,
    useSharedStrings: false,
    created: new Date(0),
    modified: new Date(0),
  } as Partial<ExcelJS.stream.xlsx.WorkbookStreamWriterOptions>);
  const sheet = book.addWorksheet('S');
  sheet.columns = FORMATS.map(() => ({ width: 12 }));
  sheet.addRow(FORMATS.map((_, i) => `H${i}`)).commit();
  const scheme = styleScheme();
  if (by === 'exceljs') {
    for (const cells of rows) {
      const row = sheet.addRow(cells);
      cells.forEach((cell, i) => {
        if (cell !== null) row.getCell(i + 1).style = scheme.ofCell(i, cell);
      });
      row.commit();
    }
  } else {
    const styles = (book as unknown as Internals).styles;
    const rowXml = new RowXml(FORMATS.length, (column, kind) =>
      styles.addStyleModel(...scheme.ofKind(column, kind)),
    );
    const internals = sheet as unknown as SheetInternals;
    for (const cells of rows) internals.stream.write(rowXml.render(internals._rowZero++, cells));
  }
  sheet.commit();
  await book.commit();
  const zip = await JSZip.loadAsync(Buffer.concat(chunks));
  const parts: Record<string, string> = {};
  for (const name of Object.keys(zip.files).sort()) parts[name] = await zip.file(name)!.async('string');
  return parts;
}

describe('xlsx row XML: what exceljs 4.4.0 writes, byte for byte', () => {
  it('random rows of text, numbers, booleans, dates and nulls: the same sheet and styles', async () => {
    for (const seed of [1, 2, 3]) {
      const next = mulberry32(seed);
      const rows = Array.from({ length: 2000 }, () => FORMATS.map(() => randomCell(next)));
      rows.push(
        FORMATS.map(() => null),
        [],
        FORMATS.map(() => ''),
        FORMATS.map(() => '=1+1'),
      );
      const reference = await workbook(rows, 'exceljs');
      const ours = await workbook(rows, 'RowXml');
      assert.deepEqual(Object.keys(ours), Object.keys(reference));
      for (const part of Object.keys(reference))
        assert.equal(ours[part], reference[part], `seed ${seed}: ${part}`);
    }
  });

  it('escapes text as exceljs does, every character below 0x80 and beyond', () => {
    const next = mulberry32(7);
    const samples = ['', 'plain', '&amp;', '<a href="x">\'</a>', '\x00\x7f\x1f end', 'a\r\nb\tc'];
    for (let c = 0; c < 0x80; c++) samples.push(String.fromCharCode(c), `x${String.fromCharCode(c)}y`);
    for (let i = 0; i < 5000; i++) {
      let text = '';
      for (let j = Math.floor(next() * 10); j > 0; j--) text += PIECES[Math.floor(next() * PIECES.length)];
      samples.push(text);
    }
    for (const text of samples)
      assert.equal(xmlEscape(text), exceljsUtils.xmlEncode(text), JSON.stringify(text));
  });

  it('column letters of every column a sheet can have', () => {
    assert.equal(columnLetters(1), 'A');
    assert.equal(columnLetters(27), 'AA');
    for (let n = 1; n <= 16_384; n++) assert.equal(columnLetters(n), colCache.n2l(n));
  });

  it('leaves out a row of nulls and asks for each column and kind style once', () => {
    const asked: string[] = [];
    const rowXml = new RowXml(3, (column, kind) => {
      asked.push(`${column}:${kind}`);
      return kind === 'number' ? 4 : 0;
    });
    assert.equal(rowXml.render(2, [null, null, null]), '');
    assert.equal(
      rowXml.render(3, ['a&b', 1.5, true]),
      '<row r="3" spans="1:3" x14ac:dyDescent="0.25"><c r="A3" t="str"><v>a&amp;b</v></c><c r="B3" s="4"><v>1.5</v></c><c r="C3" t="b"><v>1</v></c></row>',
    );
    rowXml.render(4, ['b', 2, false]);
    assert.deepEqual(asked, ['0:string', '1:number', '2:boolean']);
  });
});
