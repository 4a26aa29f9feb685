import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { DataSource } from 'typeorm';
import { loadAppConfig, type DatabaseConfig } from '../../mixins/config/app-config';
import { dropMysqlDatabase } from '../../mixins/database/mysql-admin';
import { openShopDatabase } from '../../mixins/shop/shop-database';
import { resetOrders, seedOrders } from '../../mixins/shop/order-seeder';
import { countOrders, minMaxId, readOrders, type OrderFilters } from '../../mixins/shop/order-reader';
import { generateOrders, type OrderRow } from '../../mixins/demo/order-generator';
import { isDomainError } from '../../domain/shared/errors';
import { servers } from '../support/servers';

const N = 10_000;
const EXPECTED = generateOrders(1, N);

const hash = (rows: OrderRow[]) => {
  const h = crypto.createHash('sha256');
  for (const r of rows) h.update(JSON.stringify(r)).update('\n');
  return h.digest('hex');
};

/** Every row of a key range, by keyset batches, checking the cursor contract on the way. */
async function readAll(
  ds: DataSource,
  filters: OrderFilters = {},
  limit = 777,
  range: { afterId: number; toId?: number } = { afterId: 0 },
): Promise<OrderRow[]> {
  const rows: OrderRow[] = [];
  let cursor: number | null = range.afterId;
  while (cursor !== null) {
    const page = await readOrders(ds, { afterId: cursor, toId: range.toId, limit, filters });
    assert.ok(page.rows.length <= limit);
    if (page.nextCursor !== null) assert.equal(page.nextCursor, page.rows[page.rows.length - 1]?.id);
    rows.push(...page.rows);
    cursor = page.nextCursor;
  }
  return rows;
}

const matches = (r: OrderRow, f: OrderFilters) =>
  (f.status === undefined || f.status.includes(r.status)) &&
  (f.unitIds === undefined || f.unitIds.includes(r.unit_id)) &&
  (f.createdFrom === undefined || r.created_at >= new Date(f.createdFrom).toISOString()) &&
  (f.createdTo === undefined || r.created_at < new Date(f.createdTo).toISOString());

const FILTERS: OrderFilters[] = [
  { status: [1, 4] },
  { unitIds: ['u-east-sh', 'u-south-gz'], status: [3] },
  // One bound as text, one as a Date: the service passes either.
  { createdFrom: EXPECTED[1_999].created_at, createdTo: new Date(EXPECTED[6_000].created_at) },
  { status: [2], unitIds: ['u-east-hz'], createdFrom: '2025-01-01T00:00:00Z' },
];

/** The same checks on both engines: the shop must read back identical data from either. */
function shopSuite(
  engine: string,
  makeConfig: () => Promise<{ config: DatabaseConfig; cleanup: () => Promise<void> }>,
) {
  describe(`shop seed on ${engine}`, () => {
    let config: DatabaseConfig;
    let cleanup: () => Promise<void>;
    let ds: DataSource;

    before(async () => {
      ({ config, cleanup } = await makeConfig());
      ds = await openShopDatabase(config);
    });
    after(async () => {
      if (ds?.isInitialized) await ds.destroy();
      await cleanup?.();
    });

    it(`seeds ${N.toLocaleString('en')} orders exactly as the generator makes them`, async (t) => {
      const progress: number[] = [];
      const started = Date.now();
      const result = await seedOrders(ds, {
        orders: N,
        batchSize: 1_000,
        onProgress: (done, total) => {
          assert.equal(total, N);
          progress.push(done);
        },
      });
      const ms = Date.now() - started;
      t.diagnostic(`${engine}: ${N} rows in ${ms} ms (${Math.round(N / (ms / 1000))} rows/s)`);
      assert.deepEqual(result, { inserted: N, total: N, aborted: false });
      assert.deepEqual(
        progress,
        Array.from({ length: 10 }, (_, i) => (i + 1) * 1_000),
      );
      assert.equal(await countOrders(ds), N);
      assert.deepEqual(await minMaxId(ds), { min: 1, max: N });
      const rows = await readAll(ds, {}, 1_000);
      assert.deepEqual(rows.slice(0, 50), EXPECTED.slice(0, 50));
      assert.equal(hash(rows), hash(EXPECTED));
    });

    it('does nothing when already seeded, and reopening does not migrate again', async () => {
      assert.deepEqual(await seedOrders(ds, { orders: N }), { inserted: 0, total: N, aborted: false });
      assert.deepEqual(await seedOrders(ds, { orders: 10 }), { inserted: 0, total: N, aborted: false });
      const again = await openShopDatabase(config);
      try {
        const migrations = await again.query<{ name: string }[]>('SELECT name FROM migrations');
        assert.deepEqual(
          migrations.map((m) => m.name),
          ['ShopOrders1764000000101'],
        );
      } finally {
        await again.destroy();
      }
    });

    it('resumes an interrupted seed to the same rows as a one-shot seed', async () => {
      await resetOrders(ds);
      assert.equal(await countOrders(ds), 0);
      const abort = new AbortController();
      const partial = await seedOrders(ds, {
        orders: N,
        batchSize: 1_500,
        signal: abort.signal,
        onProgress: (done) => {
          if (done >= 4_500) abort.abort();
        },
      });
      assert.deepEqual(partial, { inserted: 4_500, total: 4_500, aborted: true });
      assert.equal(await countOrders(ds), 4_500);
      const rest = await seedOrders(ds, { orders: N, batchSize: 2_000 });
      assert.deepEqual(rest, { inserted: N - 4_500, total: N, aborted: false });
      assert.equal(hash(await readAll(ds)), hash(EXPECTED));
    });

    it('lets concurrent seeders share the work without duplicates', async () => {
      await resetOrders(ds);
      // On MySQL a second DataSource stands for a second node; SQLite has one process.
      const other = engine === 'mysql' ? await openShopDatabase(config) : ds;
      try {
        const results = await Promise.all([
          seedOrders(ds, { orders: N, batchSize: 700 }),
          seedOrders(other, { orders: N, batchSize: 900 }),
        ]);
        assert.equal(results[0].inserted + results[1].inserted, N);
        assert.equal(await countOrders(ds), N);
        assert.equal(hash(await readAll(ds)), hash(EXPECTED));
      } finally {
        if (other !== ds) await other.destroy();
      }
    });

    it('pages every matching row exactly once, in id order, under each filter', async () => {
      for (const filters of FILTERS) {
        const expected = EXPECTED.filter((r) => matches(r, filters));
        assert.ok(expected.length > 0, `filter ${JSON.stringify(filters)} selects something`);
        const rows = await readAll(ds, filters);
        assert.deepEqual(
          rows.map((r) => r.id),
          expected.map((r) => r.id),
          JSON.stringify(filters),
        );
        assert.equal(hash(rows), hash(expected));
        assert.equal(await countOrders(ds, filters), expected.length);
        assert.deepEqual(await minMaxId(ds, filters), {
          min: expected[0].id,
          max: expected[expected.length - 1].id,
        });
      }
    });

    it('reads key-range chunks that tile the table', async () => {
      const filters: OrderFilters = { status: [3, 5] };
      const bounds = [0, 2_500, 2_501, 7_777, N];
      const chunks: OrderRow[] = [];
      for (let i = 0; i < bounds.length - 1; i++) {
        chunks.push(...(await readAll(ds, filters, 500, { afterId: bounds[i], toId: bounds[i + 1] })));
      }
      assert.equal(hash(chunks), hash(EXPECTED.filter((r) => matches(r, filters))));
    });

    it('matches nothing for an empty list and rejects malformed input', async () => {
      for (const filters of [{ unitIds: [] }, { status: [] }] as OrderFilters[]) {
        assert.deepEqual(await readOrders(ds, { afterId: 0, limit: 10, filters }), {
          rows: [],
          nextCursor: null,
        });
        assert.equal(await countOrders(ds, filters), 0);
        assert.equal(await minMaxId(ds, filters), null);
      }
      const bad = (e: unknown) => isDomainError(e) && e.kind === 'VALIDATION';
      await assert.rejects(readOrders(ds, { afterId: 0, limit: 0 }), bad);
      await assert.rejects(readOrders(ds, { afterId: 0, limit: 10_001 }), bad);
      await assert.rejects(readOrders(ds, { afterId: -1, limit: 10 }), bad);
      await assert.rejects(
        readOrders(ds, { afterId: 0, limit: 10, filters: { createdFrom: 'not a date' } }),
        bad,
      );
      // A hostile value is only ever a bound parameter.
      const sneaky = await readOrders(ds, { afterId: 0, limit: 10, filters: { unitIds: ["x' OR '1'='1"] } });
      assert.deepEqual(sneaky.rows, []);
    });
  });
}

shopSuite('sqlite', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ftc-shop-'));
  const config = loadAppConfig({ DATA_DIR: dir }).shopDatabase;
  assert.deepEqual(config, { type: 'sqlite', file: path.join(dir, 'shop.sqlite') });
  return { config, cleanup: async () => fs.rmSync(dir, { recursive: true, force: true }) };
});

describe('mysql', async () => {
  const s = await servers('mysql');
  if (s.skip) {
    it('shop seed on mysql', { skip: s.skip }, () => undefined);
    return;
  }
  shopSuite('mysql', async () => {
    // Not created here: openShopDatabase must create a missing database itself.
    const u = new URL(s.url.mysql);
    u.pathname = `/ftc_test_shop_${crypto.randomBytes(4).toString('hex')}`;
    const url = u.toString();
    return { config: { type: 'mysql', url }, cleanup: () => dropMysqlDatabase(url) };
  });
});
