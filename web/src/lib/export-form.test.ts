import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { buildFilterFields, columnChoices, filterLabel, requestedColumns, toFilters } from './export-form';
import type { ExportBizType, ExportColumnsAnswer } from '../api/types';

// The demo order export's shape (mixins/demo/demo-biz-types.ts).
const orders: Pick<ExportBizType, 'dataHandler' | 'columns'> = {
  dataHandler: {
    type: 'sql',
    filters: {
      status: { column: 'status', op: 'in', type: 'number' },
      createdFrom: { column: 'created_at', op: '>=', type: 'datetime' },
      city: { column: 'shipping_city', op: '=', type: 'string' },
      minItems: { column: 'item_count', op: '>=', type: 'number' },
      gift: { column: 'is_gift', op: '=', type: 'boolean' },
    },
  },
  columns: [
    {
      key: 'status',
      header: 'Status',
      headers: { 'zh-CN': '状态' },
      type: 'string',
      dict: { '1': 'Paid', '2': 'Shipped' },
      dicts: { 'zh-CN': { '1': '已支付' } },
    },
    { key: 'created_at', header: 'Created', headers: { 'zh-CN': '下单时间' }, type: 'datetime' },
    { key: 'shipping_city', header: 'City', type: 'string' },
    { key: 'item_count', header: 'Items', type: 'integer' },
  ],
};

describe('console: export filter form', () => {
  it('types each filter: dictionary enums, date-times, numbers, yes/no and text', () => {
    const fields = buildFilterFields(orders);
    const by = Object.fromEntries(fields.map((f) => [f.name, f]));
    assert.deepEqual(by.status.control, {
      kind: 'enum',
      multiple: true,
      options: [
        { value: '1', label: 'Paid' },
        { value: '2', label: 'Shipped' },
      ],
    });
    assert.equal(by.status.header, 'Status');
    assert.equal(by.status.label, 'Status is any of');
    assert.deepEqual(by.createdFrom.control, { kind: 'datetime' });
    assert.equal(by.createdFrom.label, 'Created from');
    assert.equal(by.city.label, 'City');
    assert.equal(by.minItems.label, 'Items at least');
    assert.deepEqual(by.city.control, { kind: 'text', multiple: false });
    assert.deepEqual(by.minItems.control, { kind: 'number', multiple: false });
    assert.deepEqual(by.gift.control, { kind: 'boolean' });
    assert.equal(by.gift.label, 'gift');
  });

  it('labels filters with the header in the language and the operator as words, never a symbol', () => {
    const by = Object.fromEntries(buildFilterFields(orders, 'zh-CN').map((f) => [f.name, f]));
    assert.equal(by.createdFrom.label, '下单时间 起');
    assert.equal(by.status.label, '状态（任一）');
    assert.equal(by.minItems.label, 'Items 不小于', 'no zh header: the plain one');
    assert.deepEqual(by.status.control.kind === 'enum' ? by.status.control.options : [], [
      { value: '1', label: '已支付' },
      { value: '2', label: 'Shipped' },
    ]);
    for (const op of ['=', '!=', 'in', 'like', '>=', '>', '<=', '<'] as const)
      for (const type of ['datetime', 'number'] as const)
        for (const lang of ['en', 'zh-CN'] as const)
          assert.doesNotMatch(filterLabel('X', op, type, lang), /[<>=!]/, `${op} ${type} ${lang}`);
  });

  it('turns form values into request filters, leaving empty fields out', () => {
    const fields = buildFilterFields(orders);
    const when = new Date('2026-11-01T00:00:00.000Z');
    assert.deepEqual(
      toFilters(fields, {
        status: ['1', '2'],
        createdFrom: when,
        city: ' Shanghai ',
        minItems: 3,
        gift: 'true',
      }),
      { status: [1, 2], createdFrom: '2026-11-01T00:00:00.000Z', city: 'Shanghai', minItems: 3, gift: true },
    );
    assert.deepEqual(toFilters(fields, { status: [], city: '', minItems: null }), {});
    // A picked date-time is read in the export's zone when it has one.
    const picked = {
      year: () => 2026,
      month: () => 10,
      date: () => 1,
      hour: () => 0,
      minute: () => 0,
      second: () => 0,
      toISOString: () => 'the browser zone',
    };
    assert.deepEqual(toFilters(fields, { createdFrom: picked }, 'Asia/Shanghai'), {
      createdFrom: '2026-10-31T16:00:00.000Z',
    });
    assert.deepEqual(toFilters(fields, { createdFrom: picked }), { createdFrom: 'the browser zone' });
  });

  it('shows restricted columns the user lacks as disabled and requests only the chosen ones', () => {
    const answer: ExportColumnsAnswer = {
      bizType: 'order_export',
      mayExport: true,
      columns: [
        { key: 'order_no', header: 'Order No', restricted: false, available: true },
        { key: 'amount', header: 'Amount', restricted: true, available: false },
        { key: 'buyer_phone', header: 'Phone', restricted: true, available: true },
      ],
    };
    assert.deepEqual(
      columnChoices(answer).map((c) => [c.value, c.disabled]),
      [
        ['order_no', false],
        ['amount', true],
        ['buyer_phone', false],
      ],
    );
    assert.equal(requestedColumns(answer, ['order_no', 'buyer_phone']), undefined);
    assert.deepEqual(requestedColumns(answer, ['order_no', 'amount']), ['order_no']);
  });
});
