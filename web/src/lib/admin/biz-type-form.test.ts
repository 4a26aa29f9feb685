import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { formFieldOf, textToDict, toFormValues, toRequestBody, type BizTypeView } from './biz-type-form';

const orders: BizTypeView = {
  code: 'order_export',
  name: 'Orders',
  kind: 'EXPORT',
  version: 3,
  dataHandler: {
    type: 'sql',
    source: 'shop',
    table: 'orders',
    key: 'id',
    filters: { status: { column: 'status', op: 'in', type: 'string' } },
  },
  columns: [
    { key: 'order_no', header: 'Order No', type: 'string', width: 20, headers: { 'zh-CN': '订单号' } },
    { key: 'status', header: 'Status', type: 'string', dict: { '1': 'Paid', '2': 'Shipped' } },
    { key: 'amount', header: 'Amount', type: 'decimal', format: '0.00', restricted: true },
  ],
  rules: {
    formats: ['xlsx'],
    maxRows: 1000,
    retentionDays: 7,
    rowScope: { column: 'unit_id' },
    dailyRowQuota: 9,
  },
};

describe('console admin: biz type form', () => {
  it('round-trips a biz type, keeping what the form does not edit', () => {
    const body = toRequestBody(toFormValues(orders), orders);
    assert.equal(body.version, 3);
    assert.deepEqual(body.dataHandler, orders.dataHandler);
    assert.deepEqual(body.columns, orders.columns);
    assert.deepEqual(body.rules, {
      formats: ['xlsx'],
      maxRows: 1000,
      retentionDays: 7,
      rowScope: { column: 'unit_id' },
      dailyRowQuota: 9,
      columnPermission: true,
      csvBom: false,
    });
  });

  it('reads dictionaries as value=label lines and clears an emptied one', () => {
    assert.deepEqual(textToDict('1=Paid\n\n2 = Shipped=late\n'), { '1': 'Paid', '2': 'Shipped=late' });
    const v = toFormValues(orders);
    v.columns![1].dict = '  ';
    v.columns![2].restricted = false;
    v.rowScopeColumn = '';
    const body = toRequestBody(v, orders) as {
      columns: Record<string, unknown>[];
      rules: Record<string, unknown>;
    };
    assert.equal(body.columns[1].dict, undefined);
    assert.equal(body.columns[2].restricted, undefined);
    assert.equal(body.rules.rowScope, undefined, 'absent: no row scope');
  });

  it('builds a FILE biz type with lower-cased media types and no version when new', () => {
    const body = toRequestBody({
      code: 'invoice',
      name: 'Invoices',
      kind: 'FILE',
      maxSize: 1024,
      contentTypes: ['Application/PDF ', ''],
      retentionDays: null,
    });
    assert.deepEqual(body, {
      name: 'Invoices',
      kind: 'FILE',
      rules: { maxSize: 1024, contentTypes: ['application/pdf'] },
    });
  });

  it('maps the API field of a 400 onto the form field that shows it', () => {
    const v = toFormValues(orders);
    assert.deepEqual(formFieldOf('columns[2].type', v), ['columns', 2, 'type']);
    assert.deepEqual(formFieldOf('columns[1].dict.x', v), ['columns', 1, 'dict']);
    assert.deepEqual(formFieldOf('columns[0].width', v), ['columns', 0, 'key']);
    assert.equal(formFieldOf('columns[9].type', v), null);
    assert.deepEqual(formFieldOf('dataHandler.filters.status.op', v), ['filters', 0, 'op']);
    assert.deepEqual(formFieldOf('dataHandler.filters.status', v), ['filters', 0, 'name']);
    assert.equal(formFieldOf('rules.rowScope.column', v), 'rowScopeColumn');
    assert.equal(formFieldOf('dataHandler.table', v), 'table');
    assert.equal(formFieldOf('columns', v), null);
    assert.equal(formFieldOf(undefined, v), null);
  });
});
