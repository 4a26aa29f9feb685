import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { stringify } from 'csv-stringify';
import { stringify as stringifySync } from 'csv-stringify/sync';
import { parse as parseSync } from 'csv-parse/sync';
import { csvField, csvRecord } from '../../../domain/exports/csv-record';
import { compileCellText } from '../../../domain/exports/cell-text';
import { neutralizeFormula, type Cell } from '../../../domain/exports/cell-format';
import type { ExportColumn } from '../../../domain/metadata/export-column';
import { createTableWriter } from '../../../mixins/export-pipeline/writers/table-writer';
import { mulberry32 as random } from '../../../domain/shared/prng';

// Everything csv quoting cares about, and some it must leave alone.
const ALPHABET = [
  'a',
  'Z',
  '0',
  ' ',
  ',',
  '"',
  "'",
  '\r',
  '\n',
  '\t',
  ';',
  '=',
  '-',
  '\\',
  'é',
  '跑',
  '🎧',
  '\uFEFF',
];

function randomText(next: () => number): string {
  const n = Math.floor(next() * 8);
  let s = '';
  for (let i = 0; i < n; i++) s += ALPHABET[Math.floor(next() * ALPHABET.length)];
  return s;
}

/**
 * The options the csv writer gave csv-stringify until it laid records out itself, plus the quoting
 * of a lone CR or LF that `record_delimiter` had turned off.
 */
const CSV_STRINGIFY_OPTIONS = { record_delimiter: '\r\n', quoted_match: /[\r\n]/ } as const;

describe('csv records: the bytes csv-stringify writes', () => {
  it('fields and records of random text, empty and missing fields, character for character', () => {
    const next = random(4180);
    for (let r = 0; r < 20_000; r++) {
      const width = 1 + Math.floor(next() * 5);
      const fields = Array.from({ length: width }, () => {
        const k = next();
        return k < 0.05 ? null : k < 0.1 ? '' : randomText(next);
      });
      assert.equal(csvRecord(fields), stringifySync([fields], CSV_STRINGIFY_OPTIONS), JSON.stringify(fields));
    }
    for (const f of ['', 'plain', 'a,b', 'say "hi"', 'cr\r', 'lf\n', 'crlf\r\nx', '"', '""', ',,'])
      assert.equal(csvField(f) + '\r\n', stringifySync([[f]], CSV_STRINGIFY_OPTIONS), JSON.stringify(f));
  });

  it('a reader gets back every field, line breaks inside fields included', () => {
    const next = random(4181);
    const rows = Array.from({ length: 2_000 }, () =>
      Array.from({ length: 1 + Math.floor(next() * 4) }, () => randomText(next)),
    );
    rows.push(['lone lf\nhere', 'lone cr\rhere', 'crlf\r\nhere', '"q",\n']);
    const file = rows.map((r) => csvRecord(r)).join('');
    assert.deepEqual(parseSync(file, { relax_column_count: true }), rows);
    assert.equal(csvField('lf\n'), '"lf\n"');
    assert.equal(csvField('cr\r'), '"cr\r"');
  });

  it('a whole file from the csv writer equals csv-stringify stream output (BOM, header, batches)', async () => {
    const columns: ExportColumn[] = [
      { key: 'id', header: 'ID', type: 'integer' },
      { key: 'text', header: '=Text, "quoted"', type: 'string' },
      { key: 'amount', header: 'Amount', type: 'decimal', format: '#,##0.00' },
      { key: 'at', header: 'At', type: 'datetime' },
      { key: 'ok', header: 'OK', type: 'boolean' },
    ];
    const next = random(7);
    const rows: Cell[][] = Array.from({ length: 5_000 }, (_, i) => [
      i,
      next() < 0.1 ? null : neutralizeFormula(randomText(next)),
      next() < 0.1 ? null : (next() - 0.5) * 1e7,
      next() < 0.1 ? null : 46_000 + Math.floor(next() * 86_400) / 86_400,
      next() < 0.1 ? null : next() < 0.5,
    ]);
    // Records larger than the writer's 64 KB buffer, in UTF-8 and in UTF-16 units.
    rows[100][1] = `${'跑'.repeat(30_000)},"x"`;
    rows[101][1] = 'a'.repeat(70_000);
    rows[102][1] = '🎧'.repeat(20_000);

    // The writer as it was: every record through csv-stringify's stream, texts by cell-text.ts.
    const toText = columns.map(compileCellText);
    const expected = await new Promise<Buffer>((resolve, reject) => {
      const s = stringify({ bom: true, ...CSV_STRINGIFY_OPTIONS });
      const chunks: Buffer[] = [];
      s.on('data', (c: Buffer | string) => chunks.push(Buffer.from(c)));
      s.on('end', () => resolve(Buffer.concat(chunks)));
      s.on('error', reject);
      s.write(columns.map((c) => neutralizeFormula(c.header)));
      for (const cells of rows) s.write(cells.map((c, i) => (c === null ? null : toText[i](c))));
      s.end();
    });

    for (const batch of [1, 7, 1000, 5000]) {
      const out = new PassThrough();
      const chunks: Buffer[] = [];
      out.on('data', (c: Buffer) => chunks.push(c));
      const writer = createTableWriter({ format: 'csv', columns, out, csvBom: true });
      for (let i = 0; i < rows.length; i += batch) await writer.write(rows.slice(i, i + batch));
      assert.equal((await writer.finish()).rows, rows.length);
      assert.ok(Buffer.concat(chunks).equals(expected), `batches of ${batch}`);
    }
  });
});
