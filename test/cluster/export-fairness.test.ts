import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { DEMO_PASSWORD } from '../../mixins/demo/demo-directory';
import { servers } from '../support/servers';
import { tempMysqlDatabase } from '../support/mysql';
import {
  adminToken,
  clusterEnv,
  eventually,
  freePort,
  serviceNodes,
  startNodeProcess,
  stopNode,
  type NodeProcess,
} from '../support/cluster';
import { http, login } from '../support/embedded-node';
import { fairnessScenario } from '../support/fairness';
import { waitForTask } from '../support/exports';

// 10 chunks of the smallest EXPORT_CHUNK_ROWS, exported as one column: the slowed chunk reads, not
// the rows or the cells, keep exports running long enough to be seen; more only costs CPU.
const ORDERS = 10_000;
const COLUMNS = ['order_no'];

/**
 * Fair turns across two export nodes over NATS, bull on Redis and MariaDB: EXPORT_USER_CONCURRENCY
 * holds across the cluster (A never has more than 2 running though 4 slots exist), B's small export
 * finishes before A's third starts, and a node killed mid-export gives its slot back with its lease.
 */
describe('cluster: fair export turns on two export nodes', async () => {
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
  let bob: string;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ftc-fair-cluster-'));
  // Chunk reads slowed (10 chunks of 1000 rows, 400 ms each): on a quiet machine an export
  // otherwise ends before the next request arrives, and no export is ever seen held by a cap.
  const exportNode = (id: string) =>
    startNodeProcess(id, {
      ...env,
      SERVICES: 'export',
      NODE_ID: id,
      EXPORT_CONCURRENCY: '2',
      FTC_TEST_CHUNK_DELAY_MS: '400',
    });

  before(async () => {
    const redis = new Redis(s.url.redis);
    await redis.flushdb(); // the test's own db number, never FLUSHALL on a shared server
    redis.disconnect();
    const main = await tempMysqlDatabase(s.url.mysql, 'ftc_test_fair');
    const shop = await tempMysqlDatabase(s.url.mysql, 'ftc_test_fair_shop');
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
        EXPORT_USER_CONCURRENCY: '2',
        EXPORT_LEASE_SECONDS: '5',
        // The killed node's job is handed out again 10-15 s after its last lock renewal, not 60-90 s.
        QUEUE_LOCK_SECONDS: '10',
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
      exportNode('export-1'),
      exportNode('export-2'),
    );
    await serviceNodes(base, 'exportWorker', 2, nodes);
    admin = await adminToken(base);
    bob = await login(base, 'bob', DEMO_PASSWORD);
    const grant = await http(base, 'POST', '/api/permissions', {
      token: admin,
      body: { bizType: 'order_export', type: 'ROLE', subject: 'SALES', actions: ['export', 'read'] },
    });
    assert.equal(grant.status, 201, JSON.stringify(grant.body));
    await eventually('demo orders', 120_000, async () => {
      const p = await http(base, 'POST', '/api/exports/preview', {
        token: admin,
        body: { bizType: 'order_export' },
      });
      return p.body?.estimatedRows === ORDERS ? true : null;
    });
  });

  after(async () => {
    await Promise.all(nodes.map((n) => stopNode(n)));
    for (const drop of drops) await drop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it("runs B's small export before A's third of four, A never above its cap of 2 of 4 slots", async () => {
    // With 4 slots B finds one free at once: A's cap, not the slots, holds A's third back.
    // Meanwhile the running exports are sampled, one list query at a time (a consistent read).
    let done = false;
    let most = 0;
    const sampler = (async () => {
      while (!done) {
        const r = await http(base, 'GET', '/api/file-tasks?status=EXPORTING&limit=100', { token: admin });
        const perUser = new Map<string, number>();
        for (const t of r.body.items as { createdBy: string }[])
          perUser.set(t.createdBy, (perUser.get(t.createdBy) ?? 0) + 1);
        most = Math.max(most, ...perUser.values());
        await new Promise((res) => setTimeout(res, 30));
      }
    })();
    try {
      await fairnessScenario(base, admin, bob, { slotsFull: false, rows: ORDERS, columns: COLUMNS });
    } finally {
      done = true;
      await sampler;
    }
    assert.equal(most, 2, 'no user ever has more than EXPORT_USER_CONCURRENCY exports running');
  });

  it("frees a killed node's slot with its lease: A's waiting export starts, the dead one is taken over", async () => {
    const full = (i: number) =>
      http(base, 'POST', '/api/exports', {
        token: admin,
        body: {
          bizType: 'order_export',
          format: 'csv',
          columns: COLUMNS,
          idempotencyKey: `dead-${i}-${Date.now()}`,
        },
      });
    const ids: string[] = [];
    for (let i = 1; i <= 3; i++) ids.push((await full(i)).body.id);
    // Two run (A's cap), the third waits for one of them, and says so once a turn has seen it.
    await eventually('two exports running, one held by the cap', 60_000, async () => {
      const ts = await Promise.all(
        ids.map((id) => http(base, 'GET', `/api/file-tasks/${id}`, { token: admin })),
      );
      const running = ts.filter((t) => t.body.status === 'EXPORTING' && t.body.export.progress.rows > 0);
      const held = ts.filter(
        (t) => t.body.status === 'PENDING' && t.body.export.waitingReason === 'USER_CONCURRENCY',
      );
      return running.length === 2 && held.length === 1 ? true : null;
    });
    // Kill export-2 outright: its exports stop renewing their leases.
    const victim = nodes.find((n) => n.name === 'export-2')!;
    victim.child.kill('SIGKILL');
    await victim.exited;
    const replacement = exportNode('export-3');
    nodes.push(replacement);
    for (const id of ids) {
      const done = await waitForTask({ baseUrl: base }, admin, id, 180_000);
      assert.equal(done.status, 'SUCCESS', JSON.stringify(done));
      assert.equal(done.export.rowCount, ORDERS);
    }
  });
});
