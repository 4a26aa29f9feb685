import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DEMO_PASSWORD } from '../../mixins/demo/demo-directory';
import { http, login, startTestNode, type TestNode } from '../support/embedded-node';
import { asSystem } from '../../mixins/auth/caller-identity.middleware';

describe('permission grants admin API', () => {
  let node: TestNode;
  let admin: string;
  const call = (method: string, url: string, opts?: Parameters<typeof http>[3]) =>
    http(node.baseUrl, method, url, opts);

  before(async () => {
    node = await startTestNode({ SERVICES: 'api,directory,operationLogs,permissions' });
    admin = await login(node.baseUrl, 'admin', 'admin');
  });
  after(() => node.stop());

  it('grants, lists by biz type and revokes, logging each change', async () => {
    const body = {
      bizType: 'order_export',
      type: 'ROLE',
      subject: 'FINANCE',
      actions: ['read', 'export'],
      columns: ['amount'],
    };
    const created = await call('POST', '/api/permissions', { token: admin, body });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.deepEqual([created.body.actions, created.body.scopeUnitId], [['export', 'read'], null]);
    const scoped = await call('POST', '/api/permissions', {
      token: admin,
      body: { bizType: 'invoice', type: 'UNIT', subject: 'u-east', actions: ['read'], scopeUnitId: 'u-east' },
    });
    assert.equal(scoped.status, 201);
    const orders = await call('GET', '/api/permissions?bizType=order_export', { token: admin });
    assert.deepEqual(
      orders.body.items.map((g: { id: string }) => g.id),
      [created.body.id],
    );
    assert.equal((await call('GET', '/api/permissions', { token: admin })).body.items.length, 2);
    const removed = await call('DELETE', `/api/permissions/${created.body.id}`, { token: admin });
    assert.equal(removed.status, 204);
    assert.equal((await call('DELETE', `/api/permissions/${created.body.id}`, { token: admin })).status, 404);
    await node.broker.call('operationLogs.flush', {}, asSystem());
    const log = await call('GET', `/api/logs?action=PERMISSION_CHANGED&targetId=${created.body.id}`, {
      token: admin,
    });
    assert.deepEqual(
      log.body.items.map((e: { detail: { change: string } }) => e.detail.change),
      ['REVOKED', 'GRANTED'],
    );
    assert.equal(log.body.items[0].bizType, 'order_export');
  });

  it('rejects grants that name nothing, with 400 and a stable code', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ bizType: 'invoice', type: 'ROLE', subject: 'NO_SUCH_ROLE', actions: ['read'] }, 'UNKNOWN_SUBJECT'],
      [{ bizType: 'invoice', type: 'UNIT', subject: 'u-nowhere', actions: ['read'] }, 'UNKNOWN_SUBJECT'],
      [{ bizType: 'invoice', type: 'USER', subject: 'nobody', actions: ['read'] }, 'UNKNOWN_SUBJECT'],
      [
        { bizType: 'invoice', type: 'ROLE', subject: 'SALES', actions: ['read'], scopeUnitId: 'u-nowhere' },
        'UNKNOWN_UNIT',
      ],
      [{ bizType: 'invoice', type: 'ROLE', subject: 'SALES', actions: ['fly'] }, 'VALIDATION_ERROR'],
      [{ type: 'ROLE', subject: 'SALES', actions: ['read'] }, 'VALIDATION_ERROR'],
    ];
    for (const [body, code] of cases) {
      const r = await call('POST', '/api/permissions', { token: admin, body });
      assert.deepEqual([r.status, r.body.error?.code], [400, code], JSON.stringify(body));
    }
  });

  it('is for admins only', async () => {
    const alice = await login(node.baseUrl, 'alice', DEMO_PASSWORD);
    assert.equal((await call('GET', '/api/permissions', { token: alice })).status, 403);
    const r = await call('POST', '/api/permissions', {
      token: alice,
      body: { bizType: 'invoice', type: 'USER', subject: 'x', actions: ['read'] },
    });
    assert.equal(r.status, 403);
    assert.equal((await call('DELETE', '/api/permissions/x', { token: alice })).status, 403);
  });
});
