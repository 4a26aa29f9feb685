import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_RULES, parseRule, ScheduledTask } from '../../../domain/scheduler/scheduled-task';
import { stuckReason, type CompensationView } from '../../../domain/scheduler/compensation';
import { runOutcome } from '../../../domain/scheduler/run';
import { checkCron, missedTick, nextTick } from '../../../domain/scheduler/cron';
import { objectWanted, taskIdOfKey } from '../../../domain/scheduler/use-cases/expiry';

const code = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    return (e as { code?: string }).code;
  }
  return null;
};

describe('scheduled task rules', () => {
  it('accepts 5- and 6-field crons and IANA zones, refuses the rest', () => {
    checkCron('*/5 * * * *', null);
    checkCron('* * * * * *', 'Asia/Shanghai');
    assert.equal(
      code(() => checkCron('* * * *', null)),
      'INVALID_CRON',
    );
    assert.equal(
      code(() => checkCron('60 * * * *', null)),
      'INVALID_CRON',
    );
    assert.equal(
      code(() => checkCron('* * * * *', 'Nowhere/City')),
      'INVALID_TIMEZONE',
    );
    const next = nextTick('0 3 * * *', 'UTC', new Date('2026-01-01T05:00:00Z'));
    assert.equal(next?.toISOString(), '2026-01-02T03:00:00.000Z');
  });

  it('finds the one tick a schedule missed while its queue was gone', () => {
    const at = (t: string) => new Date(`2026-01-01T${t}Z`);
    // Every minute; last run 12:00:01, queue back at 12:03:30: the 12:03 tick is made up (once).
    assert.equal(
      missedTick('* * * * *', 'UTC', at('12:00:01'), at('12:03:30'), 10_000)?.toISOString(),
      '2026-01-01T12:03:00.000Z',
    );
    // The tick of 12:03 ran (a run started after it): nothing missed.
    assert.equal(missedTick('* * * * *', 'UTC', at('12:03:01'), at('12:03:30'), 10_000), null);
    // A tick firing right now is not missed: the grace looks at the one before it, which ran.
    assert.equal(missedTick('* * * * *', 'UTC', at('12:02:01'), at('12:03:05'), 10_000), null);
    // Daily at 03:00, nothing since yesterday's run: today's tick.
    assert.equal(
      missedTick('0 3 * * *', 'UTC', new Date('2025-12-31T03:00:02Z'), at('09:00:00'), 10_000)?.toISOString(),
      '2026-01-01T03:00:00.000Z',
    );
    assert.equal(
      missedTick('* * * * *', 'UTC', null, at('12:03:30'), 10_000),
      null,
      'never ran: nothing missed',
    );
  });

  it('merges a partial rule, refuses fields of other jobs and out-of-range values', () => {
    const r = parseRule(
      'compensation',
      { cron: ' */2   * * * * ', minAgeSeconds: 0 },
      DEFAULT_RULES.compensation,
    );
    assert.equal(r.cron, '*/2 * * * *');
    assert.equal(r.minAgeSeconds, 0);
    assert.equal(r.batchSize, DEFAULT_RULES.compensation.batchSize);
    assert.equal(
      code(() => parseRule('compensation', { logRetentionDays: 3 }, r)),
      'INVALID_RULE',
    );
    assert.equal(
      code(() => parseRule('archival', { batchSize: 10_001 }, r)),
      'INVALID_RULE',
    );
    assert.equal(
      code(() => parseRule('archival', { bizTypes: ['a b'] }, r)),
      'INVALID_RULE',
    );
    assert.equal(
      code(() => parseRule('archival', [], r)),
      'INVALID_RULE',
    );
    assert.deepEqual(parseRule('expiry', { bizTypes: ['x', 'x'] }, r).bizTypes, ['x']);
  });

  it('changes a task through one method that bumps its version', () => {
    const t = ScheduledTask.byDefault('expiry', new Date());
    t.change({ enabled: false }, 'u1', new Date());
    assert.equal(t.enabled, false);
    assert.equal(t.version, 2);
    assert.equal(
      code(() => t.change({ enabled: 'no' }, 'u1', new Date())),
      'VALIDATION_ERROR',
    );
    // A rule stored before a field existed gets the field's default.
    const old = ScheduledTask.restore({ ...t.snapshot(), rule: { cron: '0 1 * * *' } as never });
    assert.equal(old.rule.cron, '0 1 * * *');
    assert.equal(old.rule.batchSize, DEFAULT_RULES.expiry.batchSize);
  });
});

describe('compensation: what counts as stuck', () => {
  const now = new Date('2026-01-01T12:00:00Z');
  const base: CompensationView = {
    status: 'PENDING',
    updatedAt: new Date(now.getTime() - 120_000),
    failureReason: null,
    attempts: 0,
    leaseUntil: null,
  };
  const judge = (p: Partial<CompensationView>) => stuckReason({ ...base, ...p }, now, 60_000, 3);

  it('judges each state', () => {
    assert.equal(judge({}), 'JOB_MISSING');
    assert.equal(judge({ updatedAt: new Date(now.getTime() - 1000) }), null, 'too fresh');
    assert.equal(judge({ status: 'EXPORTING', leaseUntil: new Date(now.getTime() - 1) }), 'LEASE_EXPIRED');
    assert.equal(judge({ status: 'EXPORTING', leaseUntil: new Date(now.getTime() + 1000) }), null);
    assert.equal(
      judge({ status: 'FAILED', failureReason: 'STORAGE_ERROR', attempts: 1 }),
      'RETRYABLE_FAILURE',
    );
    assert.equal(judge({ status: 'FAILED', failureReason: 'STORAGE_ERROR', attempts: 3 }), null, 'spent');
    assert.equal(judge({ status: 'FAILED', failureReason: 'ROW_LIMIT_EXCEEDED', attempts: 1 }), null);
    assert.equal(judge({ status: 'SUCCESS' }), null);
  });

  it('gives a run its outcome', () => {
    const report = { handled: 2, failed: 0, more: false, detail: {} };
    assert.equal(runOutcome(report, null), 'SUCCESS');
    assert.equal(runOutcome({ ...report, failed: 1 }, null), 'PARTIAL');
    assert.equal(runOutcome(null, new Error('x')), 'FAILED');
  });
});

describe('orphan collection: which objects are wanted', () => {
  it('names objects after their task and keeps only wanted ones', () => {
    assert.equal(taskIdOfKey('exports/order_export/2026-01/01ABC.xlsx'), '01ABC');
    assert.equal(taskIdOfKey('files/2026/01/01ABC'), '01ABC');
    const key = 'exports/b/2026-01/01ABC.csv';
    assert.equal(objectWanted(key, undefined), false);
    assert.equal(objectWanted(key, { status: 'EXPORTING', storageKey: null }), true);
    assert.equal(objectWanted(key, { status: 'SUCCESS', storageKey: key }), true);
    assert.equal(objectWanted(key, { status: 'SUCCESS', storageKey: 'exports/b/2026-01/01ABC.xlsx' }), false);
    assert.equal(objectWanted(key, { status: 'EXPIRED', storageKey: key }), false);
  });
});
