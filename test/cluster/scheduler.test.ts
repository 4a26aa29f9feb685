import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import type { DataSource } from 'typeorm';
import { servers } from '../support/servers';
import { tempMysqlDatabase } from '../support/mysql';
import {
  clusterEnv,
  eventually,
  freePort,
  startNodeProcess,
  stopNode,
  type NodeProcess,
  serviceNodes as clusterServiceNodes,
  adminToken,
} from '../support/cluster';
import { http } from '../support/embedded-node';
import { acquireMainDatabase, releaseMainDatabase } from '../../mixins/database/main-database';

const ORDERS = 30_000;

/**
 * The scheduler on three core nodes over NATS with bull on Redis: each cron tick runs once in the
 * cluster; compensation completes an export whose node was killed mid-export, and one whose job
 * Redis lost (FLUSHDB of the test's own Redis db).
 */
describe('cluster: scheduled jobs on three core nodes', async () => {
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
  let mainUrl: string;
  let db: DataSource;
  const redis = new Redis(s.url.redis);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ftc-sched-cluster-'));
  const alive = () => nodes.filter((x) => x.child.exitCode === null && x.child.signalCode === null);
  const serviceNodes = (name: string, n: number) => clusterServiceNodes(base, name, n, nodes);
  const call = (method: string, url: string, body?: unknown) =>
    http(base, method, url, { token: admin, body });
  const task = async (id: string) => (await call('GET', `/api/file-tasks/${id}`)).body;
  /** Runs compensation until the task succeeds; returns the TASK_COMPENSATED log entries of it. */
  const compensateUntilDone = async (id: string) => {
    // The wait ends on any final answer, judged after it: a refused run or a FAILED task fails at
    // once with what was seen, instead of being retried (and hidden) until the deadline.
    const seen = await eventually(
      `export ${id} completed by compensation`,
      120_000,
      async () => {
        const run = await call('POST', '/api/scheduled-tasks/compensation/run');
        if (![200, 202].includes(run.status)) return { run, task: null };
        const t = await task(id);
        return t.status === 'SUCCESS' || t.status === 'FAILED' ? { run, task: t } : null;
      },
      alive(),
    );
    assert.ok([200, 202].includes(seen.run.status), JSON.stringify(seen.run.body));
    assert.equal(seen.task?.status, 'SUCCESS', JSON.stringify(seen.task));
    return eventually('TASK_COMPENSATED logged', 20_000, async () => {
      const r = await call('GET', `/api/logs?action=TASK_COMPENSATED&targetId=${id}`);
      return r.body.items.length > 0 ? (r.body.items as { detail: { reason: string } }[]) : null;
    });
  };

  before(async () => {
    await redis.flushdb(); // the test's own db number, never FLUSHALL on a shared server
    const main = await tempMysqlDatabase(s.url.mysql, 'ftc_test_sched');
    const shop = await tempMysqlDatabase(s.url.mysql, 'ftc_test_sched_shop');
    drops = [main.drop, shop.drop];
    mainUrl = main.url;
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
        EXPORT_LEASE_SECONDS: '5',
        // The killed export node's job lock lapses in 20 s, not 60 s, and the export goes on that
        // much sooner (the kill test: 55-70 s -> 25-35 s). Not shorter: export-2 must be up and
        // compensation have claimed the export (LEASE_EXPIRED, 5 s) before the queue itself hands
        // the dead job on, or the test would see a take-over that is not compensation's.
        QUEUE_LOCK_SECONDS: '20',
        EXPORT_CHUNK_ROWS: '1000',
        EXPORT_BATCH_ROWS: '100',
        EXPORT_READ_TIMEOUT_MS: '3000',
      },
    });
    nodes.push(
      startNodeProcess('core-1', {
        ...env,
        SERVICES: 'gateway,core',
        NODE_ID: 'core-1',
        DEMO_DATA: 'true',
        DEMO_ORDERS: String(ORDERS),
      }),
      startNodeProcess('core-2', { ...env, SERVICES: 'core', NODE_ID: 'core-2' }),
      startNodeProcess('core-3', { ...env, SERVICES: 'core', NODE_ID: 'core-3' }),
    );
    await serviceNodes('scheduler', 3);
    admin = await adminToken(base);
    db = await acquireMainDatabase({ type: 'mysql', url: mainUrl });
  });

  after(async () => {
    await Promise.all(nodes.map((n) => stopNode(n)));
    await releaseMainDatabase({ type: 'mysql', url: mainUrl });
    for (const drop of drops) await drop();
    await redis.flushdb();
    redis.disconnect();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('runs every tick of a per-second cron exactly once across three core nodes', async () => {
    // expiry scoped to a biz type that does not exist: a run that does nothing, quickly.
    const on = await call('PUT', '/api/scheduled-tasks/expiry', {
      rule: { cron: '* * * * * *', bizTypes: ['no_such_type'] },
    });
    assert.equal(on.status, 200, JSON.stringify(on.body));
    const cronRuns = () =>
      db.query<{ job_id: string; node: string }[]>(
        "SELECT job_id, node FROM scheduled_task_runs WHERE name = 'expiry' AND trigger_kind = 'cron'",
      );
    // At least 6 ticks, however busy the machine (polled, not slept for).
    await eventually(
      '6 cron runs',
      60_000,
      async () => ((await cronRuns()).length >= 6 ? true : null),
      alive(),
    );
    await call('PUT', '/api/scheduled-tasks/expiry', { enabled: false });
    await new Promise((r) => setTimeout(r, 1_500));
    const rows = await cronRuns();
    const ticks = rows.map((r) => Number(r.job_id.slice(r.job_id.lastIndexOf(':') + 1)));
    assert.ok(rows.length >= 6, `only ${rows.length} runs`);
    assert.equal(new Set(ticks).size, rows.length, 'one run per tick');
    assert.ok(
      ticks.every((t) => t % 1000 === 0),
      `ticks are whole seconds: ${ticks.join(',')}`,
    );
    for (const n of nodes) assert.doesNotMatch(n.output(), /delivered twice/, n.name);
    console.log(`# ${rows.length} ticks, by node: ${JSON.stringify(rows.map((r) => r.node))}`);
  });

  it('completes an export whose export node was killed mid-export', async () => {
    // The only export node dies (SIGKILL) on its 20th chunk read, while the export is EXPORTING.
    const doomed = startNodeProcess('export-1', {
      ...env,
      SERVICES: 'export',
      NODE_ID: 'export-1',
      FTC_TEST_EXIT_AFTER_READS: '20',
    });
    nodes.push(doomed);
    await serviceNodes('exportWorker', 1);
    const r = await call('POST', '/api/exports', { bizType: 'order_export', format: 'csv' });
    assert.equal(r.status, 202, JSON.stringify(r.body));
    await doomed.exited;
    assert.equal(doomed.child.signalCode, 'SIGKILL');
    assert.equal((await task(r.body.id)).status, 'EXPORTING');
    nodes.push(startNodeProcess('export-2', { ...env, SERVICES: 'export', NODE_ID: 'export-2' }));
    await serviceNodes('exportWorker', 1);
    const logs = await compensateUntilDone(r.body.id);
    assert.deepEqual(
      logs.map((l) => l.detail.reason),
      ['LEASE_EXPIRED'],
    );
    const done = await task(r.body.id);
    assert.equal(done.export.rowCount, ORDERS);
  });

  it('re-enqueues an export whose job Redis lost, and it completes', async () => {
    await stopNode(nodes.find((n) => n.name === 'export-2')!);
    await serviceNodes('exportWorker', 0);
    const r = await call('POST', '/api/exports', { bizType: 'order_export', format: 'csv' });
    assert.equal(r.status, 202, JSON.stringify(r.body));
    await redis.flushdb();
    // The per-minute cron would race the PENDING check below; only manual runs from here on.
    const put = await call('PUT', '/api/scheduled-tasks/compensation', {
      rule: { minAgeSeconds: 1, cron: '0 0 1 1 *' },
    });
    assert.equal(put.status, 200, JSON.stringify(put.body));
    nodes.push(startNodeProcess('export-3', { ...env, SERVICES: 'export', NODE_ID: 'export-3' }));
    await serviceNodes('exportWorker', 1);
    assert.equal((await task(r.body.id)).status, 'PENDING');
    const logs = await compensateUntilDone(r.body.id);
    assert.deepEqual(
      logs.map((l) => l.detail.reason),
      ['JOB_MISSING'],
    );
  });
});
