import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  contentRange,
  ifRangeAllows,
  parseRange,
  unsatisfiedContentRange,
} from '../../../domain/files/byte-range';

describe('parseRange', () => {
  it('ignores an absent or empty header', () => {
    assert.equal(parseRange(undefined, 100), null);
    assert.equal(parseRange('', 100), null);
  });

  it('parses a single satisfiable range', () => {
    assert.deepEqual(parseRange('bytes=0-0', 100), { start: 0, end: 0 });
    assert.deepEqual(parseRange('bytes=0-99', 100), { start: 0, end: 99 });
    assert.deepEqual(parseRange('bytes=10-19', 100), { start: 10, end: 19 });
    assert.deepEqual(parseRange('bytes=50-', 100), { start: 50, end: 99 });
    assert.deepEqual(parseRange('bytes=99-', 100), { start: 99, end: 99 });
    assert.deepEqual(parseRange('bytes=-10', 100), { start: 90, end: 99 });
    assert.deepEqual(parseRange('bytes=-100', 100), { start: 0, end: 99 });
  });

  it('clamps the end and an over-long suffix to the representation', () => {
    assert.deepEqual(parseRange('bytes=90-1000', 100), { start: 90, end: 99 });
    assert.deepEqual(parseRange('bytes=-1000', 100), { start: 0, end: 99 });
    assert.deepEqual(parseRange(`bytes=0-${'9'.repeat(400)}`, 100), { start: 0, end: 99 });
    assert.deepEqual(parseRange(`bytes=-${'9'.repeat(30)}`, 100), { start: 0, end: 99 });
  });

  it('accepts the unit in any case and optional whitespace', () => {
    assert.deepEqual(parseRange('Bytes=1-2', 10), { start: 1, end: 2 });
    assert.deepEqual(parseRange('  BYTES = 1-2 ', 10), { start: 1, end: 2 });
    assert.deepEqual(parseRange('bytes=1-2,', 10), { start: 1, end: 2 });
    assert.deepEqual(parseRange('bytes=, 1-2', 10), { start: 1, end: 2 });
  });

  it('answers unsatisfiable for ranges beyond the end and for -0', () => {
    assert.equal(parseRange('bytes=100-', 100), 'unsatisfiable');
    assert.equal(parseRange('bytes=100-200', 100), 'unsatisfiable');
    assert.equal(parseRange(`bytes=${'9'.repeat(400)}-`, 100), 'unsatisfiable');
    assert.equal(parseRange('bytes=-0', 100), 'unsatisfiable');
  });

  it('serves the whole body for several ranges (no multipart/byteranges)', () => {
    assert.equal(parseRange('bytes=0-1,5-6', 100), null);
    assert.equal(parseRange('bytes=0-1, 200-300', 100), null);
  });

  it('ignores malformed headers instead of failing', () => {
    for (const h of [
      'bytes',
      'bytes=',
      'bytes=-',
      'bytes=a-b',
      'bytes=1-a',
      'bytes=5-1',
      'bytes=1.5-2',
      'bytes=+1-2',
      'bytes=1--2',
      'bytes=-1-2',
      'bytes=0x10-0x20',
      'items=0-1',
      '0-1',
      'bytes 0-1',
      'bytes=1 - 2',
      'bytes=,',
    ]) {
      assert.equal(parseRange(h, 100), null, h);
    }
  });

  it('handles an empty representation', () => {
    assert.equal(parseRange('bytes=0-', 0), 'unsatisfiable');
    assert.equal(parseRange('bytes=0-0', 0), 'unsatisfiable');
    assert.equal(parseRange('bytes=-0', 0), 'unsatisfiable');
    // Satisfiable by RFC 9110 but unrepresentable as Content-Range: whole (empty) body.
    assert.equal(parseRange('bytes=-5', 0), null);
    assert.equal(parseRange(undefined, 0), null);
  });

  it('handles a one-byte representation', () => {
    assert.deepEqual(parseRange('bytes=0-', 1), { start: 0, end: 0 });
    assert.deepEqual(parseRange('bytes=-1', 1), { start: 0, end: 0 });
    assert.equal(parseRange('bytes=1-', 1), 'unsatisfiable');
  });

  it('refuses an impossible size as a programming error', () => {
    for (const size of [-1, 1.5, NaN, Infinity])
      assert.throws(() => parseRange('bytes=0-1', size), RangeError);
  });

  it('formats Content-Range values', () => {
    assert.equal(contentRange({ start: 0, end: 9 }, 100), 'bytes 0-9/100');
    assert.equal(unsatisfiedContentRange(100), 'bytes */100');
  });
});

describe('ifRangeAllows', () => {
  const etag = '"abc123"';
  const lastModified = new Date('2026-11-01T10:00:00.750Z');
  it('allows the range without If-Range or when the strong ETag matches', () => {
    assert.equal(ifRangeAllows(undefined, etag), true);
    assert.equal(ifRangeAllows(etag, etag), true);
  });
  it('refuses it for another, a weak, or a missing ETag', () => {
    assert.equal(ifRangeAllows('"other"', etag), false);
    assert.equal(ifRangeAllows('W/"abc123"', etag), false);
    assert.equal(ifRangeAllows(etag, 'W/"abc123"'), false);
    assert.equal(ifRangeAllows(etag, null), false);
  });
  it('compares a date with Last-Modified at one-second precision', () => {
    assert.equal(ifRangeAllows(lastModified.toUTCString(), etag, lastModified), true);
    assert.equal(
      ifRangeAllows(new Date(lastModified.getTime() - 1000).toUTCString(), etag, lastModified),
      false,
    );
    assert.equal(ifRangeAllows('not a date', etag, lastModified), false);
    assert.equal(ifRangeAllows(lastModified.toUTCString(), etag, null), false);
  });
});
