import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ServiceBroker, type Context } from 'moleculer';
import { servers } from '../support/servers';
import { tempMysqlDatabase } from '../support/mysql';
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

type Outcome = { eventId: string; requestId?: string; task: { id: string; status: string } | null };

/**
 * Business integration across processes over NATS (API.md "Notifications", "Recurring exports"):
 * three core nodes (the first also the gateway and the export node) with bull on Redis. A foreign
 * business service (its own broker on the namespace, a service account's token) emits
 * exports.requested and hears exports.succeeded with its requestId, once per requestId; an export
 * schedule firing every second makes one task per firing although every core node registers its
 * ticks.
 */
describe('cluster: event-requested and recurring exports on three core nodes', async () => {
  const s = await servers('mysql', 'redis', 'nats');
  if (s.skip) {
    it('needs MySQL, Redis and NATS', { skip: s.skip }, () => {});
    return;
  }
  let nodes: NodeProcess[] = [];
  let base = '';
  let admin = '';
  let erp: ServiceBroker;
  const heard: Outcome[] = [];
  const drops: (() => Promise<void>)[] = [];
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ftc-integration-'));
  const api = (token: string, method: string, url: string, body?: unknown) =>
    http(base, method, url, { token, body });

  before(async () => {
    const main = await tempMysqlDatabase(s.url.mysql, 'ftc_test_integ');
    const shop = await tempMysqlDatabase(s.url.mysql, 'ftc_test_integ_shop');
    drops.push(main.drop, shop.drop);
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    const env = clusterEnv({
      nats: s.url.nats,
      databaseUrl: main.url,
      port,
      dataDir,
      extra: {
        SHOP_DATABASE_URL: shop.url,
        REDIS_URL: s.url.redis,
        DEMO_ORDERS: '200',
        LOG_RELAY_INTERVAL_MS: '100',
        EXPORT_SCHEDULE_MIN_INTERVAL_SECONDS: '1',
      },
    });
    // The gateway shares core-1's process: a node start-up fewer, and the three core nodes that
    // register the schedule's ticks and hear exports.requested are still three.
    nodes = [
      // One node seeds the demo data: seeding from several at once races on its inserts.
      startNodeProcess('core-1', {
        ...env,
        SERVICES: 'gateway,core,export',
        NODE_ID: 'core-1',
        DEMO_DATA: 'true',
      }),
      startNodeProcess('core-2', { ...env, SERVICES: 'core', NODE_ID: 'core-2' }),
      startNodeProcess('core-3', { ...env, SERVICES: 'core', NODE_ID: 'core-3' }),
    ];
    erp = new ServiceBroker({
      namespace: env.NAMESPACE,
      nodeID: 'erp-1',
      transporter: s.url.nats,
      serializer: 'MsgPack',
      logger: false,
    });
    erp.createService({
      name: 'erp',
      events: { 'exports.succeeded': { handler: (ctx: Context<Outcome>) => void heard.push(ctx.params) } },
    });
    await erp.start();
    await eventually(
      'gateway listening',
      240_000,
      async () => ((await http(base, 'GET', '/api/health')).status ? true : null),
      nodes,
    );
    admin = await adminToken(base);
    await eventually(
      'three exportSchedules and exportRequests nodes',
      180_000,
      async () => {
        const list = erp.registry.getServiceList({ onlyAvailable: true, skipInternal: true });
        const n = (name: string) => list.filter((x) => x.name === name).length;
        return n('exportSchedules') === 3 &&
          n('exportRequests') === 3 &&
          n('exportWorker') === 1 &&
          n('api') === 1
          ? true
          : null;
      },
      nodes,
    );
  });

  after(async () => {
    await erp?.stop();
    await Promise.all(nodes.map((n) => stopNode(n)));
    for (const drop of drops) await drop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('answers an event-requested export of a foreign service with exports.succeeded, once per requestId', async () => {
    const grant = await api(admin, 'POST', '/api/permissions', {
      bizType: 'order_export',
      type: 'ROLE',
      subject: 'FINANCE',
      actions: ['read', 'download', 'export'],
    });
    assert.equal(grant.status, 201, JSON.stringify(grant.body));
    const sa = await api(admin, 'POST', '/api/service-accounts', {
      name: 'erp',
      roles: ['FINANCE'],
      unitId: 'u-hq',
    });
    assert.equal(sa.status, 201, JSON.stringify(sa.body));
    const request = {
      requestId: 'erp-order-1',
      token: sa.body.token,
      bizType: 'order_export',
      format: 'csv',
      filters: {},
    };
    await erp.emit('exports.requested', request);
    const done = await eventually(
      'exports.succeeded for erp-order-1',
      180_000,
      async () => heard.find((o) => o.requestId === 'erp-order-1') ?? null,
      nodes,
    );
    assert.equal(done.task!.status, 'SUCCESS');
    await erp.emit('exports.requested', request);
    // The repeat is taken by some core node and merged into the task that exists.
    await new Promise((r) => setTimeout(r, 3000));
    const mine = await api(sa.body.token, 'GET', '/api/file-tasks?kind=EXPORT');
    assert.equal(mine.status, 200, JSON.stringify(mine.body));
    assert.deepEqual(
      mine.body.items.map((t: { id: string }) => t.id),
      [done.task!.id],
      'the same requestId twice makes one task',
    );
  });

  it('makes one task per firing of a schedule although three core nodes register it', async () => {
    const created = await api(admin, 'POST', '/api/export-schedules', {
      name: 'every second',
      bizType: 'order_export',
      format: 'csv',
      filters: { createdFrom: { $relative: '-P1D', $startOf: 'day' } },
      cron: '* * * * * *',
      timeZone: 'Asia/Shanghai',
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const id = created.body.id as string;
    const since = Date.now();
    const tasks = async () => {
      const r = await api(admin, 'GET', '/api/file-tasks?kind=EXPORT&limit=200');
      return (r.body.items as { id: string; export: { scheduleId: string | null } }[]).filter(
        (t) => t.export.scheduleId === id,
      );
    };
    await eventually('four firings', 120_000, async () => ((await tasks()).length >= 4 ? true : null), nodes);
    const off = await api(admin, 'PATCH', `/api/export-schedules/${id}`, { enabled: false });
    assert.equal(off.status, 200, JSON.stringify(off.body));
    const until = Date.now();
    await new Promise((r) => setTimeout(r, 3000)); // ticks already taken finish
    const made = await tasks();
    // At most one task per whole second the schedule was enabled (and a tick in flight).
    const ticks = Math.ceil((until - since) / 1000) + 1;
    assert.ok(made.length <= ticks, `${made.length} tasks for at most ${ticks} ticks`);
    const logs = await api(admin, 'GET', `/api/logs?action=EXPORT_REQUESTED&limit=200`);
    const firings = (logs.body.items as { targetId: string; detail: { scheduleId?: string } }[]).filter(
      (e) => e.detail.scheduleId === id,
    );
    assert.equal(new Set(firings.map((e) => e.targetId)).size, firings.length, 'each task requested once');
  });
});
