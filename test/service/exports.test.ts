import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DEMO_PASSWORD } from '../../mixins/demo/demo-directory';
import { http, login, startTestNode, type TestNode } from '../support/embedded-node';
import { storedExport, waitForTask } from '../support/exports';
import { asSystem } from '../../mixins/auth/caller-identity.middleware';

describe('exports on the embedded default', () => {
  let node: TestNode;
  let admin: string;
  let alice: string;
  let bob: string;
  const call = (method: string, url: string, opts?: Parameters<typeof http>[3]) =>
    http(node.baseUrl, method, url, opts);

  before(async () => {
    node = await startTestNode({ DEMO_ORDERS: '3000', EXPORT_CHUNK_ROWS: '1000', EXPORT_BATCH_ROWS: '250' });
    admin = await login(node.baseUrl, 'admin', 'admin');
    alice = await login(node.baseUrl, 'alice', DEMO_PASSWORD);
    bob = await login(node.baseUrl, 'bob', DEMO_PASSWORD);
  });
  after(() => node.stop());

  it('answers 202 with a PENDING task at once and completes it', async () => {
    const r = await call('POST', '/api/exports', {
      token: admin,
      body: { bizType: 'order_export', format: 'csv' },
    });
    assert.equal(r.status, 202, JSON.stringify(r.body));
    assert.equal(r.body.kind, 'EXPORT');
    assert.equal(r.body.status, 'PENDING');
    const done = await waitForTask(node, admin, r.body.id);
    assert.equal(done.status, 'SUCCESS', JSON.stringify(done));
    assert.equal(done.export.rowCount, 3000);
    assert.equal(done.file.sha256.length, 64);
    const bytes = storedExport(node, r.body.id);
    assert.equal(bytes.length, done.file.size);
    assert.equal(bytes.toString('utf8').split('\r\n').filter(Boolean).length, 3001);
    assert.equal(done.export.manifest.requester.id, done.createdBy);
  });

  it('rejects bad requests with clear 4xx codes', async () => {
    const cases: [Record<string, unknown>, number, string][] = [
      [{ format: 'csv' }, 400, 'VALIDATION_ERROR'],
      [{ bizType: 'nope', format: 'csv' }, 400, 'UNKNOWN_BIZ_TYPE'],
      [{ bizType: 'invoice', format: 'csv' }, 400, 'BIZ_TYPE_NOT_EXPORTABLE'],
      [{ bizType: 'order_export', format: 'pdf' }, 400, 'UNSUPPORTED_FORMAT'],
      [{ bizType: 'order_export', format: 'csv', filters: { colour: 'red' } }, 400, 'UNKNOWN_FILTER'],
      [{ bizType: 'order_export', format: 'csv', filters: { status: 'x' } }, 400, 'INVALID_FILTER'],
      [
        { bizType: 'order_export', format: 'csv', filters: { createdFrom: 'yesterday' } },
        400,
        'INVALID_FILTER',
      ],
      [{ bizType: 'order_export', format: 'csv', columns: ['nope'] }, 400, 'UNKNOWN_COLUMN'],
      [
        { bizType: 'order_export', format: 'csv', idempotencyKey: 'has space' },
        400,
        'INVALID_IDEMPOTENCY_KEY',
      ],
    ];
    for (const [body, status, code] of cases) {
      const r = await call('POST', '/api/exports', { token: admin, body });
      assert.deepEqual([r.status, r.body.error?.code], [status, code], JSON.stringify(body));
    }
    const denied = await call('POST', '/api/exports', {
      token: alice,
      body: { bizType: 'order_export', format: 'csv' },
    });
    assert.deepEqual([denied.status, denied.body.error.code], [403, 'EXPORT_NOT_ALLOWED']);
  });

  it('returns the same task for a repeated idempotency key and merges an identical request in flight', async () => {
    const body = { bizType: 'order_export', format: 'xlsx', filters: { status: [1] }, idempotencyKey: 'k-1' };
    const a = await call('POST', '/api/exports', { token: admin, body });
    const b = await call('POST', '/api/exports', { token: admin, body });
    assert.equal(b.body.id, a.body.id);
    const other = await call('POST', '/api/exports', { token: admin, body: { ...body, format: 'csv' } });
    assert.deepEqual([other.status, other.body.error.code], [409, 'IDEMPOTENCY_KEY_REUSED']);
    const noKey = { bizType: 'order_export', format: 'csv', filters: { status: [2, 3] } };
    const [x, y] = await Promise.all([
      call('POST', '/api/exports', { token: admin, body: noKey }),
      call('POST', '/api/exports', { token: admin, body: { ...noKey, filters: { status: [2, 3] } } }),
    ]);
    assert.equal(x.status, 202);
    // An identical request with an idempotency key is not merged: it is kept under its key.
    const keyed = await call('POST', '/api/exports', {
      token: admin,
      body: { ...noKey, idempotencyKey: 'k-2' },
    });
    assert.notEqual(keyed.body.id, x.body.id);
    assert.equal(
      (await call('POST', '/api/exports', { token: admin, body: { ...noKey, idempotencyKey: 'k-2' } })).body
        .id,
      keyed.body.id,
    );
    await waitForTask(node, admin, keyed.body.id);
    await waitForTask(node, admin, a.body.id);
    await waitForTask(node, admin, x.body.id);
    await waitForTask(node, admin, y.body.id);
  });

  it('limits rows to the requester unit subtree (rowScope) and columns to their grants', async () => {
    const grant = await call('POST', '/api/permissions', {
      token: admin,
      body: {
        bizType: 'order_export',
        type: 'ROLE',
        subject: 'SALES',
        actions: ['export'],
        columns: ['amount'],
      },
    });
    assert.equal(grant.status, 201);
    const r = await call('POST', '/api/exports', {
      token: bob,
      body: { bizType: 'order_export', format: 'csv' },
    });
    assert.equal(r.status, 202, JSON.stringify(r.body));
    const done = await waitForTask(node, bob, r.body.id);
    assert.equal(done.status, 'SUCCESS', JSON.stringify(done));
    assert.ok(done.export.columns.includes('amount'));
    assert.ok(!done.export.columns.includes('buyer_phone'));
    const all = await node.broker.call<{ rows: { unit_id: string }[] }, unknown>(
      'shop.orders',
      { limit: 10_000 },
      asSystem(),
    );
    const east = all.rows.filter((o) => o.unit_id.startsWith('u-east')).length;
    assert.equal(done.export.rowCount, east);
    assert.ok(east > 0 && east < 3000);
    // Another reader (a read grant) sees the task but not its manifest (requester, roles, scope).
    assert.equal(
      (
        await call('POST', '/api/permissions', {
          token: admin,
          body: { bizType: 'order_export', type: 'ROLE', subject: 'FINANCE', actions: ['read'] },
        })
      ).status,
      201,
    );
    const seen = await call('GET', `/api/file-tasks/${r.body.id}`, { token: alice });
    assert.deepEqual([seen.status, seen.body.export.manifest], [200, null]);
    assert.equal(done.export.manifest.requester.id, done.createdBy);
    const forbidden = await call('POST', '/api/exports', {
      token: bob,
      body: { bizType: 'order_export', format: 'csv', columns: ['order_no', 'buyer_phone'] },
    });
    assert.deepEqual([forbidden.status, forbidden.body.error.code], [403, 'COLUMN_NOT_ALLOWED']);
  });

  it('cancels a pending export and logs the lifecycle', async () => {
    const r = await call('POST', '/api/exports', {
      token: admin,
      body: { bizType: 'order_export_api', format: 'csv', filters: { status: [4] } },
    });
    const c = await call('POST', `/api/exports/${r.body.id}/cancel`, { token: admin });
    assert.equal(c.status, 200);
    assert.equal(c.body.status, 'CANCELLED');
    assert.equal((await call('POST', `/api/exports/${r.body.id}/retry`, { token: admin })).status, 409);
    const other = await call('POST', `/api/exports/${r.body.id}/cancel`, { token: bob });
    assert.equal(other.status, 404);
    await node.broker.call('operationLogs.flush', {}, asSystem());
    const log = await call('GET', `/api/logs?targetId=${r.body.id}`, { token: admin });
    const actions = log.body.items.map((e: { action: string }) => e.action);
    assert.ok(actions.includes('EXPORT_REQUESTED') && actions.includes('EXPORT_CANCELLED'), actions.join());
  });

  it('exports through an action data handler (the shop service) too', async () => {
    const r = await call('POST', '/api/exports', {
      token: admin,
      body: { bizType: 'order_export_api', format: 'csv', filters: { status: [1, 2] } },
    });
    const done = await waitForTask(node, admin, r.body.id);
    assert.equal(done.status, 'SUCCESS', JSON.stringify(done));
    const all = await node.broker.call<{ rows: { status: number }[] }, unknown>(
      'shop.orders',
      { limit: 10_000 },
      asSystem(),
    );
    assert.equal(done.export.rowCount, all.rows.filter((o) => o.status === 1 || o.status === 2).length);
  });
});
