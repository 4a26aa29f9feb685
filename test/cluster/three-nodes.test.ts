import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
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

/**
 * Three brokers as separate processes (gateway, core, export node) over the real NATS, on MariaDB
 * and Redis, exactly as docker/docker-compose.yml runs them.
 */
describe('cluster: gateway + core + export node over NATS', async () => {
  const s = await servers('mysql', 'redis', 'nats');
  if (s.skip) {
    it('needs MySQL, Redis and NATS', { skip: s.skip }, () => {});
    return;
  }

  let nodes: Record<'gateway' | 'core' | 'export', NodeProcess>;
  let base: string;
  let drops: (() => Promise<void>)[] = [];
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ftc-cluster-'));

  before(async () => {
    const main = await tempMysqlDatabase(s.url.mysql, 'ftc_test_cluster');
    const shop = await tempMysqlDatabase(s.url.mysql, 'ftc_test_cluster_shop');
    drops = [main.drop, shop.drop];
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    const env = clusterEnv({
      nats: s.url.nats,
      databaseUrl: main.url,
      port,
      dataDir,
      extra: { SHOP_DATABASE_URL: shop.url, REDIS_URL: s.url.redis },
    });
    nodes = {
      gateway: startNodeProcess('gateway', { ...env, SERVICES: 'gateway', NODE_ID: 'gateway-1' }),
      core: startNodeProcess('core', { ...env, SERVICES: 'core', NODE_ID: 'core-1' }),
      export: startNodeProcess('export', { ...env, SERVICES: 'export', NODE_ID: 'export-1' }),
    };
  });

  after(async () => {
    await Promise.all(Object.values(nodes ?? {}).map((n) => stopNode(n)));
    for (const drop of drops) await drop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('lists every service on its own node in /api/health (node ids for an ADMIN only)', async () => {
    const token = await adminToken(base);
    const anonymous = await http(base, 'GET', '/api/health');
    assert.doesNotMatch(JSON.stringify(anonymous.body), /gateway-1|core-1|export-1/);
    const health = await eventually(
      'all services in /api/health',
      90_000,
      async () => {
        const r = await http(base, 'GET', '/api/health', { token });
        return r.status === 200 && r.body.status === 'ok' ? r.body : null;
      },
      Object.values(nodes),
    );
    const where = Object.fromEntries(
      health.services.map((x: { name: string; nodes: string[] }) => [x.name, x.nodes]),
    );
    assert.deepEqual(where, {
      api: ['gateway-1'],
      directory: ['core-1'],
      exports: ['core-1'],
      exportWorker: ['export-1'],
      fileTasks: ['core-1'],
      metadata: ['core-1'],
      operationLogs: ['core-1'],
      permissions: ['core-1'],
      scheduler: ['core-1'],
      shop: ['core-1'],
    });
    assert.deepEqual(health.nodes.map((n: { id: string }) => n.id).sort(), [
      'core-1',
      'export-1',
      'gateway-1',
    ]);
  });

  it('signs in through the gateway and answers /api/auth/me from the core node', async () => {
    const login = await eventually('login route', 30_000, async () => {
      const r = await http(base, 'POST', '/api/auth/login', {
        body: { username: 'admin', password: 'cluster-admin-pass' },
      });
      return r.status === 200 ? r.body : null;
    });
    const me = await http(base, 'GET', '/api/auth/me', { token: login.token });
    assert.equal(me.status, 200);
    assert.deepEqual(me.body.roles, ['ADMIN']);
    assert.equal((await http(base, 'GET', '/api/auth/me')).status, 401);
    const bad = await http(base, 'POST', '/api/auth/login', {
      body: { username: 'admin', password: 'wrong' },
    });
    assert.deepEqual([bad.status, bad.body.error.code], [401, 'INVALID_CREDENTIALS']);
  });

  it('drains in-flight requests on SIGTERM and exits 0', async () => {
    // Logins cost a slow hash on the core node: these are still in flight when the gateway is told to stop.
    const inflight = Array.from({ length: 6 }, () =>
      http(base, 'POST', '/api/auth/login', { body: { username: 'admin', password: 'cluster-admin-pass' } }),
    );
    await new Promise((r) => setTimeout(r, 30));
    const gatewayExit = stopNode(nodes.gateway);
    const results = await Promise.all(inflight);
    assert.deepEqual(
      results.map((r) => r.status),
      [200, 200, 200, 200, 200, 200],
    );
    assert.equal(await gatewayExit, 0, nodes.gateway.output().slice(-2000));
    assert.equal(await stopNode(nodes.core), 0, nodes.core.output().slice(-2000));
    assert.equal(await stopNode(nodes.export), 0, nodes.export.output().slice(-2000));
  });
});
