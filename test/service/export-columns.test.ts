import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { http, login, startTestNode, type TestNode } from '../support/embedded-node';

describe('GET /api/biz-types/:code/export-columns (the console’s column list)', () => {
  let node: TestNode;
  let admin: string;
  before(async () => {
    node = await startTestNode({ DEMO_ORDERS: '50' });
    admin = await login(node.baseUrl, 'admin', 'admin');
  });
  after(async () => {
    await node?.stop();
  });

  const columnsOf = async (token: string) => {
    const r = await http(node.baseUrl, 'GET', '/api/biz-types/order_export/export-columns', { token });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    return r.body as {
      mayExport: boolean;
      columns: { key: string; restricted: boolean; available: boolean }[];
    };
  };
  const available = (b: { columns: { key: string; available: boolean }[] }) =>
    b.columns.filter((c) => c.available).map((c) => c.key);

  it('lists every column with what the caller would get, as the export itself decides', async () => {
    const bob = await login(node.baseUrl, 'bob', 'demo-pass-1');
    const none = await columnsOf(bob);
    assert.equal(none.mayExport, false);
    assert.deepEqual(available(none), []);
    assert.equal(none.columns.length, 14);

    const g = await http(node.baseUrl, 'POST', '/api/permissions', {
      token: admin,
      body: {
        bizType: 'order_export',
        type: 'ROLE',
        subject: 'SALES',
        actions: ['export'],
        columns: ['buyer_phone'],
      },
    });
    assert.equal(g.status, 201, JSON.stringify(g.body));
    const granted = await columnsOf(bob);
    assert.equal(granted.mayExport, true);
    assert.ok(available(granted).includes('buyer_phone'));
    assert.ok(!available(granted).includes('amount'));
    assert.ok(granted.columns.find((c) => c.key === 'amount')?.restricted);
    assert.ok(available(granted).includes('order_no'));

    assert.equal(available(await columnsOf(admin)).length, 14);
  });

  it('answers 400 for a FILE biz type and 404 for an unknown one', async () => {
    const r = await http(node.baseUrl, 'GET', '/api/biz-types/invoice/export-columns', { token: admin });
    assert.equal(r.status, 400);
    const missing = await http(node.baseUrl, 'GET', '/api/biz-types/nope/export-columns', { token: admin });
    assert.equal(missing.status, 404);
  });
});
