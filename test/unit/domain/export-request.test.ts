import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseFilters } from '../../../domain/exports/export-request';
import { rowScopeStillAllowed } from '../../../domain/permissions/policy';
import { parseBizType, type ExportBizType } from '../../../domain/metadata/biz-type';
import { DEMO_BIZ_TYPES } from '../../../mixins/demo/demo-biz-types';

const demo = DEMO_BIZ_TYPES.find((d) => d.code === 'order_export')!;
const orders = parseBizType(demo.code, demo.definition) as ExportBizType;

describe('export request rules', () => {
  it('reads datetime filters as UTC whatever the node zone, and refuses impossible dates', () => {
    assert.deepEqual(parseFilters(orders, { createdFrom: '2026-01-01T10:00:00' }), {
      createdFrom: '2026-01-01T10:00:00.000Z',
    });
    assert.deepEqual(parseFilters(orders, { createdFrom: '2026-01-01T10:00:00+08:00' }), {
      createdFrom: '2026-01-01T02:00:00.000Z',
    });
    for (const bad of ['2026-02-31', '2026-13-01', 'May 5', '1'])
      assert.throws(() => parseFilters(orders, { createdFrom: bad }), { code: 'INVALID_FILTER' }, bad);
  });

  it('lets a row scope narrow between request and run, never widen', () => {
    assert.equal(rowScopeStillAllowed(null, null), true); // every row, still every row
    assert.equal(rowScopeStillAllowed(['a'], null), true); // now an admin: the snapshot only narrows
    assert.equal(rowScopeStillAllowed(['a', 'b'], ['a', 'b', 'c']), true);
    assert.equal(rowScopeStillAllowed(['a', 'b'], ['a']), false); // moved out of b
    assert.equal(rowScopeStillAllowed(null, ['a']), false); // demoted, or the biz type gained a scope
  });

  it('resolves a data handler type only by its own name, not by Object.prototype members', () => {
    for (const type of ['hasOwnProperty', '__proto__', 'constructor', 'toString'])
      assert.throws(
        () => parseBizType('x', { ...demo.definition, dataHandler: { type } }),
        { code: 'VALIDATION_ERROR' },
        type,
      );
  });
});
