import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'csv-parse/sync';
import { DEMO_PASSWORD, DEMO_UNITS } from '../../mixins/demo/demo-directory';
import { ORDER_STATUS, type OrderRow } from '../../mixins/demo/order-generator';
import { http, login, startTestNode, type TestNode } from '../support/embedded-node';
import { waitForTask } from '../support/exports';
import { readXlsx, type XCell } from '../support/spreadsheet';
import * as SheetJS from 'xlsx';
import { asSystem } from '../../mixins/auth/caller-identity.middleware';

/**
 * The demo orders exported as xlsx and csv by three users, read back with independent readers
 * (for xlsx both jszip + XML and SheetJS, for csv csv-parse) and compared cell by cell with the
 * source rows mapped by rules written here from API.md and the demo biz type, not by the product's
 * formatter.
 */
const ALL = [
  'order_no',
  'created_at',
  'paid_at',
  'status',
  'buyer_name',
  'buyer_phone',
  'amount',
  'currency',
  'item_count',
  'sku',
  'product_name',
  'shipping_city',
  'unit_id',
  'remark',
];
const RESTRICTED = ['buyer_name', 'buyer_phone', 'amount'];

type Expect =
  { kind: 'text'; text: string } | { kind: 'number'; n: number } | { kind: 'date'; ms: number } | null;

const chars = (s: string) => Array.from(s);
const neutral = (s: string) => (/^[=+\-@\t\r]/.test(s) ? `'${s}` : s);

/** What a cell must hold for source row `o`, column `key`. */
function expected(o: OrderRow, key: string): Expect {
  const text = (t: string): Expect => ({ kind: 'text', text: t });
  switch (key) {
    case 'created_at':
    case 'paid_at': {
      const v = o[key];
      // Whole seconds: what Excel shows and the csv says, the same second in both.
      return v === null ? null : { kind: 'date', ms: Math.floor(Date.parse(v) / 1000) * 1000 };
    }
    case 'status':
      return text(ORDER_STATUS[o.status]);
    case 'buyer_name': {
      const c = chars(o.buyer_name);
      return text(c[0] + '*'.repeat(c.length - 1));
    }
    case 'buyer_phone': {
      const p = o.buyer_phone;
      return text(p.slice(0, 3) + '*'.repeat(p.length - 7) + p.slice(-4));
    }
    case 'amount':
      return { kind: 'number', n: Number(o.amount) };
    case 'item_count':
      return { kind: 'number', n: o.item_count };
    case 'remark':
      return o.remark === null || o.remark === '' ? null : text(neutral(o.remark));
    default:
      return text(neutral(String(o[key as keyof OrderRow])));
  }
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');
const csvDate = (ms: number) => {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
};

/** The text a reader shows for a cell: the csv field, and what a spreadsheet displays in xlsx. */
function shownText(e: Expect, key: string): string {
  if (e === null) return '';
  if (e.kind === 'text') return e.text;
  if (e.kind === 'date') return csvDate(e.ms);
  return key === 'amount' ? e.n.toFixed(2) : String(e.n);
}

function checkCsv(bytes: Buffer, rows: OrderRow[], columns: string[], where: string) {
  const records: string[][] = parse(bytes, { bom: true, relax_column_count: false });
  assert.equal(records.length, rows.length + 1, `${where}: row count`);
  assert.equal(records[0].length, columns.length, `${where}: header width`);
  rows.forEach((o, i) => {
    columns.forEach((key, c) => {
      const e = expected(o, key);
      assert.equal(records[i + 1][c], shownText(e, key), `${where} row ${i + 1} ${key}`);
    });
  });
}

/**
 * The same xlsx as a spreadsheet application reads it (SheetJS): every cell's type, its value,
 * and the text it displays through the cell's own number format, which must be what the csv says
 * (but the quote prefix, which xlsx keeps in the style, not in the text).
 */
function checkXlsxSheetJs(bytes: Buffer, rows: OrderRow[], columns: string[], where: string) {
  const book = SheetJS.read(bytes, { type: 'buffer', cellNF: true, cellFormula: true });
  // Each sheet starts with the header row (a rollover repeats it); the data rows follow.
  const body = book.SheetNames.flatMap((name) => {
    const sheet = book.Sheets[name];
    const range = SheetJS.utils.decode_range(sheet['!ref'] ?? 'A1');
    const out: (SheetJS.CellObject | undefined)[][] = [];
    for (let r = range.s.r + 1; r <= range.e.r; r++)
      out.push(columns.map((_, c) => sheet[SheetJS.utils.encode_cell({ r, c })]));
    return out;
  });
  assert.equal(body.length, rows.length, `${where}: SheetJS row count`);
  rows.forEach((o, i) => {
    columns.forEach((key, c) => {
      const e = expected(o, key);
      const cell = body[i][c];
      const msg = `${where} SheetJS row ${i + 2} ${key}`;
      if (e === null) return assert.ok(cell === undefined || cell.v === undefined || cell.v === '', msg);
      assert.ok(cell, msg);
      assert.equal(cell.f, undefined, `${msg}: no formula`);
      if (e.kind === 'text') {
        assert.equal(cell.t, 's', `${msg}: text cell`);
        const quoted = /^'[=+\-@\t\r]/.test(e.text);
        const raw = quoted ? e.text.slice(1) : e.text;
        // SheetJS keeps a raw CR where a conforming XML parser (Excel's) reads LF: compare as Excel.
        assert.equal(String(cell.v).replace(/\r\n?/g, '\n'), raw.replace(/\r\n?/g, '\n'), msg);
      } else {
        assert.equal(cell.t, 'n', `${msg}: number cell`);
        if (e.kind === 'number') assert.equal(cell.v, e.n, msg);
        else assert.ok(Math.abs(Number(cell.v) - (25569 + e.ms / 86_400_000)) < 1e-7, msg);
        // Displayed as the csv shows it: the date to the second, the amount to the cent.
        assert.equal(
          SheetJS.utils.format_cell(cell),
          shownText(e, key),
          `${msg}: shown text (format ${String(cell.z)})`,
        );
      }
    });
  });
}

async function checkXlsx(bytes: Buffer, rows: OrderRow[], columns: string[], where: string) {
  checkXlsxSheetJs(bytes, rows, columns, where);
  const book = await readXlsx(bytes); // fails on any formula
  const sheet = book.sheets.flat();
  assert.equal(sheet.length, rows.length + 1, `${where}: row count`);
  const at = (row: XCell[], c: number) =>
    row.find((x) => x.ref.replace(/\d+$/, '') === String.fromCharCode(65 + c));
  rows.forEach((o, i) => {
    const row = sheet[i + 1];
    columns.forEach((key, c) => {
      const e = expected(o, key);
      const cell = at(row, c);
      const msg = `${where} row ${i + 1} ${key}`;
      if (e === null) return assert.ok(cell === undefined || cell.v === undefined || cell.v === '', msg);
      assert.ok(cell, msg);
      if (e.kind === 'text') {
        assert.ok(cell.t === 'str' || cell.t === 'inlineStr', `${msg}: text cell, got t=${cell.t}`);
        // No visible apostrophe in xlsx: the text itself, quote-prefixed when a spreadsheet would
        // evaluate it. XML turns a raw CR into LF for every reader (XML 1.0 §2.11).
        const quoted = /^'[=+\-@\t\r]/.test(e.text); // what neutral() made of formula-like text
        const raw = quoted ? e.text.slice(1) : e.text;
        assert.equal(cell.v, raw.replace(/\r\n?/g, '\n'), msg);
        assert.equal(book.quotePrefixOf(cell.s), quoted, `${msg}: quote prefix`);
      } else if (e.kind === 'number') {
        assert.equal(cell.t, undefined, `${msg}: number cell`);
        assert.equal(Number(cell.v), e.n, msg);
      } else {
        assert.equal(cell.t, undefined, `${msg}: date serial`);
        assert.ok(Math.abs(Number(cell.v) - (25569 + e.ms / 86_400_000)) < 1e-7, msg);
        assert.match(book.formatOf(cell.s) ?? '', /yyyy/, `${msg}: a date format`);
      }
    });
  });
}

describe('export fidelity: every cell of the demo orders, read back independently', () => {
  let node: TestNode;
  const tokens: Record<string, string> = {};
  let orders: OrderRow[];
  const call = (method: string, url: string, opts?: Parameters<typeof http>[3]) =>
    http(node.baseUrl, method, url, opts);

  before(async () => {
    node = await startTestNode({ DEMO_ORDERS: '2000', EXPORT_CHUNK_ROWS: '1000', EXPORT_BATCH_ROWS: '300' });
    tokens.admin = await login(node.baseUrl, 'admin', 'admin');
    for (const u of ['alice', 'bob', 'carol']) tokens[u] = await login(node.baseUrl, u, DEMO_PASSWORD);
    const grants = [
      { bizType: 'order_export', type: 'ROLE', subject: 'FINANCE', actions: ['export'], columns: ['amount'] },
      {
        bizType: 'order_export',
        type: 'UNIT',
        subject: 'u-east',
        actions: ['export'],
        columns: ['buyer_phone', 'buyer_name'],
      },
    ];
    for (const body of grants)
      assert.equal((await call('POST', '/api/permissions', { token: tokens.admin, body })).status, 201);
    orders = (
      await node.broker.call<{ rows: OrderRow[] }, unknown>('shop.orders', { limit: 10_000 }, asSystem())
    ).rows;
    assert.equal(orders.length, 2000);
    assert.ok(
      orders.some((o) => o.remark !== null && /^[=+\-@\t\r]/.test(o.remark)),
      'dangerous remarks in the data',
    );
    assert.ok(
      orders.every((o) => o.order_no.length > 15),
      'order numbers too long for a spreadsheet number',
    );
  });
  after(() => node.stop());

  // Row scope: the units of each user's subtree (API.md), from the demo tree.
  const subtree = (root: string) => {
    const out = new Set([root]);
    for (let grew = true; grew;) {
      grew = false;
      for (const u of DEMO_UNITS)
        if (u.parentId && out.has(u.parentId) && !out.has(u.id)) grew = out.add(u.id).size > 0;
    }
    return out;
  };
  const cases = [
    { user: 'admin', columns: ALL, units: null },
    {
      user: 'alice',
      columns: ALL.filter((k) => !RESTRICTED.includes(k) || k === 'amount'),
      units: subtree('u-hq'),
    },
    { user: 'bob', columns: ALL.filter((k) => k !== 'amount'), units: subtree('u-east') },
    { user: 'carol', columns: ALL.filter((k) => k !== 'amount'), units: subtree('u-east-sh') },
  ];

  for (const c of cases)
    for (const format of ['csv', 'xlsx'] as const)
      it(`${c.user}: ${format} holds exactly the visible rows and columns, every cell as expected`, async () => {
        const r = await call('POST', '/api/exports', {
          token: tokens[c.user],
          body: { bizType: 'order_export', format },
        });
        assert.equal(r.status, 202, JSON.stringify(r.body));
        const done = await waitForTask(node, tokens[c.user], r.body.id);
        assert.equal(done.status, 'SUCCESS', JSON.stringify(done));
        assert.deepEqual(done.export.columns, c.columns);
        const rows = orders.filter((o) => c.units === null || c.units.has(o.unit_id));
        assert.ok(rows.length > 0);
        assert.equal(done.export.rowCount, rows.length);
        const link = await call('GET', `/api/file-tasks/${r.body.id}/download-url`, {
          token: tokens[c.user],
        });
        const res = await fetch(link.body.url);
        assert.equal(res.status, 200);
        const bytes = Buffer.from(await res.arrayBuffer());
        assert.equal(bytes.length, done.file.size);
        if (format === 'csv') checkCsv(bytes, rows, c.columns, `${c.user} csv`);
        else await checkXlsx(bytes, rows, c.columns, `${c.user} xlsx`);
        // The manifest records what was written and for whom.
        assert.deepEqual(
          done.export.manifest.columns.map((x: { key: string }) => x.key),
          c.columns,
        );
        assert.equal(done.export.manifest.sha256, done.file.sha256);
      });

  it('admin: csv and xlsx in Asia/Shanghai and zh-CN: +8 h on every row, equal to the second, Chinese headers', async () => {
    const get = async (format: string, extra: Record<string, unknown>) => {
      const r = await call('POST', '/api/exports', {
        token: tokens.admin,
        body: { bizType: 'order_export', format, ...extra },
      });
      assert.equal(r.status, 202, JSON.stringify(r.body));
      const done = await waitForTask(node, tokens.admin, r.body.id);
      assert.equal(done.status, 'SUCCESS', JSON.stringify(done));
      const link = await call('GET', `/api/file-tasks/${r.body.id}/download-url`, { token: tokens.admin });
      return { done, bytes: Buffer.from(await (await fetch(link.body.url)).arrayBuffer()) };
    };
    const zh = { timeZone: 'Asia/Shanghai', locale: 'zh-CN' };
    const sh = await get('csv', zh);
    assert.equal(sh.done.export.timeZone, 'Asia/Shanghai');
    assert.equal(sh.done.export.locale, 'zh-CN');
    assert.deepEqual(
      [sh.done.export.manifest.timeZone, sh.done.export.manifest.locale],
      ['Asia/Shanghai', 'zh-CN'],
    );
    assert.deepEqual([...sh.bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'a BOM for zh-CN');
    const records: string[][] = parse(sh.bytes, { bom: true });
    assert.deepEqual(records[0].slice(0, 4), ['订单号', '下单时间', '支付时间', '状态']);
    const statusZh: Record<number, string> = {
      1: '已支付',
      2: '已发货',
      3: '已签收',
      4: '已退款',
      5: '已取消',
    };
    const book = await readXlsx((await get('xlsx', zh)).bytes);
    const sheet = book.sheets.flat();
    orders.forEach((o, i) => {
      const second = Math.floor(Date.parse(o.created_at) / 1000) * 1000;
      assert.equal(records[i + 1][1], csvDate(second + 8 * 3_600_000), `row ${i + 1}: +8 h`);
      assert.equal(records[i + 1][3], statusZh[o.status]);
      const cell = sheet[i + 1].find((c) => c.ref.startsWith('B'))!;
      const shown = csvDate(Math.round((Number(cell.v) - 25569) * 86_400) * 1000);
      assert.equal(shown, records[i + 1][1], `row ${i + 1}: xlsx = csv to the second`);
    });
    assert.equal(sheet[0][0].v, '订单号');
  });

  it('previews: the rows and columns a user would get, in their language, and maxRows up front', async () => {
    const bob = await call('POST', '/api/exports/preview', {
      token: tokens.bob,
      body: { bizType: 'order_export', filters: { status: [1, 2] }, locale: 'zh-CN' },
    });
    assert.equal(bob.status, 200, JSON.stringify(bob.body));
    const east = subtree('u-east');
    const want = orders.filter((o) => east.has(o.unit_id) && [1, 2].includes(o.status)).length;
    assert.equal(bob.body.estimatedRows, want, 'exact on SQL: the row scope and filters applied');
    assert.equal(bob.body.withinMaxRows, true);
    assert.deepEqual(
      bob.body.columns.map((c: { key: string }) => c.key),
      ALL.filter((k) => k !== 'amount'),
    );
    assert.equal(bob.body.columns[0].header, '订单号');
    const bad = await call('POST', '/api/exports/preview', {
      token: tokens.bob,
      body: { bizType: 'order_export', filters: { nope: 1 } },
    });
    assert.equal(bad.status, 400);
    // A biz type capped below the matching rows says so before anything is queued.
    const def = (await call('GET', '/api/biz-types/order_export', { token: tokens.admin })).body;
    const { version: _v, updatedAt: _u, code: _c, ...body } = def;
    const put = await call('PUT', '/api/biz-types/order_preview_capped', {
      token: tokens.admin,
      body: { ...body, rules: { ...body.rules, maxRows: 10 } },
    });
    assert.equal(put.status, 201, JSON.stringify(put.body));
    const capped = await call('POST', '/api/exports/preview', {
      token: tokens.admin,
      body: { bizType: 'order_preview_capped' },
    });
    assert.equal(capped.status, 200, JSON.stringify(capped.body));
    assert.deepEqual([capped.body.estimatedRows, capped.body.withinMaxRows], [orders.length, false]);
    assert.match(capped.body.message, /more than the 10/);
  });
});
