import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isRetrying, isUnderWay, middleCut } from './format';

describe('console: middleCut', () => {
  it('keeps the end of an export name, where its date and time are', () => {
    const [head, tail] = middleCut('order_export_with_a_long_code-20261204-102345.xlsx');
    assert.equal(tail, '-102345.xlsx');
    assert.equal(head + tail, 'order_export_with_a_long_code-20261204-102345.xlsx');
  });

  it('leaves short names whole and never splits a character', () => {
    assert.deepEqual(middleCut('upload.pdf'), ['upload.pdf', '']);
    const [head, tail] = middleCut('报表'.repeat(20) + '😀', 3);
    assert.equal(Array.from(tail).length, 3);
    assert.ok(tail.endsWith('😀'));
    assert.equal(head + tail, '报表'.repeat(20) + '😀');
  });
});

describe('console: a FAILED export with a retry to come', () => {
  const exp = (status: string, willRetry?: boolean) => ({ kind: 'EXPORT', status, export: { willRetry } });
  it('reads as retrying and keeps its event stream followed', () => {
    assert.equal(isRetrying(exp('FAILED', true)), true);
    assert.equal(isUnderWay(exp('FAILED', true)), true);
  });
  it('is failed when final or from a server without the field', () => {
    for (const t of [exp('FAILED', false), exp('FAILED')]) {
      assert.equal(isRetrying(t), false);
      assert.equal(isUnderWay(t), false);
    }
    assert.equal(isUnderWay(exp('EXPORTING')), true);
    assert.equal(isUnderWay({ kind: 'FILE', status: 'PENDING', export: null }), false);
  });
});
