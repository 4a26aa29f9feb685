import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DEMO_STORE_UNIT_IDS } from '../../../mixins/demo/demo-directory';
import {
  DANGEROUS_REMARKS,
  ORDER_COLUMN_KEYS,
  ORDER_STATUS_CODES,
  generateOrder,
  generateOrders,
  type OrderRow,
} from '../../../mixins/demo/order-generator';

const SAMPLE = generateOrders(1, 10_000);

describe('order generator', () => {
  it('gives the same row for an id whatever batch or order it is generated in', () => {
    const backwards = [5_000, 1, 9_999, 42, 10_000].map((id) => generateOrder(id));
    assert.deepEqual(
      backwards,
      [5_000, 1, 9_999, 42, 10_000].map((id) => SAMPLE[id - 1]),
    );
    const batches = [
      ...generateOrders(1, 3_333),
      ...generateOrders(3_334, 7_000),
      ...generateOrders(7_001, 10_000),
    ];
    assert.deepEqual(batches, SAMPLE);
    // A pinned row: any change to the generator changes every seeded database.
    assert.deepEqual(generateOrder(1), {
      id: 1,
      order_no: '2024110100000000001',
      created_at: '2024-11-01T00:33:34.816Z',
      paid_at: '2024-11-01T01:02:48.790Z',
      status: 3,
      buyer_name: '欧阳明',
      buyer_phone: '13913527659',
      amount: '730.42',
      currency: 'CNY',
      item_count: 1,
      sku: 'SKU-10001-STD',
      product_name: '无线蓝牙耳机 Pro',
      shipping_city: '厦门',
      unit_id: 'u-south-sz',
      remark: '送货前请电话联系',
    } satisfies OrderRow);
  });

  it('produces exactly the declared columns', () => {
    for (const row of SAMPLE.slice(0, 100)) assert.deepEqual(Object.keys(row), [...ORDER_COLUMN_KEYS]);
  });

  it('covers every status and every store unit', () => {
    assert.deepEqual(new Set(SAMPLE.map((r) => r.status)), new Set(ORDER_STATUS_CODES));
    assert.deepEqual(new Set(SAMPLE.map((r) => r.unit_id)), new Set(DEMO_STORE_UNIT_IDS));
  });

  it('starts about 5% of remarks with a formula or control character, each prefix present', () => {
    const prefixes = ['=', '+', '-', '@', '\t', '\r'];
    const dangerous = SAMPLE.filter((r) => r.remark !== null && prefixes.includes(r.remark.charAt(0)));
    const rate = dangerous.length / SAMPLE.length;
    assert.ok(rate > 0.04 && rate < 0.06, `dangerous rate ${rate}`);
    for (const p of prefixes) {
      assert.ok(
        dangerous.some((r) => r.remark!.startsWith(p)),
        `a remark starts with ${JSON.stringify(p)}`,
      );
    }
    assert.ok(dangerous.every((r) => DANGEROUS_REMARKS.includes(r.remark!)));
    assert.ok(SAMPLE.some((r) => r.remark === null));
    assert.ok(SAMPLE.some((r) => r.remark === ''));
  });

  it('makes order numbers long, numeric and unique', () => {
    const sample = [...SAMPLE, ...generateOrders(1_000_000, 1_005_000)];
    for (const r of sample) assert.match(r.order_no, /^\d{19,20}$/);
    assert.equal(new Set(sample.map((r) => r.order_no)).size, sample.length);
  });

  it('formats phones, amounts and dates, and keeps time moving forward with the id', () => {
    let previous = '';
    for (const r of SAMPLE) {
      assert.match(r.buyer_phone, /^1[3-9]\d{9}$/);
      assert.match(r.amount, /^\d+\.\d{2}$/);
      assert.ok(r.item_count >= 1 && r.item_count <= 5);
      assert.equal(new Date(r.created_at).toISOString(), r.created_at);
      assert.ok(r.created_at >= previous, `created_at of ${r.id} does not go back in time`);
      assert.ok(r.order_no.startsWith(r.created_at.slice(0, 10).replace(/-/g, '')));
      if (r.paid_at !== null) assert.ok(r.paid_at > r.created_at);
      else assert.equal(r.status, 5, 'only cancelled orders may be unpaid');
      previous = r.created_at;
    }
    assert.ok(
      SAMPLE.some((r) => /[^ -~]/.test(r.product_name)),
      'some product names are not ASCII',
    );
  });

  it('stays within the fixed two-year window for large ids', () => {
    const last = generateOrder(100_000_000);
    assert.ok(last.created_at < '2026-11-01T00:00:00.000Z', last.created_at);
    assert.ok(SAMPLE[0].created_at >= '2024-11-01T00:00:00.000Z');
  });

  it('rejects ids outside 1..MAX_ORDER_ID', () => {
    for (const bad of [0, -1, 1.5, Number.NaN]) assert.throws(() => generateOrder(bad), RangeError);
  });
});
