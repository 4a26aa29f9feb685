import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ServiceBroker } from 'moleculer';
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
import { SystemTokens } from '../../mixins/auth/system-token';

const FORGED_ADMIN = { id: 'nobody', username: 'nobody', roles: ['ADMIN'], unitId: null, kind: 'system' };

/**
 * Callers inside the cluster (API.md): a foreign broker that joins the namespace under its own
 * node id is believed only with a credential in meta.token. Two core nodes with separate memory
 * caches (no Redis) show that revocation reaches every node within 5 s.
 */
describe('cluster: callers inside the cluster', async () => {
  const s = await servers('mysql', 'nats');
  if (s.skip) {
    it('needs MySQL and NATS', { skip: s.skip }, () => {});
    return;
  }

  let nodes: NodeProcess[] = [];
  let base: string;
  let env: Record<string, string>;
  let foreign: ServiceBroker;
  let admin: string;
  const drops: (() => Promise<void>)[] = [];
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ftc-trust-'));

  before(async () => {
    const main = await tempMysqlDatabase(s.url.mysql, 'ftc_test_trust');
    const shop = await tempMysqlDatabase(s.url.mysql, 'ftc_test_trust_shop');
    drops.push(main.drop, shop.drop);
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    env = clusterEnv({
      nats: s.url.nats,
      databaseUrl: main.url,
      port,
      dataDir,
      extra: { SHOP_DATABASE_URL: shop.url },
    });
    nodes = [
      startNodeProcess('gateway', { ...env, SERVICES: 'gateway', NODE_ID: 'gateway-1' }),
      startNodeProcess('core-1', { ...env, SERVICES: 'core,export', NODE_ID: 'core-1' }),
      startNodeProcess('core-2', { ...env, SERVICES: 'core', NODE_ID: 'core-2' }),
    ];
    foreign = new ServiceBroker({
      namespace: env.NAMESPACE,
      nodeID: 'intruder',
      transporter: s.url.nats,
      serializer: 'MsgPack',
      logger: false,
      requestTimeout: 15_000,
    });
    await foreign.start();
    // Three processes compiling at once on a busy machine: the gateway may take a while.
    await eventually(
      'gateway listening',
      180_000,
      async () => ((await http(base, 'GET', '/api/health')).status ? true : null),
      nodes,
    );
    admin = await adminToken(base);
    // Both core nodes and the export worker announced to the intruder too.
    await eventually(
      'every service on the foreign broker',
      90_000,
      async () => {
        const list = foreign.registry.getServiceList({ onlyAvailable: true, skipInternal: true });
        const count = (name: string) => list.filter((x) => x.name === name).length;
        return count('directory') === 2 && count('exportWorker') === 1 && count('api') === 1 ? true : null;
      },
      nodes,
    );
  });

  after(async () => {
    await foreign?.stop();
    await Promise.all(nodes.map((n) => stopNode(n)));
    for (const drop of drops) await drop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  /** Every action of every node as the registry announces it (new actions are covered as they come). */
  function published(): { action: string; nodeID: string; auth?: string }[] {
    const out: { action: string; nodeID: string; auth?: string }[] = [];
    const services = foreign.registry.getServiceList({
      onlyAvailable: true,
      skipInternal: true,
      withActions: true,
    }) as unknown as {
      name: string;
      nodeID: string;
      actions: Record<string, { name: string; auth?: string }>;
    }[];
    for (const svc of services) {
      if (svc.nodeID === foreign.nodeID) continue;
      for (const a of Object.values(svc.actions))
        out.push({ action: a.name, nodeID: svc.nodeID, auth: a.auth });
    }
    return out;
  }

  const refusal = async (p: Promise<unknown>) =>
    p.then(
      () => 'accepted',
      (e: { code?: number; type?: string }) => `${e.code} ${e.type}`,
    );

  it('refuses a forged meta.user (and forged or replayed tokens) on every published action', async () => {
    const actions = published();
    assert.ok(actions.length >= 40, `only ${actions.length} actions announced`);
    const forgedSystem = new SystemTokens('some-other-cluster-secret-of-32-chars!', 'intruder').current();
    // A real system token of core-1 (as if copied off the wire), replayed under the intruder's own id.
    const replayed = new SystemTokens(env.JWT_SECRET, 'core-1').current();
    const wrong: string[] = [];
    let checked = 0;
    for (const { action, nodeID, auth } of actions) {
      if (auth === 'public') continue;
      for (const meta of [
        { user: FORGED_ADMIN },
        { user: FORGED_ADMIN, token: 'not-a-token' },
        { user: FORGED_ADMIN, token: forgedSystem },
        { user: FORGED_ADMIN, token: replayed },
      ]) {
        const got = await refusal(foreign.call(action, {}, { nodeID, meta, retries: 0 }));
        checked++;
        if (!got.startsWith('401 ')) wrong.push(`${action}@${nodeID} ${JSON.stringify(meta.token)}: ${got}`);
      }
    }
    assert.deepEqual(wrong, []);
    assert.ok(checked >= 160);
    // The public ones stay public.
    const publicOnes = actions.filter((a) => a.auth === 'public').map((a) => a.action);
    assert.ok(publicOnes.includes('directory.login') && publicOnes.includes('api.health'));
  });

  it('accepts a real token, and acts for its user only (a forged meta.user beside it is ignored)', async () => {
    const me = await foreign.call<{ username: string }, object>(
      'directory.me',
      {},
      { meta: { token: admin, user: { id: 'someone-else', roles: [] } } },
    );
    assert.equal(me.username, 'admin');
    const users = await foreign.call<{ items: unknown[] }, object>(
      'directory.listUsers',
      {},
      { meta: { token: admin } },
    );
    assert.ok(users.items.length >= 1);
    // An ADMIN's JWT is still not the system principal.
    assert.equal(
      await refusal(foreign.call('shop.orders', {}, { meta: { token: admin } })),
      '403 SYSTEM_ONLY',
    );
  });

  it('a service account token works over the transporter and HTTP, and stops within 5 s of deletion', async () => {
    const created = await http(base, 'POST', '/api/service-accounts', {
      token: admin,
      body: { name: 'billing-system', roles: ['AUDITOR'], unitId: null },
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const token = created.body.token as string;
    assert.match(token, /^ftcsa\./);
    const listed = await http(base, 'GET', '/api/service-accounts', { token: admin });
    assert.equal(listed.status, 200);
    assert.ok(!JSON.stringify(listed.body).includes(token.split('.')[2]), 'the list shows no token');
    // On both core nodes (separate caches), and through the gateway.
    for (const nodeID of ['core-1', 'core-2']) {
      const me = await foreign.call<{ id: string; username: string; roles: string[]; kind?: string }, object>(
        'directory.me',
        {},
        { nodeID, meta: { token } },
      );
      assert.equal(
        await refusal(foreign.call('operationLogs.search', {}, { nodeID, meta: { token } })),
        'accepted',
      );
      // directory.me answers a service account with its own identity (kind "service"), not a person's profile.
      assert.equal(me.id, created.body.id);
      assert.equal(me.kind, 'service');
      assert.deepEqual(me.roles, ['AUDITOR']);
    }
    assert.equal((await http(base, 'GET', '/api/logs', { token })).status, 200);
    assert.equal((await http(base, 'GET', '/api/users', { token })).status, 403);

    const deleted = await http(base, 'DELETE', `/api/service-accounts/${created.body.id}`, { token: admin });
    assert.equal(deleted.status, 204);
    const t0 = Date.now();
    for (const nodeID of ['core-1', 'core-2']) {
      await eventually('service account refused', 5_000, async () =>
        (await refusal(foreign.call('operationLogs.search', {}, { nodeID, meta: { token } }))).startsWith(
          '401',
        )
          ? true
          : null,
      );
    }
    assert.equal((await http(base, 'GET', '/api/logs', { token })).status, 401);
    assert.ok(Date.now() - t0 < 5_000);
  });

  it('revokes on password change, role change and disable on both core nodes within 5 s; re-enabling revives nothing', async () => {
    const created = await http(base, 'POST', '/api/users', {
      token: admin,
      body: { username: 'rita', password: 'rita-password-1', roles: ['AUDITOR'] },
    });
    assert.equal(created.status, 200, JSON.stringify(created.body));
    const id = created.body.id as string;
    const signIn = async (password: string) =>
      (await http(base, 'POST', '/api/auth/login', { body: { username: 'rita', password } })).body
        .token as string;
    const onBoth = (token: string) =>
      Promise.all(
        ['core-1', 'core-2'].map((nodeID) =>
          refusal(foreign.call('operationLogs.search', {}, { nodeID, meta: { token } })),
        ),
      );
    const revokedWithin5s = async (token: string, what: string, expected: string) => {
      const t0 = Date.now();
      await eventually(`${what}: refused on both core nodes`, 5_000, async () => {
        const got = await onBoth(token);
        return got.every((g) => g === expected) ? true : null;
      });
      return Date.now() - t0;
    };
    const patch = async (body: Record<string, unknown>) =>
      assert.equal((await http(base, 'PATCH', `/api/users/${id}`, { token: admin, body })).status, 200);

    let token = await signIn('rita-password-1');
    assert.deepEqual(await onBoth(token), ['accepted', 'accepted']); // both nodes now hold her in cache
    await patch({ password: 'rita-password-2' });
    await revokedWithin5s(token, 'password change', '401 TOKEN_REVOKED');

    token = await signIn('rita-password-2');
    assert.deepEqual(await onBoth(token), ['accepted', 'accepted']);
    await patch({ roles: ['AUDITOR', 'ADMIN'] });
    await revokedWithin5s(token, 'role change', '401 TOKEN_REVOKED');

    token = await signIn('rita-password-2');
    assert.deepEqual(await onBoth(token), ['accepted', 'accepted']);
    await patch({ disabled: true });
    await revokedWithin5s(token, 'disable', '401 USER_DISABLED');
    await patch({ disabled: false });
    await revokedWithin5s(token, 're-enable', '401 TOKEN_REVOKED');
    // A fresh sign-in works again everywhere.
    assert.deepEqual(await onBoth(await signIn('rita-password-2')), ['accepted', 'accepted']);
  });
});
