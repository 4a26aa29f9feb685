import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DEMO_PASSWORD } from '../../mixins/demo/demo-directory';
import { http, login, startTestNode, type TestNode } from '../support/embedded-node';

describe('operation logs through the gateway', () => {
  let node: TestNode;
  let admin: string;
  const call = (method: string, url: string, opts?: Parameters<typeof http>[3]) =>
    http(node.baseUrl, method, url, opts);

  before(async () => {
    // A slow poll: the entries must arrive because writers nudge the relay, not by the next tick.
    node = await startTestNode({ SERVICES: 'api,directory,operationLogs', LOG_RELAY_INTERVAL_MS: '60000' });
    admin = await login(node.baseUrl, 'admin', 'admin');
  });
  after(() => node.stop());

  it('records a change with who, what, target and request id, asynchronously but promptly', async () => {
    const created = await call('POST', '/api/roles', {
      token: admin,
      body: { code: 'AUDIT_ME', name: 'Audit me' },
      headers: { 'x-request-id': 'req-audit-1' },
    });
    assert.equal(created.status, 200);
    let entry: Record<string, unknown> | undefined;
    for (let i = 0; i < 50 && !entry; i++) {
      const r = await call('GET', '/api/logs?action=ROLE_CREATED&targetId=AUDIT_ME', { token: admin });
      entry = r.body.items?.[0];
      if (!entry) await new Promise((res) => setTimeout(res, 50));
    }
    assert.ok(entry, 'logged within 2.5 s');
    const me = await call('GET', '/api/auth/me', { token: admin });
    assert.deepEqual(
      [entry.userId, entry.targetType, entry.outcome, entry.requestId],
      [me.body.id, 'ROLE', 'SUCCESS', 'req-audit-1'],
    );
  });

  it('lets ADMIN and AUDITOR search and verify, and nobody else', async () => {
    const erin = await login(node.baseUrl, 'erin', DEMO_PASSWORD); // AUDITOR
    const bob = await login(node.baseUrl, 'bob', DEMO_PASSWORD); // SALES
    assert.equal((await call('GET', '/api/logs', { token: erin })).status, 200);
    const verify = await call('GET', '/api/logs/verify', { token: erin });
    assert.equal(verify.status, 200);
    assert.equal(verify.body.ok, true);
    for (const url of ['/api/logs', '/api/logs/verify']) {
      const r = await call('GET', url, { token: bob });
      assert.deepEqual([r.status, r.body.error.code], [403, 'AUDITOR_REQUIRED'], url);
      assert.equal((await call('GET', url)).status, 401);
    }
  });

  it('answers bad search input with 400', async () => {
    for (const q of ['limit=0', 'limit=abc', 'from=nope', 'cursor=%%%', 'q=a', 'action=lower']) {
      const r = await call('GET', `/api/logs?${q}`, { token: admin });
      assert.equal(r.status, 400, q);
    }
  });
});
