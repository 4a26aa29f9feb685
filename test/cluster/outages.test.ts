import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { servers } from '../support/servers';
import { tempMysqlDatabase } from '../support/mysql';
import { ownServer, type OwnServer } from '../support/own-servers';
import {
  adminToken,
  clusterEnv,
  eventually,
  freePort,
  startNodeProcess,
  stopNode,
  type NodeProcess,
} from '../support/cluster';
import { http } from '../support/embedded-node';

const ORDERS = 3_000;
/** Longer than the old retry budget of an export (5 s + 10 s backoff, 3 attempts). */
const NATS_DOWN_MS = 25_000;

/**
 * Outages on a gateway + core + export cluster over its own NATS and Redis (the servers the test
 * stops and restarts, on spare ports; MariaDB is the shared one): readiness before the services
 * are there, a transporter outage longer than the old retry budget, and Redis restarted empty.
 */
describe('cluster: outages of NATS and Redis', async () => {
  const s = await servers('mysql');
  if (s.skip) {
    it('needs MySQL', { skip: s.skip }, () => {});
    return;
  }
  let nats: OwnServer;
  let redis: OwnServer;
  const nodes: Record<string, NodeProcess> = {};
  let drops: (() => Promise<void>)[] = [];
  let env: Record<string, string>;
  let base: string;
  let admin: string;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ftc-outages-'));
  const alive = () => Object.values(nodes).filter((n) => n.child.exitCode === null);
  const call = (method: string, url: string, body?: unknown) =>
    http(base, method, url, { token: admin, body });
  const createExports = async (n: number) => {
    const ids: string[] = [];
    for (let i = 0; i < n; i++) {
      // Distinct filters: identical in-flight requests would be merged into one task.
      const r = await call('POST', '/api/exports', {
        bizType: 'order_export',
        format: 'csv',
        filters: { createdFrom: `2000-01-${String(i + 1).padStart(2, '0')}T00:00:00Z` },
      });
      assert.equal(r.status, 202, JSON.stringify(r.body));
      ids.push(r.body.id as string);
    }
    return ids;
  };
  /** Waits until every task succeeded or one failed; a FAILED task fails the test at once. */
  const allSucceed = async (ids: string[], what: string) => {
    const tasks = await eventually(
      what,
      150_000,
      async () => {
        const seen = await Promise.all(
          ids.map(async (id) => (await call('GET', `/api/file-tasks/${id}`)).body),
        );
        return seen.every((t) => t.status === 'SUCCESS') || seen.some((t) => t.status === 'FAILED')
          ? seen
          : null;
      },
      alive(),
    );
    for (const t of tasks) assert.notEqual(t.status, 'FAILED', JSON.stringify(t));
    return tasks;
  };

  before(async () => {
    nats = await ownServer('nats', await freePort());
    redis = await ownServer('redis', await freePort());
    const main = await tempMysqlDatabase(s.url.mysql, 'ftc_test_outages');
    const shop = await tempMysqlDatabase(s.url.mysql, 'ftc_test_outages_shop');
    drops = [main.drop, shop.drop];
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    env = clusterEnv({
      nats: nats.url,
      databaseUrl: main.url,
      port,
      dataDir,
      extra: { SHOP_DATABASE_URL: shop.url, REDIS_URL: redis.url, EXPORT_CHUNK_ROWS: '1000' },
    });
  });

  after(async () => {
    await Promise.all(Object.values(nodes).map((n) => (n.child.kill('SIGCONT'), stopNode(n))));
    for (const drop of drops) await drop();
    await nats?.stop();
    await redis?.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('answers 503 (never 404) until the services it needs are there, then 200 ready', async () => {
    // Info: the route table is logged at info level, and must appear once.
    nodes.gateway = startNodeProcess('gateway', {
      ...env,
      SERVICES: 'gateway',
      NODE_ID: 'gateway-1',
      LOG_LEVEL: 'info',
    });
    const starting = await eventually(
      'the gateway listening',
      60_000,
      async () => {
        const r = await http(base, 'GET', '/api/health/ready');
        return r.status === 503 ? r.body : null;
      },
      alive(),
    );
    assert.equal(starting.status, 'starting');
    assert.ok(starting.missing.includes('directory'), JSON.stringify(starting));
    const login = await http(base, 'POST', '/api/auth/login', { body: { username: 'admin', password: 'x' } });
    assert.deepEqual([login.status, login.body.error.code], [503, 'SERVICE_UNAVAILABLE']);
    nodes.core = startNodeProcess('core', {
      ...env,
      SERVICES: 'core',
      NODE_ID: 'core-1',
      DEMO_DATA: 'true',
      DEMO_ORDERS: String(ORDERS),
    });
    nodes.export = startNodeProcess('export', { ...env, SERVICES: 'export', NODE_ID: 'export-1' });
    const seen = new Set<number>();
    await eventually(
      'ready',
      90_000,
      async () => {
        const r = await http(base, 'GET', '/api/health/ready');
        seen.add(r.status);
        return r.status === 200 ? r.body : null;
      },
      alive(),
    );
    assert.deepEqual([...seen].sort(), [200, 503]);
    assert.deepEqual((await http(base, 'GET', '/api/health/ready')).body, { status: 'ready' });
    admin = await adminToken(base);
    // Logged once, when first ready, not at every service change.
    const out = nodes.gateway.output();
    assert.equal(out.match(/ready: \d+ routes/g)?.length, 1, out.slice(-3000));
    assert.doesNotMatch(out, /Generate aliases/);
  });

  it('finishes every export after NATS was down longer than the old retry budget; 503, never 401', async () => {
    await eventually('the export node', 60_000, async () => {
      const r = await http(base, 'GET', '/api/health');
      return r.body.services.some((x: { name: string }) => x.name === 'exportWorker') ? true : null;
    });
    // The export node takes its jobs only once NATS is gone, as in a cluster whose queue holds work.
    nodes.export.child.kill('SIGSTOP');
    const ids = await createExports(4);
    await nats.stop();
    const downAt = Date.now();
    nodes.export.child.kill('SIGCONT');
    const statuses = new Map<number, number>();
    let degraded = false;
    while (Date.now() - downAt < NATS_DOWN_MS) {
      const me = await http(base, 'GET', '/api/auth/me', { token: admin });
      statuses.set(me.status, (statuses.get(me.status) ?? 0) + 1);
      if (me.status !== 200) assert.equal(me.body.error.code, 'SERVICE_UNAVAILABLE', JSON.stringify(me.body));
      const known = await http(base, 'GET', '/api/file-tasks', { token: admin });
      assert.ok([200, 503].includes(known.status), `a known route answered ${known.status}`);
      if ((await http(base, 'GET', '/api/health/ready')).body.status === 'degraded') degraded = true;
      await new Promise((r) => setTimeout(r, 500));
    }
    assert.equal(
      statuses.get(401),
      undefined,
      `statuses during the outage: ${JSON.stringify([...statuses])}`,
    );
    assert.ok((statuses.get(503) ?? 0) > 0, `statuses during the outage: ${JSON.stringify([...statuses])}`);
    assert.ok(degraded, 'readiness says degraded while the core services are unreachable');
    await nats.start();
    const done = await allSucceed(ids, 'every export SUCCESS after the outage');
    for (const t of done) {
      assert.equal(t.export.rowCount, ORDERS);
      assert.equal(t.export.attempts, 1, `outages spent no attempts: ${JSON.stringify(t.export)}`);
    }
    assert.match(nodes.export.output(), /waiting \d+ ms for an outage|outage: next try/);
  });

  it('resumes cron firings after Redis restarted empty; the next compensation firing recovers lost jobs', async () => {
    const put = await call('PUT', '/api/scheduled-tasks/compensation', {
      rule: { cron: '*/2 * * * * *', minAgeSeconds: 3 },
    });
    assert.equal(put.status, 200, JSON.stringify(put.body));
    await stopNode(nodes.export);
    await eventually('no export node', 60_000, async () => {
      const r = await http(base, 'GET', '/api/health');
      return r.body.services.some((x: { name: string }) => x.name === 'exportWorker') ? null : true;
    });
    const ids = await createExports(3);
    await redis.stop('SIGKILL'); // no persistence: every job and schedule is gone
    await new Promise((r) => setTimeout(r, 3_000));
    await redis.start();
    const backAt = Date.now();
    nodes.export2 = startNodeProcess('export-2', { ...env, SERVICES: 'export', NODE_ID: 'export-2' });
    await eventually(
      'a cron firing of compensation after Redis came back',
      60_000,
      async () => {
        const runs = await call('GET', '/api/scheduled-tasks/compensation/runs?limit=20');
        return runs.body.items.some(
          (r: { trigger: string; startedAt: string }) =>
            r.trigger === 'cron' && Date.parse(r.startedAt) > backAt,
        )
          ? true
          : null;
      },
      alive(),
    );
    await allSucceed(ids, 'the exports whose jobs Redis lost');
    for (const id of ids) {
      const log = await eventually('TASK_COMPENSATED logged', 20_000, async () => {
        const r = await call('GET', `/api/logs?action=TASK_COMPENSATED&targetId=${id}`);
        return r.body.items.length > 0 ? (r.body.items as { detail: { reason: string } }[]) : null;
      });
      assert.deepEqual(
        log.map((l) => l.detail.reason),
        ['JOB_MISSING'],
      );
    }
  });
});
