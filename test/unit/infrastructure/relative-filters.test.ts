import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  checkRelativeFilters,
  relativeInstant,
  resolveFilters,
} from '../../../domain/export-schedules/relative-filters';
import { tickTime } from '../../../mixins/export-schedules/schedule-timer';

describe('relative filter values', () => {
  it('resolves in the schedule zone, DST included', () => {
    // 06:00 UTC on 9 March 2026 is 02:00 EDT (New York moved to summer time on 8 March).
    const at = new Date('2026-03-09T06:00:00Z');
    assert.equal(
      relativeInstant({ $relative: '-P1D', $startOf: 'day' }, at, 'America/New_York'),
      '2026-03-08T00:00:00-05:00',
    );
    assert.equal(
      relativeInstant({ $relative: 'PT0S', $startOf: 'day' }, at, 'America/New_York'),
      '2026-03-09T00:00:00-04:00',
    );
    // The same instant read in Shanghai is already 14:00 on 9 March.
    assert.equal(
      relativeInstant({ $relative: '-P1D', $startOf: 'day' }, at, 'Asia/Shanghai'),
      '2026-03-08T00:00:00+08:00',
    );
    assert.equal(
      relativeInstant({ $relative: '-P1M', $startOf: 'month' }, at, 'Asia/Shanghai'),
      '2026-02-01T00:00:00+08:00',
    );
    // Weeks start on Monday (ISO): 9 March 2026 is a Monday.
    assert.equal(relativeInstant({ $relative: '-P1W', $startOf: 'week' }, at, 'UTC'), '2026-03-02T00:00:00Z');
    assert.equal(relativeInstant({ $relative: '-PT6H' }, at, 'UTC'), '2026-03-09T00:00:00Z');
  });

  it('leaves plain values alone and resolves inside lists', () => {
    const at = new Date('2026-01-15T12:00:00Z');
    assert.deepEqual(
      resolveFilters(
        { status: [1, 2], city: 'Shanghai', when: [{ $relative: '-P1D', $startOf: 'day' }] },
        at,
        'UTC',
      ),
      { status: [1, 2], city: 'Shanghai', when: ['2026-01-14T00:00:00Z'] },
    );
  });

  it('refuses malformed relative values', () => {
    const refused = (f: Record<string, unknown>) =>
      assert.throws(
        () => checkRelativeFilters(f),
        (e: { code?: string }) => e.code === 'INVALID_RELATIVE_FILTER',
      );
    refused({ a: { $relative: 'P1X' } });
    refused({ a: { $relative: '-P1D', $startOf: 'year' } });
    refused({ a: { $relative: '-P1D', extra: 1 } });
    refused({ a: { $startOf: 'day' } });
    refused({ a: [{ $relative: 5 }] });
    checkRelativeFilters({
      a: { $relative: '+P1D' },
      b: 'x',
      c: [1, { $relative: 'PT1H', $startOf: 'day' }],
    });
  });

  it('reads the tick instant from either queue job id', () => {
    const s = { cron: '0 * * * *', timeZone: 'UTC' };
    const now = new Date('2026-01-01T10:20:00Z');
    assert.equal(tickTime('xs-01ABC:1767261600000', s, now).toISOString(), '2026-01-01T10:00:00.000Z');
    assert.equal(tickTime('repeat:9f1c2d:1767261600000', s, now).toISOString(), '2026-01-01T10:00:00.000Z');
    assert.equal(tickTime('manual', s, now).toISOString(), '2026-01-01T10:00:00.000Z');
  });
});
