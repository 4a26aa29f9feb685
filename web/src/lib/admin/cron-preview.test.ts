import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { describeCron, nextRuns } from './cron-preview';

describe('console admin: cron preview', () => {
  const from = new Date('2026-12-03T10:00:30Z');

  it('lists the next runs in the rule time zone', () => {
    const utc = nextRuns('30 2 * * *', 'UTC', 3, from);
    assert.ok(utc.ok);
    assert.deepEqual(
      utc.runs.map((d) => d.toISOString()),
      ['2026-12-04T02:30:00.000Z', '2026-12-05T02:30:00.000Z', '2026-12-06T02:30:00.000Z'],
    );
    const shanghai = nextRuns('30 2 * * *', 'Asia/Shanghai', 1, from);
    assert.ok(shanghai.ok);
    assert.equal(shanghai.runs[0].toISOString(), '2026-12-03T18:30:00.000Z');
  });

  it('refuses what the server refuses', () => {
    assert.equal(nextRuns('* * * *', null, 3, from).ok, false);
    assert.equal(nextRuns('61 * * * *', null, 3, from).ok, false);
    assert.equal(nextRuns('0 3 * * *', 'Mars/Olympus', 3, from).ok, false);
  });

  it('puts the usual shapes into words, and leaves the rest to the run list', () => {
    assert.deepEqual(describeCron('* * * * *'), { key: 'admin.cron.everyMinute', values: {} });
    assert.deepEqual(describeCron('*/5 * * * *'), { key: 'admin.cron.everyNMinutes', values: { n: 5 } });
    assert.deepEqual(describeCron('7 * * * *'), { key: 'admin.cron.hourlyAt', values: { minute: '07' } });
    assert.deepEqual(describeCron('30 2 * * *'), { key: 'admin.cron.dailyAt', values: { time: '02:30' } });
    assert.deepEqual(describeCron('0 3 * * 7'), {
      key: 'admin.cron.weeklyAt',
      values: { day: 0, time: '03:00' },
    });
    assert.deepEqual(describeCron('0 2 1 * *'), {
      key: 'admin.cron.monthlyAt',
      values: { day: 1, time: '02:00' },
    });
    assert.equal(describeCron('0 3 1 * 1'), null);
    assert.equal(describeCron('0 3 1-5 * *'), null);
    assert.equal(describeCron('0 0 3 * * *'), null);
  });
});
