import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { servers } from '../support/servers';
import { tempMysqlDatabase } from '../support/mysql';
import {
  clusterEnv,
  eventually,
  freePort,
  startNodeProcess,
  stopNode,
  type NodeProcess,
} from '../support/cluster';
import { http } from '../support/embedded-node';
import { FileTask } from '../../domain/file-tasks/file-task';
import { acquireMainDatabase, releaseMainDatabase } from '../../mixins/database/main-database';
import { FileTaskRepository } from '../../mixins/file-tasks/file-task.repository';

/**
 * Two core nodes, each with its OWN memory cache of grants (CACHER=memory): only the broadcast
 * that every permissions service cleans on can make a grant or revocation visible on both.
 */
/**
 * How long a change may take to reach every node: the trust suite's bound for revocations. The
 * waits below end as soon as both nodes answer the new way (the broadcast landed), so this bounds a
 * failure, not the run time; a wall-clock threshold tighter than it would only measure the load
 * of the machine running the suite.
 */
const PROPAGATION_BOUND_MS = 5_000;

describe('cluster: a permission change takes effect on every node, pushed by its broadcast', async () => {
  const s = await servers('mysql', 'nats');
  if (s.skip) {
    it('needs MySQL and NATS', { skip: s.skip }, () => {});
    return;
  }

  const nodes: NodeProcess[] = [];
  let base: string;
  let drop: () => Promise<void>;
  let dbUrl: string;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ftc-cluster-perm-'));

  before(async () => {
    const db = await tempMysqlDatabase(s.url.mysql, 'ftc_test_cluster_perm');
    drop = () => db.drop();
    dbUrl = db.url;
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    // Memory caches: only the broadcast can clean both nodes' grants.
    const env = clusterEnv({
      nats: s.url.nats,
      databaseUrl: db.url,
      port,
      dataDir,
      extra: { CACHER: 'memory' },
    });
    nodes.push(startNodeProcess('gateway', { ...env, SERVICES: 'api', NODE_ID: 'gw' }));
    nodes.push(
      startNodeProcess('core-a', {
        ...env,
        SERVICES: 'core', // a gateway-only node is ready once every published service is there
        NODE_ID: 'core-a',
      }),
    );
    nodes.push(
      startNodeProcess('core-b', {
        ...env,
        SERVICES: 'core', // a gateway-only node is ready once every published service is there
        NODE_ID: 'core-b',
      }),
    );
  });

  after(async () => {
    await Promise.all(nodes.map((n) => stopNode(n)));
    await drop?.();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('grants and revokes are seen through both nodes at once', async () => {
    await eventually(
      'both core nodes serving file tasks',
      90_000,
      async () => {
        const r = await http(base, 'GET', '/api/health');
        const ft = r.body?.services?.find((x: { name: string }) => x.name === 'fileTasks');
        return ft?.instances === 2 ? true : null;
      },
      nodes,
    );
    const login = async (username: string, password: string) =>
      (await http(base, 'POST', '/api/auth/login', { body: { username, password } })).body.token as string;
    const admin = await eventually(
      'admin login',
      30_000,
      async () => (await login('admin', 'cluster-admin-pass')) ?? null,
    );
    const user = await http(base, 'POST', '/api/users', {
      token: admin,
      body: { username: 'viewer', password: 'viewer-password' },
    });
    assert.equal(user.status, 200);
    const viewer = await login('viewer', 'viewer-password');

    const ds = await acquireMainDatabase({ type: 'mysql', url: dbUrl });
    const taskId = '01JZZZZZZZZZZZZZZZZZZZZZZZ';
    await new FileTaskRepository(ds).insert(
      FileTask.uploaded({
        id: taskId,
        bizType: 'invoice',
        bizDomain: null,
        name: 'x.pdf',
        createdBy: 'someone-else',
        unitId: null,
        unitPath: null,
        file: { storageKey: 'k', size: 1, sha256: 'a'.repeat(64), contentType: 'application/pdf' },
        now: new Date(),
      }),
      [],
    );
    await releaseMainDatabase({ type: 'mysql', url: dbUrl });

    // Several reads: round-robin sends them to both nodes, so both caches hold "no grant".
    const statuses = async () => {
      const out: number[] = [];
      for (let i = 0; i < 6; i++)
        out.push((await http(base, 'GET', `/api/file-tasks/${taskId}`, { token: viewer })).status);
      return out;
    };
    assert.deepEqual(await statuses(), [404, 404, 404, 404, 404, 404]);

    const grant = await http(base, 'POST', '/api/permissions', {
      token: admin,
      body: { bizType: 'invoice', type: 'USER', subject: user.body.id, actions: ['read'] },
    });
    assert.equal(grant.status, 201);
    await eventually('the grant on both nodes', PROPAGATION_BOUND_MS, async () =>
      (await statuses()).every((x) => x === 200) ? true : null,
    );

    assert.equal(
      (await http(base, 'DELETE', `/api/permissions/${grant.body.id}`, { token: admin })).status,
      204,
    );
    await eventually('the revocation on both nodes', PROPAGATION_BOUND_MS, async () =>
      (await statuses()).every((x) => x === 404) ? true : null,
    );

    // Disabling the user: the gateway (another process) refuses their token once the change lands.
    assert.equal((await http(base, 'GET', '/api/auth/me', { token: viewer })).status, 200);
    const patched = await http(base, 'PATCH', `/api/users/${user.body.id}`, {
      token: admin,
      body: { disabled: true },
    });
    assert.equal(patched.status, 200);
    await eventually('the disabled user refused', PROPAGATION_BOUND_MS, async () =>
      (await http(base, 'GET', '/api/auth/me', { token: viewer })).status === 401 ? true : null,
    );
  });
});
