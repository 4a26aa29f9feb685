import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { servers } from '../support/servers';
import { tempMysqlDatabase } from '../support/mysql';
import {
  clusterEnv,
  freePort,
  startNodeProcess,
  stopNode,
  type NodeProcess,
  serviceNodes,
  adminToken,
} from '../support/cluster';
import { http } from '../support/embedded-node';
import { waitForTask } from '../support/exports';

const ORDERS = 20_000;

/**
 * Export nodes scale out: an idle export node helps read a lone export, two exporting nodes each
 * read their own (the reader policy, domain/exports/reader-choice.ts), and an export survives a
 * chunk reader that dies mid-export (SIGKILL), ending byte-identical to a clean run.
 */
describe('cluster: one export read by several export nodes over NATS', async () => {
  const s = await servers('mysql', 'redis', 'nats');
  if (s.skip) {
    it('needs MySQL, Redis and NATS', { skip: s.skip }, () => {});
    return;
  }

  const nodes: NodeProcess[] = [];
  let drops: (() => Promise<void>)[] = [];
  let env: Record<string, string>;
  let base: string;
  let admin: string;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ftc-export-cluster-'));
  const exportNodes = (n: number) => serviceNodes(base, 'exportWorker', n, nodes);
  const exportOnce = async (format: string, idempotencyKey?: string) => {
    const r = await http(base, 'POST', '/api/exports', {
      token: admin,
      body: { bizType: 'order_export', format, filters: { status: [1, 2, 3, 4, 5] }, idempotencyKey },
    });
    assert.equal(r.status, 202, JSON.stringify(r.body));
    const done = await waitForTask({ baseUrl: base }, admin, r.body.id, 120_000);
    assert.equal(done.status, 'SUCCESS', JSON.stringify(done));
    return done;
  };

  before(async () => {
    const main = await tempMysqlDatabase(s.url.mysql, 'ftc_test_xcluster');
    const shop = await tempMysqlDatabase(s.url.mysql, 'ftc_test_xcluster_shop');
    drops = [main.drop, shop.drop];
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    env = clusterEnv({
      nats: s.url.nats,
      databaseUrl: main.url,
      port,
      dataDir,
      extra: {
        SHOP_DATABASE_URL: shop.url,
        REDIS_URL: s.url.redis,
        EXPORT_CHUNK_ROWS: '1000',
        EXPORT_BATCH_ROWS: '250',
        EXPORT_READ_TIMEOUT_MS: '3000',
        // One export per node: two exports requested together run on both nodes.
        EXPORT_CONCURRENCY: '1',
      },
    });
    nodes.push(
      startNodeProcess('core', {
        ...env,
        SERVICES: 'gateway,core',
        NODE_ID: 'core-1',
        DEMO_DATA: 'true',
        DEMO_ORDERS: String(ORDERS),
      }),
      startNodeProcess('export-1', { ...env, SERVICES: 'export', NODE_ID: 'export-1' }),
      startNodeProcess('export-2', { ...env, SERVICES: 'export', NODE_ID: 'export-2' }),
    );
    await exportNodes(2);
    admin = await adminToken(base);
  });

  after(async () => {
    await Promise.all(nodes.map((n) => stopNode(n)));
    for (const drop of drops) await drop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  let reference: { sha256: string; size: number };

  it('reads the chunks of a lone export on both export nodes (the other one is idle)', async () => {
    const done = await exportOnce('csv');
    assert.equal(done.export.rowCount, ORDERS);
    const readers = done.export.manifest.readers as Record<string, number>;
    console.log(`# lone csv export: ${JSON.stringify(done.export.manifest)}`);
    assert.deepEqual(Object.keys(readers).sort(), ['export-1', 'export-2']);
    assert.ok(readers['export-1'] > 10 && readers['export-2'] > 10, JSON.stringify(readers));
    reference = done.file;
    const xlsx = await exportOnce('xlsx');
    assert.equal(xlsx.export.rowCount, ORDERS);
    console.log(`# lone xlsx export: ${JSON.stringify(xlsx.export.manifest.readers)}`);
    assert.equal(Object.keys(xlsx.export.manifest.readers).length, 2);
  });

  it('reads each export on its own node while both nodes export', async () => {
    const [a, b] = await Promise.all([exportOnce('csv', 'busy-a'), exportOnce('csv', 'busy-b')]);
    const coordinators = [a, b].map((t) => t.export.manifest.coordinator as string);
    assert.deepEqual(coordinators.sort(), ['export-1', 'export-2'], 'one export per node');
    let own = 0;
    let all = 0;
    for (const t of [a, b]) {
      assert.deepEqual([t.file.sha256, t.file.size], [reference.sha256, reference.size]);
      const readers = t.export.manifest.readers as Record<string, number>;
      console.log(`# busy export on ${String(t.export.manifest.coordinator)}: ${JSON.stringify(readers)}`);
      own += readers[t.export.manifest.coordinator as string] ?? 0;
      all += Object.values(readers).reduce((x, y) => x + y, 0);
    }
    // While both nodes export, every batch is read where it is written. Only the edges may go
    // elsewhere, as the policy means them to: before a node's first load report says the other is
    // exporting too, and once one export ended and its node is idle again (the other's tail). Round
    // robin read half of every export remotely, as does the lone export above.
    assert.ok(own >= 0.7 * all, `${own} of ${all} batches read on their coordinator's node`);
  });

  it('survives a chunk reader killed mid-export, with a byte-identical file', async () => {
    // A reader-only node that dies (SIGKILL) while serving its third batch.
    const doomed = startNodeProcess('export-3', {
      ...env,
      SERVICES: 'export',
      NODE_ID: 'export-3',
      EXPORT_CONCURRENCY: '0',
      FTC_TEST_EXIT_AFTER_READS: '3',
    });
    nodes.push(doomed);
    await exportNodes(3);
    const done = await exportOnce('csv');
    assert.notEqual(doomed.child.exitCode ?? doomed.child.signalCode, null, 'export-3 should have died');
    assert.equal(doomed.child.signalCode, 'SIGKILL');
    assert.equal(done.export.rowCount, ORDERS);
    assert.deepEqual([done.file.sha256, done.file.size], [reference.sha256, reference.size]);
    assert.ok(
      (done.export.manifest.readers['export-3'] ?? 0) >= 1,
      JSON.stringify(done.export.manifest.readers),
    );
  });
});
