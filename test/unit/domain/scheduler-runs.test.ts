import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  finished,
  interrupted,
  interruptedAttempts,
  orphans,
  RECORDED_NODE_MAX,
  takeOver,
  type ScheduledTaskRun,
} from '../../../domain/scheduler/run';

const T0 = new Date('2026-03-01T10:00:00.000Z');
const at = (s: number) => new Date(T0.getTime() + s * 1000);
const run = (over: Partial<ScheduledTaskRun> = {}): ScheduledTaskRun => ({
  id: 'r1',
  name: 'archival',
  trigger: 'cron',
  jobId: 'tick-1',
  node: 'node-a',
  startedAt: T0,
  finishedAt: null,
  handled: 0,
  outcome: 'RUNNING',
  detail: { rule: { batchSize: 10 } },
  ...over,
});

describe('scheduled runs: takeover and interruption', () => {
  it('a takeover is the new attempt, noting each attempt it replaces', () => {
    const first = run();
    const second = takeOver(first, run({ id: 'r2', node: 'node-b', startedAt: at(90) }));
    assert.equal(second.id, 'r2');
    assert.equal(second.node, 'node-b');
    assert.deepEqual(second.startedAt, at(90));
    assert.equal(second.jobId, 'tick-1');
    assert.deepEqual(second.detail.rule, { batchSize: 10 });
    assert.deepEqual(interruptedAttempts(second.detail), [
      { runId: 'r1', node: 'node-a', startedAt: T0.toISOString(), reason: 'REDELIVERED' },
    ]);
    const third = takeOver(second, run({ id: 'r3', node: 'node-c', startedAt: at(200) }));
    assert.deepEqual(
      interruptedAttempts(third.detail).map((a) => [a.runId, a.node]),
      [
        ['r1', 'node-a'],
        ['r2', 'node-b'],
      ],
    );
  });

  it('a finished run keeps the interrupted attempts before it, and only them', () => {
    const taken = takeOver(run(), run({ id: 'r2', node: 'node-b', startedAt: at(60) }));
    const done = finished(
      taken,
      { handled: 3, failed: 0, more: false, detail: { fileTasks: 3 } },
      null,
      at(70),
    );
    assert.equal(done.outcome, 'SUCCESS');
    assert.equal(done.handled, 3);
    assert.deepEqual(done.finishedAt, at(70));
    assert.equal(done.detail.ms, 10_000);
    assert.equal(done.detail.fileTasks, 3);
    assert.equal(interruptedAttempts(done.detail).length, 1);
    const plain = finished(run(), null, new Error('db down'), at(5));
    assert.equal(plain.outcome, 'FAILED');
    assert.equal(plain.detail.error, 'db down');
    assert.equal('interrupted' in plain.detail, false);
  });

  it('an interrupted run is FAILED (no new outcome value) with the attempt and an error', () => {
    const ended = interrupted(run({ trigger: 'manual', jobId: null }), 'SHUTDOWN', at(30));
    assert.equal(ended.outcome, 'FAILED');
    assert.deepEqual(ended.finishedAt, at(30));
    assert.equal(ended.handled, 0);
    assert.deepEqual(interruptedAttempts(ended.detail), [
      { runId: 'r1', node: 'node-a', startedAt: T0.toISOString(), reason: 'SHUTDOWN' },
    ]);
    assert.match(String(ended.detail.error), /interrupted \(SHUTDOWN\) on node node-a/);
    assert.deepEqual(ended.detail.rule, { batchSize: 10 }, 'the rule it ran under is kept');
  });
});

describe('scheduled runs: which RUNNING runs nobody will finish', () => {
  const self = 'core-1';
  const since = at(100);
  const reasons = (runs: ScheduledTaskRun[], liveNodes: string[] | null) =>
    orphans(runs, { self, selfSince: since, liveNodes }).map((o) => [o.run.id, o.reason]);

  it('runs of nodes that left the cluster, and own runs from before this process', () => {
    const runs = [
      run({ id: 'gone', node: 'core-9' }),
      run({ id: 'live', node: 'core-2' }),
      run({ id: 'mine-old', node: self, startedAt: at(99) }),
      run({ id: 'mine-now', node: self, startedAt: at(100) }),
      run({ id: 'gone-done', node: 'core-9', outcome: 'SUCCESS', finishedAt: at(5) }),
    ];
    assert.deepEqual(reasons(runs, [self, 'core-2']), [
      ['gone', 'NODE_GONE'],
      ['mine-old', 'NODE_RESTARTED'],
    ]);
  });

  it('while the cluster is not known yet, judges only its own runs', () => {
    const runs = [run({ id: 'gone', node: 'core-9' }), run({ id: 'mine-old', node: self, startedAt: at(0) })];
    assert.deepEqual(reasons(runs, null), [['mine-old', 'NODE_RESTARTED']]);
  });

  it('compares node ids as a run records them (truncated)', () => {
    const long = 'n'.repeat(RECORDED_NODE_MAX + 20);
    const recorded = long.slice(0, RECORDED_NODE_MAX);
    const runs = [run({ id: 'long-live', node: recorded, startedAt: at(200) })];
    assert.deepEqual(reasons(runs, [self, long]), []);
    assert.deepEqual(orphans(runs, { self: long, selfSince: since, liveNodes: [] }), []);
  });
});
