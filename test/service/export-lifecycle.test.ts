import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { DEMO_PASSWORD } from '../../mixins/demo/demo-directory';
import { exportWorkerService } from '../../services/export-worker.service';
import { http, login, startTestNode, type TestNode } from '../support/embedded-node';
import { waitForTask } from '../support/exports';
import { asSystem } from '../../mixins/auth/caller-identity.middleware';

const exportObjects = (node: TestNode) => {
  const dir = path.join(node.dataDir, 'objects', 'data', 'exports');
  const walk = (d: string): string[] =>
    fs.existsSync(d)
      ? fs
          .readdirSync(d, { withFileTypes: true })
          .flatMap((e) => (e.isDirectory() ? walk(path.join(d, e.name)) : [e.name]))
      : [];
  return walk(dir);
};

describe('export lifecycle: cancel mid-export, row limit, revoked permission, retry', () => {
  let node: TestNode;
  let admin: string;
  const call = (method: string, url: string, opts?: Parameters<typeof http>[3]) =>
    http(node.baseUrl, method, url, opts);

  before(async () => {
    // No export worker at first: tasks stay PENDING until a test starts one.
    node = await startTestNode({
      SERVICES: 'api,directory,operationLogs,permissions,metadata,fileTasks,exports,shop',
      DEMO_ORDERS: '20000',
      EXPORT_BATCH_ROWS: '50',
      EXPORT_CHUNK_ROWS: '1000',
      EXPORT_WINDOW: '2',
      EXPORT_HEARTBEAT_MS: '100',
      EXPORT_MAX_ATTEMPTS: '1',
    });
    admin = await login(node.baseUrl, 'admin', 'admin');
  });
  after(() => node.stop());

  it('fails with PERMISSION_REVOKED when the grant is gone before the export runs', async () => {
    const grant = await call('POST', '/api/permissions', {
      token: admin,
      body: { bizType: 'order_export', type: 'ROLE', subject: 'SALES', actions: ['export'] },
    });
    const bob = await login(node.baseUrl, 'bob', DEMO_PASSWORD);
    const r = await call('POST', '/api/exports', {
      token: bob,
      body: { bizType: 'order_export', format: 'csv' },
    });
    assert.equal(r.status, 202);
    assert.equal((await call('DELETE', `/api/permissions/${grant.body.id}`, { token: admin })).status, 204);

    // Meanwhile an admin removes a filter a queued export relies on: it must fail, not widen.
    const def = (await call('GET', '/api/biz-types/order_export', { token: admin })).body;
    const { version: _v, updatedAt: _u, code: _c, ...body } = def;
    assert.equal((await call('PUT', '/api/biz-types/order_shrinking', { token: admin, body })).status, 201);
    const narrowed = await call('POST', '/api/exports', {
      token: admin,
      body: { bizType: 'order_shrinking', format: 'csv', filters: { status: [1] } },
    });
    assert.equal(narrowed.status, 202);
    const { status: _s, ...otherFilters } = def.dataHandler.filters;
    const put = await call('PUT', '/api/biz-types/order_shrinking', {
      token: admin,
      body: { ...body, dataHandler: { ...def.dataHandler, filters: otherFilters } },
    });
    assert.equal(put.status, 200);

    // The same through the action handler: the check does not depend on the data handler.
    const apiDef = (await call('GET', '/api/biz-types/order_export_api', { token: admin })).body;
    const { version: _av, updatedAt: _au, code: _ac, ...apiBody } = apiDef;
    assert.equal(
      (await call('PUT', '/api/biz-types/order_api_shrinking', { token: admin, body: apiBody })).status,
      201,
    );
    const viaApi = await call('POST', '/api/exports', {
      token: admin,
      body: { bizType: 'order_api_shrinking', format: 'csv', filters: { status: [1] } },
    });
    const { status: _as, ...apiFilters } = apiDef.dataHandler.filters;
    await call('PUT', '/api/biz-types/order_api_shrinking', {
      token: admin,
      body: { ...apiBody, dataHandler: { ...apiDef.dataHandler, filters: apiFilters } },
    });

    // A restricted column granted at request time, revoked before the run: not written.
    const phone = await call('POST', '/api/permissions', {
      token: admin,
      body: {
        bizType: 'order_export',
        type: 'ROLE',
        subject: 'FINANCE',
        actions: ['export'],
        columns: ['buyer_phone'],
      },
    });
    const alice = await login(node.baseUrl, 'alice', DEMO_PASSWORD);
    const withPhone = await call('POST', '/api/exports', {
      token: alice,
      body: { bizType: 'order_export', format: 'csv', columns: ['order_no', 'buyer_phone'] },
    });
    assert.equal(withPhone.status, 202, JSON.stringify(withPhone.body));
    await call('DELETE', `/api/permissions/${phone.body.id}`, { token: admin });
    await call('POST', '/api/permissions', {
      token: admin,
      body: { bizType: 'order_export', type: 'ROLE', subject: 'FINANCE', actions: ['export'] },
    });

    node.broker.createService(exportWorkerService(node.config));
    await node.broker.waitForServices(['exportWorker']);
    const done = await waitForTask(node, bob, r.body.id);
    assert.deepEqual([done.status, done.export.failureReason], ['FAILED', 'PERMISSION_REVOKED']);
    const widened = await waitForTask(node, admin, narrowed.body.id);
    assert.deepEqual([widened.status, widened.export.failureReason], ['FAILED', 'BIZ_TYPE_INVALID']);
    assert.equal(widened.file, null);
    const apiWidened = await waitForTask(node, admin, viaApi.body.id);
    assert.deepEqual([apiWidened.status, apiWidened.export.failureReason], ['FAILED', 'BIZ_TYPE_INVALID']);
    const phoneless = await waitForTask(node, alice, withPhone.body.id);
    assert.deepEqual([phoneless.status, phoneless.export.failureReason], ['FAILED', 'PERMISSION_REVOKED']);
    assert.match(phoneless.export.failureMessage, /buyer_phone/);
  });

  it('fails at once with BIZ_TYPE_INVALID when the mapping names a column the source lacks', async () => {
    const def = (await call('GET', '/api/biz-types/order_export', { token: admin })).body;
    const { version: _v, updatedAt: _u, code: _c, ...body } = def;
    const columns = [...def.columns, { key: 'no_such_column', header: 'Nope', type: 'string' }];
    assert.equal(
      (await call('PUT', '/api/biz-types/order_broken', { token: admin, body: { ...body, columns } })).status,
      201,
    );
    const r = await call('POST', '/api/exports', {
      token: admin,
      body: { bizType: 'order_broken', format: 'csv' },
    });
    const done = await waitForTask(node, admin, r.body.id);
    assert.deepEqual(
      [done.status, done.export.failureReason, done.export.attempts],
      ['FAILED', 'BIZ_TYPE_INVALID', 1],
    );
    assert.match(done.export.failureMessage, /no_such_column/);
  });

  it('cancels a running export between batches and publishes nothing', async () => {
    const before = exportObjects(node).length;
    const r = await call('POST', '/api/exports', {
      token: admin,
      body: { bizType: 'order_export', format: 'xlsx' },
    });
    await waitForTask(node, admin, r.body.id, 30_000, (t) => (t.export?.progress.rows ?? 0) > 0);
    const c = await call('POST', `/api/exports/${r.body.id}/cancel`, { token: admin });
    assert.deepEqual([c.status, c.body.status], [200, 'CANCELLED']);
    await new Promise((res) => setTimeout(res, 1000));
    const t = (await call('GET', `/api/file-tasks/${r.body.id}`, { token: admin })).body;
    assert.equal(t.status, 'CANCELLED');
    assert.equal(t.file, null);
    assert.equal(exportObjects(node).length, before, 'no partial file may remain');
    assert.ok(!fs.readdirSync(path.join(node.dataDir, 'objects', '.tmp')).length, 'no temp file may remain');
  });

  it('streams progress and the final status as server-sent events', async () => {
    const r = await call('POST', '/api/exports', {
      token: admin,
      body: { bizType: 'order_export', format: 'csv' },
    });
    const res = await fetch(`${node.baseUrl}/api/file-tasks/${r.body.id}/events`, {
      headers: { authorization: `Bearer ${admin}` },
    });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/event-stream/);
    const text = await res.text(); // the stream ends at the terminal status
    const events = text
      .split('\n\n')
      .filter((b) => b.includes('data: '))
      .map((b) => ({
        event: /event: (\w+)/.exec(b)?.[1],
        data: JSON.parse(/data: (.*)/.exec(b)![1]) as { status: string; rows?: number },
      }));
    assert.equal(events[0].event, 'status');
    assert.ok(['PENDING', 'EXPORTING'].includes(events[0].data.status));
    const progress = events.filter((e) => e.event === 'progress').map((e) => e.data.rows ?? 0);
    assert.ok(progress.length >= 2, `progress events: ${progress.length}`);
    assert.deepEqual(
      progress,
      [...progress].sort((a, b) => a - b),
      'progress only grows',
    );
    assert.deepEqual(events[events.length - 1], {
      event: 'status',
      data: { taskId: r.body.id, status: 'SUCCESS', rows: 20_000, total: 20_000 },
    });
    const carol = await login(node.baseUrl, 'carol', DEMO_PASSWORD);
    const hidden = await call('GET', `/api/file-tasks/${r.body.id}/events`, { token: carol });
    assert.equal(hidden.status, 404);
    assert.equal((await call('GET', `/api/file-tasks/${r.body.id}/events`)).status, 401);
  });

  it('fails with ROW_LIMIT_EXCEEDED past rules.maxRows, and retry runs it again', async () => {
    const def = (await call('GET', '/api/biz-types/order_export', { token: admin })).body;
    const { version: _v, updatedAt: _u, code: _c, ...body } = def;
    const capped = (rules: Record<string, unknown>) =>
      call('PUT', '/api/biz-types/order_capped', {
        token: admin,
        body: { ...body, name: 'Capped orders', rules: { ...def.rules, ...rules } },
      });
    const put = await capped({ maxRows: 100 });
    assert.equal(put.status, 201, JSON.stringify(put.body));
    // The request's own count is checked at once.
    const refused = await call('POST', '/api/exports', {
      token: admin,
      body: { bizType: 'order_capped', format: 'csv' },
    });
    assert.deepEqual([refused.status, refused.body.error?.code], [400, 'EXPORT_TOO_MANY_ROWS']);
    // The limit is checked again when the export runs: lowered while it waited (one at a time for
    // this biz type, behind a running one), it fails then.
    assert.equal((await capped({ maxRows: 1_000_000, maxConcurrent: 1 })).status, 200);
    const first = await call('POST', '/api/exports', {
      token: admin,
      body: { bizType: 'order_capped', format: 'xlsx' },
    });
    await waitForTask(node, admin, first.body.id, 60_000, (t) => t.status !== 'PENDING');
    const r = await call('POST', '/api/exports', {
      token: admin,
      body: { bizType: 'order_capped', format: 'csv' },
    });
    assert.deepEqual([r.status, r.body.export.waitingReason], [202, 'BIZ_TYPE_CONCURRENCY']);
    assert.equal((await capped({ maxRows: 100, maxConcurrent: 1 })).status, 200);
    assert.equal((await waitForTask(node, admin, first.body.id)).status, 'SUCCESS');
    const done = await waitForTask(node, admin, r.body.id);
    assert.deepEqual([done.status, done.export.failureReason], ['FAILED', 'ROW_LIMIT_EXCEEDED']);
    assert.match(done.export.failureMessage, /100/);
    // Narrow the filters by raising the limit instead: a retry re-reads the (new) rules.
    await capped({ maxRows: 1_000_000 });
    const retried = await call('POST', `/api/exports/${r.body.id}/retry`, { token: admin });
    assert.deepEqual([retried.status, retried.body.status], [200, 'PENDING']);
    const again = await waitForTask(node, admin, r.body.id);
    assert.deepEqual([again.status, again.export.rowCount, again.export.attempts], ['SUCCESS', 20_000, 2]);
    await node.broker.call('operationLogs.flush', {}, asSystem());
    const log = await call('GET', `/api/logs?targetId=${r.body.id}`, { token: admin });
    const actions = log.body.items.map((e: { action: string }) => e.action).reverse();
    assert.deepEqual(actions, ['EXPORT_REQUESTED', 'EXPORT_FAILED', 'EXPORT_REQUESTED', 'EXPORT_SUCCEEDED']);
  });
});
