import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DEMO_PASSWORD } from '../../mixins/demo/demo-directory';
import { http, login, startTestNode, type TestNode } from '../support/embedded-node';
import { asSystem } from '../../mixins/auth/caller-identity.middleware';

const fileType = {
  name: 'Receipts',
  kind: 'FILE',
  rules: { maxSize: 1024, contentTypes: ['application/pdf'] },
};
const exportType = {
  name: 'Tiny export',
  kind: 'EXPORT',
  dataHandler: {
    type: 'sql',
    source: 'shop',
    table: 'orders',
    key: 'id',
    filters: { status: { column: 'status', op: 'in', type: 'number' } },
  },
  columns: [
    { key: 'order_no', header: 'Order No', type: 'string' },
    { key: 'amount', header: 'Amount', type: 'decimal', restricted: true },
    { key: 'buyer_phone', header: 'Phone', type: 'string', mask: 'phone', restricted: true },
  ],
  rules: { formats: ['csv'], maxRows: 1000 },
};

describe('metadata (biz types) API', () => {
  let node: TestNode;
  let admin: string;
  let alice: string;
  const call = (method: string, url: string, opts?: Parameters<typeof http>[3]) =>
    http(node.baseUrl, method, url, opts);

  before(async () => {
    node = await startTestNode({ SERVICES: 'api,directory,operationLogs,permissions,metadata' });
    admin = await login(node.baseUrl, 'admin', 'admin');
    alice = await login(node.baseUrl, 'alice', DEMO_PASSWORD);
  });
  after(() => node.stop());

  it('lists the demo biz types to any user and answers 404 for an unknown one', async () => {
    const list = await call('GET', '/api/biz-types', { token: alice });
    assert.equal(list.status, 200);
    const codes = list.body.items.map((b: { code: string }) => b.code);
    for (const c of ['order_export', 'order_export_api', 'invoice', 'contract', 'attachment'])
      assert.ok(codes.includes(c), c);
    const orders = await call('GET', '/api/biz-types/order_export', { token: alice });
    assert.equal(orders.body.kind, 'EXPORT');
    assert.ok(orders.body.columns.length >= 10);
    assert.deepEqual(
      orders.body.columns
        .filter((c: { restricted?: boolean }) => c.restricted)
        .map((c: { key: string }) => c.key),
      ['buyer_name', 'buyer_phone', 'amount'],
    );
    const files = await call('GET', '/api/biz-types?kind=FILE', { token: alice });
    assert.ok(files.body.items.every((b: { kind: string }) => b.kind === 'FILE'));
    const none = await call('GET', '/api/biz-types/nope', { token: alice });
    assert.deepEqual([none.status, none.body.error.code], [404, 'BIZ_TYPE_NOT_FOUND']);
    assert.equal((await call('GET', '/api/biz-types')).status, 401);
  });

  it('creates (201) and replaces (200) a biz type, logs each change and serves the new one at once', async () => {
    const created = await call('PUT', '/api/biz-types/receipt', { token: admin, body: fileType });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.deepEqual([created.body.version, created.body.rules.maxSize], [1, 1024]);
    assert.equal((await call('GET', '/api/biz-types/receipt', { token: alice })).body.rules.maxSize, 1024);
    const updated = await call('PUT', '/api/biz-types/receipt', {
      token: admin,
      body: { ...fileType, rules: { maxSize: 2048 } },
    });
    assert.deepEqual([updated.status, updated.body.version], [200, 2]);
    // The cached read must see the change immediately (the change broadcast cleans every node's cache).
    const read = await call('GET', '/api/biz-types/receipt', { token: alice });
    assert.deepEqual([read.body.rules.maxSize, read.body.rules.contentTypes], [2048, []]);
    const stale = await call('PUT', '/api/biz-types/receipt', {
      token: admin,
      body: { ...fileType, version: 1 },
    });
    assert.deepEqual([stale.status, stale.body.error.code], [409, 'BIZ_TYPE_VERSION_CONFLICT']);
    const kind = await call('PUT', '/api/biz-types/receipt', { token: admin, body: exportType });
    assert.deepEqual([kind.status, kind.body.error.code], [400, 'BIZ_TYPE_KIND_CHANGE']);
    await node.broker.call('operationLogs.flush', {}, asSystem());
    const log = await call('GET', '/api/logs?action=BIZ_TYPE_CHANGED&targetId=receipt', { token: admin });
    assert.deepEqual(
      log.body.items.map((e: { detail: { change: string } }) => e.detail.change),
      ['UPDATED', 'CREATED'],
    );
  });

  it('validates every part of a definition on write, naming the field', async () => {
    const cases: [string, Record<string, unknown>, string][] = [
      ['Bad-Code', fileType, 'code'],
      ['x1', { ...fileType, name: '' }, 'name'],
      ['x2', { ...fileType, kind: 'BLOB' }, 'kind'],
      ['x3', { ...fileType, rules: { maxSize: -1 } }, 'rules.maxSize'],
      ['x4', { ...fileType, rules: { contentTypes: ['not a type'] } }, 'rules.contentTypes'],
      [
        'x5',
        { ...exportType, dataHandler: { ...exportType.dataHandler, table: 'orders; DROP TABLE x' } },
        'dataHandler.table',
      ],
      ['x6', { ...exportType, dataHandler: { ...exportType.dataHandler, type: 'ftp' } }, 'dataHandler.type'],
      [
        'x7',
        {
          ...exportType,
          dataHandler: { ...exportType.dataHandler, filters: { s: { column: 'status', op: 'between' } } },
        },
        'dataHandler.filters.s.op',
      ],
      ['x8', { ...exportType, columns: [{ key: 'a', header: 'A', type: 'blob' }] }, 'columns[0].type'],
      ['x9', { ...exportType, columns: [] }, 'columns'],
      ['x10', { ...exportType, rules: { formats: ['pdf'] } }, 'rules.formats'],
      ['x11', { ...exportType, rules: { rowScope: { column: '1; --' } } }, 'rules.rowScope.column'],
      ['x12', { ...exportType, dataHandler: { type: 'action', action: 'no-dot' } }, 'dataHandler.action'],
    ];
    for (const [code, body, field] of cases) {
      const r = await call('PUT', `/api/biz-types/${code}`, { token: admin, body });
      assert.equal(r.status, 400, `${code}: ${JSON.stringify(r.body)}`);
      assert.equal(r.body.error.data?.field, field, `${code}: ${JSON.stringify(r.body)}`);
    }
    assert.equal(
      (await call('PUT', '/api/biz-types/receipt2', { token: alice, body: fileType })).status,
      403,
    );
  });

  it('filterColumns answers the exportable columns of API.md', async () => {
    assert.equal((await call('PUT', '/api/biz-types/tiny', { token: admin, body: exportType })).status, 201);
    const who = (username: string, roles: string[], unitId: string | null) => ({
      id: username,
      roles,
      unitId,
    });
    const cols = (user: ReturnType<typeof who>) =>
      node.broker.call<string[], unknown>('permissions.filterColumns', { user, bizType: 'tiny' }, asSystem());
    assert.deepEqual(await cols(who('someone', [], null)), []);
    assert.deepEqual(await cols(who('root', ['ADMIN'], null)), ['order_no', 'amount', 'buyer_phone']);
    const grant = await call('POST', '/api/permissions', {
      token: admin,
      body: { bizType: 'tiny', type: 'ROLE', subject: 'FINANCE', actions: ['export'], columns: ['amount'] },
    });
    assert.equal(grant.status, 201);
    assert.deepEqual(await cols(who('x', ['FINANCE'], 'u-hq')), ['order_no', 'amount']);
    assert.deepEqual(await cols(who('y', ['SALES'], 'u-hq')), []);
    await call('PUT', '/api/biz-types/tiny', {
      token: admin,
      body: { ...exportType, rules: { ...exportType.rules, columnPermission: false } },
    });
    assert.deepEqual(await cols(who('x', ['FINANCE'], 'u-hq')), ['order_no', 'amount', 'buyer_phone']);
    assert.deepEqual(await cols(who('y', ['SALES'], 'u-hq')), []);
  });
});
