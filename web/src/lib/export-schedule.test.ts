import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { buildFilterFields } from './export-form';
import { dateRangeFields, formValuesOf, periodOf, wallClockIn, withPeriod } from './export-schedule';
import type { ExportBizType } from '../api/types';

// The demo order export's filters (mixins/demo/demo-biz-types.ts), in short.
const orders: Pick<ExportBizType, 'dataHandler' | 'columns'> = {
  dataHandler: {
    type: 'sql',
    filters: {
      status: { column: 'status', op: 'in', type: 'number' },
      createdFrom: { column: 'created_at', op: '>=', type: 'datetime' },
      createdTo: { column: 'created_at', op: '<', type: 'datetime' },
      city: { column: 'shipping_city', op: '=', type: 'string' },
    },
  },
  columns: [
    { key: 'status', header: 'Status', type: 'string', dict: { '1': 'Paid', '2': 'Shipped' } },
    { key: 'created_at', header: 'Created', type: 'datetime' },
    { key: 'shipping_city', header: 'City', type: 'string' },
  ],
};
const fields = buildFilterFields(orders);

describe('console: export schedule form', () => {
  it('finds the date range a period fills', () => {
    assert.deepEqual(dateRangeFields(fields), { from: 'createdFrom', to: 'createdTo' });
    assert.equal(dateRangeFields(fields.filter((f) => f.type !== 'datetime')), null);
  });

  it('writes a period as relative values the API takes, over fixed dates', () => {
    const range = { from: 'createdFrom', to: 'createdTo' };
    const f = withPeriod({ city: 'Hangzhou', createdFrom: '2026-01-01T00:00:00.000Z' }, range, 'lastMonth');
    assert.deepEqual(f, {
      city: 'Hangzhou',
      createdFrom: { $relative: '-P1M', $startOf: 'month' },
      createdTo: { $relative: 'P0D', $startOf: 'month' },
    });
    assert.deepEqual(withPeriod({}, { from: 'createdFrom' }, 'yesterday'), {
      createdFrom: { $relative: '-P1D', $startOf: 'day' },
    });
  });

  it('reads a stored period back: a preset, custom, or none', () => {
    const range = dateRangeFields(fields);
    const yesterday = withPeriod({}, range!, 'yesterday');
    assert.equal(periodOf(yesterday, range), 'yesterday');
    assert.equal(periodOf(withPeriod({}, range!, 'last7days'), range), 'last7days');
    assert.equal(periodOf({ createdFrom: { $relative: '-PT6H' } }, range), 'custom');
    assert.equal(periodOf({ createdFrom: '2026-01-01T00:00:00Z' }, range), null);
    assert.equal(periodOf(yesterday, null), null);
  });

  it('turns stored filters into form values, fixed dates in the schedule zone', () => {
    assert.deepEqual(wallClockIn('2026-11-30T16:00:00Z', 'Asia/Shanghai'), {
      year: 2026,
      month: 11,
      date: 1,
      hour: 0,
      minute: 0,
      second: 0,
    });
    const v = formValuesOf(
      fields,
      {
        status: [1, 2],
        city: 'Hangzhou',
        createdFrom: '2026-11-30T16:00:00Z',
        createdTo: { $relative: 'P0D' },
      },
      'Asia/Shanghai',
      (w) => `${w.year}-${w.month + 1}-${w.date} ${w.hour}`,
    );
    assert.deepEqual(v, { status: ['1', '2'], city: 'Hangzhou', createdFrom: '2026-12-1 0' });
  });
});
