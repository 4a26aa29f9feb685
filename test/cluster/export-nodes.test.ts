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
 * Export nodes scale out: the chunks of one export are read on every export node, and an export
 * survives a chunk reader that dies mid-export (SIGKILL), ending byte-identical to a clean run.
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
  const exportOnce = async (format: string) => {
    const r = await http(base, 'POST', '/api/exports', {
      token: admin,
      body: { bizType: 'order_export', format, filters: { status: [1, 2, 3, 4, 5] } },
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

  it('reads the chunks of one export on both export nodes', async () => {
    const done = await exportOnce('csv');
    assert.equal(done.export.rowCount, ORDERS);
    const readers = done.export.manifest.readers as Record<string, number>;
    assert.deepEqual(Object.keys(readers).sort(), ['export-1', 'export-2']);
    assert.ok(readers['export-1'] > 10 && readers['export-2'] > 10, JSON.stringify(readers));
    reference = done.file;
    const xlsx = await exportOnce('xlsx');
    assert.equal(xlsx.export.rowCount, ORDERS);
    assert.equal(Object.keys(xlsx.export.manifest.readers).length, 2);
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
