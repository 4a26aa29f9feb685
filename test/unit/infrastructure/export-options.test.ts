import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { parse } from 'csv-parse/sync';
import { compileRowFormatter, type Cell } from '../../../domain/exports/cell-format';
import type { ExportColumn } from '../../../domain/metadata/export-column';
import { localizeColumns, wantsCsvBom } from '../../../domain/exports/localize';
import { parseTimeZone, resolveTimeZone } from '../../../domain/shared/time-zone';
import { parseFilters } from '../../../domain/exports/export-request';
import { parseBizType, type ExportBizType } from '../../../domain/metadata/biz-type';
import { DEMO_BIZ_TYPES } from '../../../mixins/demo/demo-biz-types';
import { isDomainError } from '../../../domain/shared/errors';
import {
  createTableWriter,
  type TableWriterOptions,
} from '../../../mixins/export-pipeline/writers/table-writer';
import { readXlsx } from '../../support/spreadsheet';

// Zones, locales and the workbook layout, read back with independent readers (csv-parse; jszip and
// regular expressions for xlsx) against expectations computed with Intl, not with luxon or ssf.

const COLUMNS: ExportColumn[] = [
  { key: 'id', header: 'ID', type: 'integer' },
  { key: 'at', header: 'At', headers: { 'zh-CN': '下单时间' }, type: 'datetime' },
  { key: 'note', header: 'Note', type: 'string' },
];

/** The wall-clock text of an instant in a zone, by the platform's Intl (an independent reckoning). */
function wallClock(ms: number, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(new Date(ms));
  const p = Object.fromEntries(parts.map((x) => [x.type, x.value]));
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}:${p.second}`;
}

/** An xlsx date serial as the text Excel shows for yyyy-mm-dd hh:mm:ss (serials after 1900-03-01). */
const serialText = (serial: number) =>
  new Date(Math.round((serial - 25569) * 86_400) * 1000).toISOString().slice(0, 19).replace('T', ' ');

async function write(opts: Omit<TableWriterOptions, 'out'>, rows: Cell[][]): Promise<Buffer> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  const ended = new Promise((r) => out.on('end', r));
  const writer = createTableWriter({ ...opts, out });
  for (let i = 0; i < rows.length; i += 50) await writer.write(rows.slice(i, i + 50));
  await writer.finish();
  await ended;
  return Buffer.concat(chunks);
}

/** Both files of the same instants in `zone`: csv texts and xlsx serials of the datetime column. */
async function both(instants: number[], zone: string) {
  const source = instants.map((ms, i) => ({ id: i + 1, at: new Date(ms + (i % 1000)), note: `n${i}` }));
  const csvRows = source.map(compileRowFormatter(COLUMNS, { timeZone: zone }));
  const xlsxRows = source.map(compileRowFormatter(COLUMNS, { timeZone: zone, quoteFormulas: false }));
  const csv: string[][] = parse(await write({ format: 'csv', columns: COLUMNS, csvBom: false }, csvRows));
  const book = await readXlsx(await write({ format: 'xlsx', columns: COLUMNS }, xlsxRows));
  const cells = book.sheets[0].slice(1).map((r) => r.find((c) => c.ref.startsWith('B'))!);
  return { csv: csv.slice(1).map((r) => r[1]), xlsx: cells.map((c) => Number(c.v)), book, cells };
}

describe('time zones', () => {
  // Every 37 minutes over three days around the turn of a day in Shanghai.
  const instants = Array.from(
    { length: 120 },
    (_, i) => Date.UTC(2026, 10, 23, 12) + i * 37 * 60_000 + 17_000,
  );

  it('UTC vs Asia/Shanghai: +8 h on every row, xlsx equal to csv to the second', async () => {
    const utc = await both(instants, 'UTC');
    const sh = await both(instants, 'Asia/Shanghai');
    for (let i = 0; i < instants.length; i++) {
      assert.equal(utc.csv[i], wallClock(instants[i], 'UTC'), `row ${i} UTC`);
      assert.equal(sh.csv[i], wallClock(instants[i], 'Asia/Shanghai'), `row ${i} Shanghai`);
      assert.equal(Math.round((sh.xlsx[i] - utc.xlsx[i]) * 24 * 3600), 8 * 3600, `row ${i}: +8 h`);
      assert.equal(serialText(utc.xlsx[i]), utc.csv[i], `row ${i}: xlsx = csv (UTC)`);
      assert.equal(serialText(sh.xlsx[i]), sh.csv[i], `row ${i}: xlsx = csv (Shanghai)`);
    }
    assert.equal(sh.book.formatOf(sh.cells[0].s), 'yyyy-mm-dd hh:mm:ss');
  });

  it('America/New_York across both DST transitions of 2026: the wall clock jumps and repeats', async () => {
    const spring = Array.from({ length: 40 }, (_, i) => Date.UTC(2026, 2, 8, 5) + i * 10 * 60_000);
    const autumn = Array.from({ length: 40 }, (_, i) => Date.UTC(2026, 10, 1, 4) + i * 10 * 60_000);
    const ny = await both([...spring, ...autumn], 'America/New_York');
    [...spring, ...autumn].forEach((ms, i) => {
      assert.equal(ny.csv[i], wallClock(ms, 'America/New_York'), `row ${i}`);
      assert.equal(serialText(ny.xlsx[i]), ny.csv[i], `row ${i}: xlsx = csv`);
    });
    assert.ok(ny.csv.includes('2026-03-08 01:50:00') && ny.csv.includes('2026-03-08 03:00:00'));
    assert.ok(!ny.csv.some((t) => t.startsWith('2026-03-08 02:')), 'the skipped hour never appears');
    assert.equal(ny.csv.filter((t) => t === '2026-11-01 01:30:00').length, 2, 'the repeated hour twice');
  });

  it('reads datetime filters without an offset in the zone, with one as given', () => {
    const b = parseBizType('orders', DEMO_BIZ_TYPES[0].definition) as ExportBizType;
    const f = parseFilters(
      b,
      { createdFrom: '2026-11-24 00:00:00', createdTo: '2026-11-25T00:00:00Z' },
      'Asia/Shanghai',
    );
    assert.deepEqual(f, { createdFrom: '2026-11-23T16:00:00.000Z', createdTo: '2026-11-25T00:00:00.000Z' });
    const dst = parseFilters(b, { createdFrom: '2026-07-01T00:00' }, 'America/New_York');
    assert.equal(dst.createdFrom, '2026-07-01T04:00:00.000Z');
  });

  it('resolves request, biz type, installation, then UTC; refuses what is not an IANA zone', () => {
    assert.equal(resolveTimeZone(null, 'Asia/Shanghai', 'Europe/Paris'), 'Asia/Shanghai');
    assert.equal(resolveTimeZone(null, null, null), 'UTC');
    assert.equal(parseTimeZone('asia/shanghai', 'timeZone'), 'Asia/Shanghai');
    for (const bad of ['Mars/Olympus', '+08:00', '', 8])
      assert.throws(
        () => parseTimeZone(bad, 'timeZone'),
        (e: unknown) => isDomainError(e) && e.code === 'INVALID_TIME_ZONE',
      );
  });
});

describe('locales', () => {
  const demo = (parseBizType('orders', DEMO_BIZ_TYPES[0].definition) as ExportBizType).columns;

  it('picks headers and dictionary labels per locale, then the language, then the column', () => {
    const zh = localizeColumns(demo, 'zh-CN');
    assert.equal(zh[0].header, '订单号');
    assert.equal(zh.find((c) => c.key === 'status')!.dict!['1'], '已支付');
    assert.equal(localizeColumns(demo, 'zh')[0].header, '订单号', 'the language finds zh-CN');
    assert.equal(localizeColumns(demo, 'en-GB')[0].header, 'Order No');
    assert.equal(localizeColumns(demo, 'fr')[0].header, 'Order No', 'no French: the plain header');
    assert.equal(localizeColumns(demo, null).find((c) => c.key === 'status')!.dict!['1'], 'Paid');
    assert.ok(zh.every((c) => c.headers === undefined && c.dicts === undefined));
  });

  it('csv BOM: the biz type decides when it says; otherwise every export but an English one', () => {
    assert.equal(wantsCsvBom(null, 'zh-CN'), true);
    assert.equal(wantsCsvBom(null, null), true);
    assert.equal(wantsCsvBom(null, 'en-US'), false);
    assert.equal(wantsCsvBom(false, 'zh-CN'), false);
    assert.equal(wantsCsvBom(true, 'en'), true);
  });
});

describe('a readable workbook', () => {
  it('sizes columns from type, header and values, freezes a bold header and filters every sheet', async () => {
    const columns = localizeColumns(
      [
        ...COLUMNS,
        { key: 'city', header: 'City', headers: { 'zh-CN': '收货城市（省市区）' }, type: 'string' },
        { key: 'fixed', header: 'Fixed', type: 'string', width: 33 },
      ],
      'zh-CN',
    );
    const format = compileRowFormatter(columns, { quoteFormulas: false });
    const rows = Array.from({ length: 250 }, (_, i) =>
      format({
        id: i,
        at: Date.UTC(2026, 0, 1) + i * 1000,
        note: i === 3 ? 'x'.repeat(40) : 'ok',
        city: '上海',
      }),
    );
    const book = await readXlsx(
      await write({ format: 'xlsx', columns, maxRowsPerSheet: 100, sheetName: 'Orders' }, rows),
    );
    assert.deepEqual(book.sheetNames, ['Orders', 'Orders (2)', 'Orders (3)']);
    book.layouts.forEach((layout, s) => {
      const [id, at, note, city, fixed] = layout.widths;
      assert.ok(id >= 6 && id < 10, `ID ${id}`);
      assert.ok(at >= 19, `a datetime column shows its 19 characters: ${at}`);
      assert.ok(note >= 40 && note <= 45, `the long note in the sample: ${note}`);
      assert.ok(city >= 18, `nine CJK characters are 18 cells wide: ${city}`);
      assert.equal(fixed, 33, 'the column width the admin set');
      assert.equal(layout.frozenRows, 1, `sheet ${s}: the header row is frozen`);
      const dataRows = book.sheets[s].length - 1;
      assert.equal(layout.autoFilter, `A1:E${dataRows + 1}`, `sheet ${s}: the filter covers the data`);
      assert.ok(
        book.sheets[s][0].every((c) => book.boldOf(c.s)),
        'a bold header on every sheet',
      );
      assert.equal(book.sheets[s][0][1].v, '下单时间');
    });
  });
});
