import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { timeZoneChoices, zonedInstant, type WallClock } from './zoned-time';

const at = (iso: string): WallClock => {
  const [d, t] = iso.split('T');
  const [y, mo, da] = d.split('-').map(Number);
  const [h, mi, s] = t.split(':').map(Number);
  return {
    year: () => y,
    month: () => mo - 1,
    date: () => da,
    hour: () => h,
    minute: () => mi,
    second: () => s,
  };
};
const instant = (iso: string, zone: string) => zonedInstant(at(iso), zone).toISOString();

describe('console: wall-clock times in a time zone', () => {
  it('reads a wall-clock time in the named zone, whatever zone the process is in', () => {
    assert.equal(instant('2026-11-01T00:00:00', 'Asia/Shanghai'), '2026-10-31T16:00:00.000Z');
    assert.equal(instant('2026-11-01T00:00:00', 'UTC'), '2026-11-01T00:00:00.000Z');
    assert.equal(instant('2026-07-01T09:30:15', 'America/New_York'), '2026-07-01T13:30:15.000Z');
    assert.equal(instant('2026-01-15T09:30:00', 'Asia/Kolkata'), '2026-01-15T04:00:00.000Z');
  });

  it('moves a time skipped by a spring-forward gap later, and takes the first of a repeated hour', () => {
    // New York skips 02:00-03:00 on 2026-03-08; Berlin on 2026-03-29.
    assert.equal(instant('2026-03-08T02:30:00', 'America/New_York'), '2026-03-08T07:30:00.000Z');
    assert.equal(instant('2026-03-29T02:30:00', 'Europe/Berlin'), '2026-03-29T01:30:00.000Z');
    // 01:30 happens twice in New York on 2026-11-01 (EDT, then EST); 02:30 twice in Berlin on 2026-10-25.
    assert.equal(instant('2026-11-01T01:30:00', 'America/New_York'), '2026-11-01T05:30:00.000Z');
    assert.equal(instant('2026-10-25T02:30:00', 'Europe/Berlin'), '2026-10-25T00:30:00.000Z');
  });

  it('offers UTC first and always the zones asked for', () => {
    const zones = timeZoneChoices('Etc/GMT+5');
    assert.equal(zones[0], 'UTC');
    assert.ok(zones.includes('Asia/Shanghai'));
    assert.ok(zones.includes('Etc/GMT+5'));
    assert.equal(new Set(zones).size, zones.length);
  });
});
