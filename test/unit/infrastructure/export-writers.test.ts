import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough, Writable } from 'node:stream';
import { parse } from 'csv-parse/sync';
import { compileRowFormatter, type Cell } from '../../../domain/exports/cell-format';
import type { ExportColumn } from '../../../domain/metadata/export-column';
import { DANGEROUS_REMARKS } from '../../../mixins/demo/order-generator';
import { isDomainError } from '../../../domain/shared/errors';
import {
  createTableWriter,
  type TableWriterOptions,
} from '../../../mixins/export-pipeline/writers/table-writer';
import { readXlsx, type XCell } from '../../support/spreadsheet';

// Read back with independent readers: csv-parse for csv; jszip plus a few regular expressions over
// the sheet XML for xlsx (never exceljs, which would forgive its own mistakes).

const COLUMNS: ExportColumn[] = [
  { key: 'id', header: 'ID', type: 'integer' },
  { key: 'order_no', header: 'Order No', type: 'string' },
  { key: 'buyer_name', header: 'Buyer', type: 'string' },
  { key: 'buyer_phone', header: 'Phone', type: 'string', mask: 'phone' },
  { key: 'amount', header: 'Amount', type: 'decimal', format: '0.00' },
  { key: 'created_at', header: 'Created At', type: 'datetime' },
  { key: 'paid_on', header: 'Paid On', type: 'date' },
  { key: 'gift', header: 'Gift', type: 'boolean' },
  { key: 'status', header: 'Status', type: 'integer', dict: { '1': 'Paid', '2': '=Shipped' } },
  { key: 'remark', header: '=Remark', type: 'string' },
];

const REMARKS = [
  ...DANGEROUS_REMARKS,
  'He said "hi", then left',
  'a,b;c',
  'line one\nline two',
  'crlf\r\nx',
  '🎧 Headphone stand / 跑步鞋 Zoë',
  '<tag> & "quotes" \'apos\'',
  '',
  null,
];

const source = (i: number) => ({
  id: i + 1,
  order_no: `2026112400000000${String(i).padStart(3, '0')}`,
  buyer_name: i % 2 ? '欧阳娜娜' : "Sean O'Brien",
  buyer_phone: `138${String(12341234 + i)}`,
  amount: i % 3 === 0 ? `-${i}.5` : `${i * 1000}.25`,
  created_at: `2026-11-24 10:${String(i % 60).padStart(2, '0')}:00`,
  paid_on: i % 4 === 0 ? null : '2026-11-25',
  gift: i % 2 === 0,
  status: (i % 3) + 1,
  remark: REMARKS[i % REMARKS.length],
});
const format = compileRowFormatter(COLUMNS);
const ROWS: Cell[][] = Array.from({ length: REMARKS.length * 2 }, (_, i) => format(source(i)));
// What xlsx exports get: formula-like text left as it is, for the writer's quote-prefix style.
const formatRaw = compileRowFormatter(COLUMNS, { quoteFormulas: false });
const XROWS: Cell[][] = Array.from({ length: REMARKS.length * 2 }, (_, i) => formatRaw(source(i)));

function collect(out: PassThrough): Promise<Buffer> {
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  return new Promise((resolve, reject) => {
    out.on('end', () => resolve(Buffer.concat(chunks)));
    out.on('error', reject);
  });
}

async function writeFile(
  opts: Omit<TableWriterOptions, 'out'>,
  rows: readonly Cell[][],
  batch = 7,
): Promise<{ bytes: Buffer; rows: number }> {
  const out = new PassThrough();
  const bytes = collect(out);
  const writer = createTableWriter({ ...opts, out });
  for (let i = 0; i < rows.length; i += batch) await writer.write(rows.slice(i, i + batch));
  const done = await writer.finish();
  return { bytes: await bytes, rows: done.rows };
}

// ---- a minimal xlsx reader -------------------------------------------------------------------

const colIndex = (ref: string) => ref.charCodeAt(0) - 65; // fewer than 27 columns here

/** A row of cells as (type, text) by column, undefined where no cell was written. */
const byColumn = (row: XCell[], width: number) => {
  const out: (XCell | undefined)[] = new Array(width).fill(undefined);
  for (const c of row) out[colIndex(c.ref)] = c;
  return out;
};

const excelSerial = (d: Date) => 25569 + d.getTime() / 86_400_000;

describe('csv writer', () => {
  it('round-trips tricky cells through an independent parser (RFC 4180, BOM)', async () => {
    const { bytes, rows } = await writeFile({ format: 'csv', columns: COLUMNS, csvBom: true }, ROWS);
    assert.equal(rows, ROWS.length);
    assert.deepEqual([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf]);
    const records: string[][] = parse(bytes, { bom: true, relax_column_count: false });
    assert.equal(records.length, ROWS.length + 1);
    assert.deepEqual(records[0], [
      'ID',
      'Order No',
      'Buyer',
      'Phone',
      'Amount',
      'Created At',
      'Paid On',
      'Gift',
      'Status',
      "'=Remark",
    ]);
    for (let i = 0; i < ROWS.length; i++) {
      const src = source(i);
      const r = records[i + 1];
      assert.equal(r[0], String(i + 1));
      assert.equal(r[1], src.order_no, 'long order numbers stay as written');
      assert.equal(r[2], src.buyer_name);
      assert.match(r[3], /^138\*{4}\d{4}$/);
      assert.equal(r[4], Number(src.amount).toFixed(2));
      assert.equal(r[5], src.created_at, 'the default datetime format, as xlsx shows it');
      assert.equal(r[6], src.paid_on ?? '');
      assert.equal(r[7], String(src.gift));
      assert.equal(r[8], src.status === 1 ? 'Paid' : src.status === 2 ? "'=Shipped" : '3');
      const remark = src.remark;
      const expected = remark === null ? '' : /^[=+\-@\t\r]/.test(remark) ? `'${remark}` : remark;
      assert.equal(r[9], expected, JSON.stringify(remark));
    }
    // Every injection prefix reached the file quoted-neutralised, never bare at a field start.
    for (const p of ['=', '+', '-', '@', '\t', '\r']) {
      assert.ok(
        records.some((r) => r[9].startsWith(`'${p}`)),
        JSON.stringify(p),
      );
      assert.ok(!records.some((r) => r.some((f) => f.startsWith(p) && !/^-\d/.test(f))), JSON.stringify(p));
    }
  });

  it('writes no BOM unless asked, CRLF records, and a header-only file for no rows', async () => {
    const { bytes, rows } = await writeFile({ format: 'csv', columns: COLUMNS }, []);
    assert.equal(rows, 0);
    assert.equal(
      bytes.toString('utf8'),
      `ID,Order No,Buyer,Phone,Amount,Created At,Paid On,Gift,Status,'=Remark\r\n`,
    );
  });
});

describe('xlsx writer', () => {
  it('round-trips typed cells: numbers and dates typed, long ids and injections as text, no formulas', async () => {
    const { bytes, rows } = await writeFile({ format: 'xlsx', columns: COLUMNS, sheetName: 'Orders' }, XROWS);
    assert.equal(rows, XROWS.length);
    const book = await readXlsx(bytes);
    assert.deepEqual(book.sheetNames, ['Orders']);
    const [sheet] = book.sheets;
    assert.equal(sheet.length, ROWS.length + 1);
    const header = byColumn(sheet[0], COLUMNS.length);
    assert.deepEqual(
      header.map((c) => c?.v),
      ['ID', 'Order No', 'Buyer', 'Phone', 'Amount', 'Created At', 'Paid On', 'Gift', 'Status', '=Remark'],
    );
    assert.ok(header.every((c) => c?.t === 'str' || c?.t === 'inlineStr'));
    assert.ok(
      header.every((c) => book.boldOf(c?.s)),
      'a bold header',
    );
    assert.ok(book.quotePrefixOf(header[9]?.s), 'a formula-like header is quote-prefixed');
    assert.ok(!book.quotePrefixOf(header[0]?.s));
    for (let i = 0; i < ROWS.length; i++) {
      const src = source(i);
      const [id, orderNo, buyer, phone, amount, created, paid, gift, status, remark] = byColumn(
        sheet[i + 1],
        COLUMNS.length,
      );
      assert.equal(id?.t, undefined, 'a number cell');
      assert.equal(Number(id?.v), i + 1);
      assert.equal(orderNo?.t, 'str');
      assert.equal(orderNo?.v, src.order_no);
      assert.equal(buyer?.v, src.buyer_name);
      assert.match(phone?.v ?? '', /^138\*{4}\d{4}$/);
      assert.equal(amount?.t, undefined);
      assert.equal(Number(amount?.v), Number(src.amount), 'negative decimals stay numbers');
      assert.equal(book.formatOf(amount?.s), '0.00');
      assert.equal(created?.t, undefined);
      assert.ok(
        Math.abs(Number(created?.v) - excelSerial(new Date(`${src.created_at.replace(' ', 'T')}Z`))) < 1e-9,
      );
      assert.equal(book.formatOf(created?.s), 'yyyy-mm-dd hh:mm:ss');
      if (src.paid_on === null) assert.equal(paid, undefined);
      else {
        assert.equal(Number(paid?.v), excelSerial(new Date(`${src.paid_on}T00:00:00Z`)));
        assert.equal(book.formatOf(paid?.s), 'yyyy-mm-dd');
      }
      assert.equal(gift?.t, 'b');
      assert.equal(gift?.v, src.gift ? '1' : '0');
      assert.equal(status?.v, src.status === 1 ? 'Paid' : src.status === 2 ? '=Shipped' : '3');
      assert.equal(book.quotePrefixOf(status?.s), src.status === 2);
      const r = src.remark;
      if (r === null) assert.equal(remark, undefined);
      else {
        // No visible apostrophe: the text as it is, a typed string, quote-prefixed when it looks
        // like a formula (exceljs writes CR raw, so an XML reader, Excel included, reads LF).
        assert.equal(remark?.t, 'str');
        assert.equal(remark?.v, r.replace(/\r\n?/g, '\n'), JSON.stringify(r));
        assert.equal(book.quotePrefixOf(remark?.s), /^[=+\-@\t\r]/.test(r), JSON.stringify(r));
      }
    }
  });

  it('is byte-identical for the same input and createdAt, however the rows are batched', async () => {
    const createdAt = new Date('2026-11-24T08:00:00Z');
    const many = Array.from({ length: 3000 }, (_, i) => format(source(i)));
    const a = await writeFile({ format: 'xlsx', columns: COLUMNS, createdAt }, many, 1000);
    await new Promise((r) => setTimeout(r, 1100)); // a different wall-clock second
    const b = await writeFile({ format: 'xlsx', columns: COLUMNS, createdAt }, many, 37);
    assert.ok(a.bytes.equals(b.bytes), 'same bytes');
    const c = await writeFile(
      { format: 'xlsx', columns: COLUMNS, createdAt: new Date('2026-11-25T08:00:00Z') },
      many,
    );
    assert.ok(!a.bytes.equals(c.bytes), 'the date is in the file');
    const book = await readXlsx(a.bytes);
    for (const name of Object.keys(book.zip.files)) {
      assert.equal(book.zip.files[name].date.toISOString(), '2026-11-24T08:00:00.000Z', name);
    }
    assert.match(
      await book.zip.file('docProps/core.xml')!.async('string'),
      /<dcterms:created[^>]*>2026-11-24T08:00:00Z</,
    );
    const csvA = await writeFile({ format: 'csv', columns: COLUMNS }, many, 1000);
    const csvB = await writeFile({ format: 'csv', columns: COLUMNS }, many, 3);
    assert.ok(csvA.bytes.equals(csvB.bytes));
  });

  it('rolls over to a new sheet with the header repeated', async () => {
    const five = ROWS.slice(0, 5);
    const { bytes, rows } = await writeFile(
      { format: 'xlsx', columns: COLUMNS, maxRowsPerSheet: 2 },
      five,
      1,
    );
    assert.equal(rows, 5);
    const book = await readXlsx(bytes);
    assert.deepEqual(book.sheetNames, ['Sheet1', 'Sheet2', 'Sheet3']);
    assert.deepEqual(
      book.sheets.map((s) => s.length),
      [3, 3, 2],
    );
    for (const sheet of book.sheets) assert.equal(sheet[0][1].v, 'Order No');
    const ids = book.sheets.flatMap((s) => s.slice(1).map((r) => Number(r[0].v)));
    assert.deepEqual(ids, [1, 2, 3, 4, 5]);
  });
});

describe('both writers', () => {
  for (const fmt of ['xlsx', 'csv'] as const) {
    it(`${fmt}: abort destroys the output and closes the writer`, async () => {
      const out = new PassThrough();
      out.resume();
      const writer = createTableWriter({ format: fmt, columns: COLUMNS, out });
      await writer.write(ROWS);
      const cause = new Error('cancelled');
      const errors: Error[] = [];
      out.on('error', (e: Error) => errors.push(e));
      await writer.abort(cause);
      assert.equal(out.destroyed, true);
      await new Promise((r) => setImmediate(r));
      assert.deepEqual(errors, [cause]);
      await assert.rejects(
        writer.write(ROWS),
        (e: unknown) => isDomainError(e) && e.code === 'EXPORT_WRITER_CLOSED',
      );
      await assert.rejects(
        writer.finish(),
        (e: unknown) => isDomainError(e) && e.code === 'EXPORT_WRITER_CLOSED',
      );
      await writer.abort(); // idempotent
    });

    it(`${fmt}: a failing output rejects a waiting write instead of hanging`, async () => {
      const out = new PassThrough({ highWaterMark: 1024 }); // never read: fills at once
      const writer = createTableWriter({ format: fmt, columns: COLUMNS, out });
      const many = Array.from({ length: 20_000 }, (_, i) => format(source(i)));
      const pending = writer.write(many);
      setTimeout(() => out.destroy(new Error('upload failed')), 50);
      await assert.rejects(pending, /upload failed/);
      await writer.abort();
    });

    it(`${fmt}: a stalled output stops the writer pulling rows (backpressure)`, async () => {
      const held: (() => void)[] = [];
      let stalled = true;
      let received = 0;
      const sink = new Writable({
        highWaterMark: 16 * 1024,
        write(chunk: Buffer, _enc, done) {
          received += chunk.length;
          if (stalled) held.push(done);
          else setImmediate(done);
        },
      });
      const writer = createTableWriter({ format: fmt, columns: COLUMNS, out: sink });
      const total = 200_000;
      let pulled = 0;
      const rows = {
        *[Symbol.iterator]() {
          for (let i = 0; i < total; i++) {
            pulled += 1;
            yield format(source(i));
          }
        },
      } as unknown as Cell[][];
      let resolved = false;
      const done = writer.write(rows).then(() => (resolved = true));
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(resolved, false, 'write waits for the stalled output');
      // What the stream buffers hold (xlsx: ~16–20k rows of this very compressible XML), not the lot.
      assert.ok(pulled < 50_000, `pulled ${pulled} of ${total} rows while stalled`);
      const receivedWhileStalled = received;
      stalled = false;
      for (const release of held.splice(0)) release();
      await done;
      assert.equal(pulled, total);
      const { rows: written } = await writer.finish();
      assert.equal(written, total);
      assert.ok(received > receivedWhileStalled * 10);
    });
  }

  it('rejects an unknown format', () => {
    assert.throws(
      () => createTableWriter({ format: 'pdf' as 'csv', columns: COLUMNS, out: new PassThrough() }),
      (e: unknown) => isDomainError(e) && e.code === 'INVALID_EXPORT_FORMAT',
    );
  });
});
