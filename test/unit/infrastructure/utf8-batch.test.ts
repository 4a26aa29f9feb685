import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Utf8Batch } from '../../../mixins/export-pipeline/writers/utf8-batch';

describe('Utf8Batch', () => {
  it('hands on what was added as UTF-8, once, in a copy the next batch does not overwrite', () => {
    const batch = new Utf8Batch(64);
    assert.equal(batch.take(), null);
    assert.ok(batch.add('<v>Zoë</v>'));
    assert.ok(batch.add('🎧欧阳'));
    const first = batch.take()!;
    assert.equal(first.toString('utf8'), '<v>Zoë</v>🎧欧阳');
    assert.equal(batch.take(), null);
    assert.ok(batch.add('xxxxxxxxxxxxxxxxxxxx'));
    assert.equal(first.toString('utf8'), '<v>Zoë</v>🎧欧阳', 'the first batch is untouched');
    assert.equal(batch.take()!.toString('utf8'), 'xxxxxxxxxxxxxxxxxxxx');
  });

  it('refuses, adding nothing, text that might not fit; never truncates', () => {
    const batch = new Utf8Batch(30);
    assert.ok(batch.add('abc'));
    assert.equal(batch.add('欧'.repeat(10)), false, '10 units may need 30 bytes, 27 left');
    assert.equal(batch.take()!.toString('utf8'), 'abc');
    assert.ok(batch.add('欧'.repeat(10)));
    assert.equal(batch.take()!.toString('utf8'), '欧'.repeat(10));
    assert.equal(batch.add('x'.repeat(11)), false, 'larger than the whole buffer');
    batch.add('y');
    batch.clear();
    assert.equal(batch.take(), null);
  });
});
