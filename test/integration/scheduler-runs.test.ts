import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { servers } from '../support/servers';
import { tempMysqlDatabase } from '../support/mysql';
import { acquireMainDatabase, releaseMainDatabase } from '../../mixins/database/main-database';
import { TypeormSchedulerRepository } from '../../mixins/scheduler/scheduler.repository';
import { ulidIds } from '../../mixins/auth/ulid-ids';
import { runningRun } from '../support/scheduled-runs';
import { interrupted, takeOver, type ScheduledTaskRun } from '../../domain/scheduler/run';

/**
 * The run record's conditional writes on MariaDB: a takeover changes the primary key under a
 * condition, so of many racing takers exactly one wins and the old attempt's writes find nothing.
 */
describe('scheduled run takeover on MariaDB', async () => {
  const s = await servers('mysql');
  if (s.skip) {
    it('needs MySQL', { skip: s.skip }, () => {});
    return;
  }
  let url: string;
  let drop: () => Promise<void>;
  let repo: TypeormSchedulerRepository;
  const fresh = (over: Partial<ScheduledTaskRun> = {}): ScheduledTaskRun =>
    runningRun({
      name: 'compensation',
      jobId: `repeat:sched-compensation:${Date.now()}`,
      node: 'core-1',
      ...over,
    });

  before(async () => {
    ({ url, drop } = await tempMysqlDatabase(s.url.mysql, 'ftc_test_sched_runs'));
    repo = new TypeormSchedulerRepository(await acquireMainDatabase({ type: 'mysql', url }));
  });
  after(async () => {
    await releaseMainDatabase({ type: 'mysql', url });
    await drop();
  });

  it('lets exactly one of eight racing nodes take a RUNNING tick over', async () => {
    const prev = fresh();
    assert.equal(await repo.startRun(prev), true);
    assert.equal(await repo.startRun({ ...prev, id: ulidIds.next() }), false, 'one run per tick');
    const takers = Array.from({ length: 8 }, (_, i) =>
      takeOver(prev, fresh({ jobId: prev.jobId, node: `core-${i + 2}`, startedAt: new Date() })),
    );
    const won = await Promise.all(takers.map((t) => repo.takeOverRun(prev.id, t)));
    assert.equal(won.filter(Boolean).length, 1, JSON.stringify(won));
    const winner = takers[won.indexOf(true)];
    const stored = (await repo.runOfTick('compensation', prev.jobId!))!;
    assert.equal(stored.id, winner.id);
    assert.equal(stored.node, winner.node);
    assert.equal(stored.startedAt.getTime(), winner.startedAt.getTime());
    assert.equal((stored.detail.interrupted as { runId: string }[])[0].runId, prev.id);
    // The interrupted attempt, had it only stalled, can neither finish nor be ended any more.
    assert.equal(await repo.finishRun({ ...prev, outcome: 'SUCCESS', finishedAt: new Date() }), false);
    assert.equal(await repo.interruptRun(interrupted(prev, 'NODE_GONE', new Date())), false);
    assert.deepEqual(
      (await repo.runningRuns()).map((r) => r.id),
      [winner.id],
    );
    assert.equal(await repo.finishRun({ ...winner, outcome: 'SUCCESS', finishedAt: new Date() }), true);
    assert.equal(await repo.takeOverRun(winner.id, fresh({ jobId: prev.jobId })), false, 'finished');
  });

  it('ends an orphaned run once, and its real outcome still lands', async () => {
    const run = fresh({ trigger: 'manual', jobId: null });
    assert.equal(await repo.startRun(run), true);
    const end = interrupted(run, 'NODE_GONE', new Date());
    const ended = await Promise.all([repo.interruptRun(end), repo.interruptRun(end)]);
    assert.deepEqual(ended.sort(), [false, true]);
    assert.equal((await repo.lastRun('compensation'))!.outcome, 'FAILED');
    assert.equal(
      await repo.finishRun({ ...run, outcome: 'SUCCESS', handled: 2, finishedAt: new Date() }),
      true,
    );
    assert.equal((await repo.lastRun('compensation'))!.outcome, 'SUCCESS');
  });
});
