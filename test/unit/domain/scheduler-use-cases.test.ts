import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ScheduledTask, DEFAULT_RULES } from '../../../domain/scheduler/scheduled-task';
import type { CompensationCandidate } from '../../../domain/scheduler/scheduler.ports';
import type { Principal } from '../../../domain/shared/principal';
import {
  changeTask,
  deleteTask,
  listRuns,
  listTasks,
} from '../../../domain/scheduler/use-cases/manage-tasks';
import { interruptManualRuns, ManualRuns, runNow } from '../../../domain/scheduler/use-cases/manual-runs';
import { JOBS, runTick } from '../../../domain/scheduler/use-cases/run-job';
import { endOrphanedRuns } from '../../../domain/scheduler/use-cases/orphaned-runs';
import { installSchedules, recoverMissedTicks } from '../../../domain/scheduler/use-cases/schedules';
import { compensation } from '../../../domain/scheduler/use-cases/compensation';
import { archival } from '../../../domain/scheduler/use-cases/archival';
import type { TurnCause } from '../../../domain/exports/export.ports';
import { interruptedAttempts } from '../../../domain/scheduler/run';
import {
  jobDeps,
  MemoryCompensationJobs,
  MemoryMaintenance,
  MemorySchedulerRepository,
  MemoryTimer,
  schedulerDeps,
} from '../../support/memory-scheduler';
import { runningRun } from '../../support/scheduled-runs';

const NOW = new Date('2026-12-04T03:00:30Z');
const admin: Principal = { id: 'u-admin', username: 'admin', roles: ['ADMIN'], unitId: null, kind: 'user' };
const actor = { userId: admin.id, requestId: 'req-1' };
const code = async (p: Promise<unknown>) =>
  p.then(
    () => null,
    (e: { code?: string }) => e.code,
  );

describe('scheduler use cases: admin', () => {
  it('installs the built-in jobs once and arms their ticks', async () => {
    const d = schedulerDeps(NOW);
    await installSchedules(d);
    await installSchedules(d);
    const timer = d.timer as MemoryTimer;
    assert.deepEqual([...timer.armed.keys()].sort(), ['archival', 'compensation', 'expiry']);
    const views = await listTasks(d);
    assert.deepEqual(
      views.map((v) => [v.name, v.builtIn, v.lastRun]),
      [
        ['archival', true, null],
        ['compensation', true, null],
        ['expiry', true, null],
      ],
    );
    assert.equal(views[1].nextRunAt, '2026-12-04T03:01:00.000Z');
  });

  it('changes a rule with its log event, and refuses a change made meanwhile', async () => {
    const d = schedulerDeps(NOW);
    await installSchedules(d);
    const repo = d.scheduler as MemorySchedulerRepository;
    const r = await changeTask(d, admin, actor, 'archival', { enabled: false, rule: { batchSize: 10 } });
    assert.equal(r.created, false);
    assert.equal(r.view.enabled, false);
    assert.equal(r.view.rule.batchSize, 10);
    assert.equal(r.view.nextRunAt, null);
    assert.equal((d.timer as MemoryTimer).armed.has('archival'), false, 'a disabled job has no ticks');
    const e = repo.events[0];
    assert.deepEqual(
      [e.type, e.targetId, e.userId, e.requestId],
      ['SCHEDULED_TASK_CHANGED', 'archival', 'u-admin', 'req-1'],
    );
    assert.deepEqual(e.detail.before, { rule: DEFAULT_RULES.archival, enabled: true });
    // Another admin's change lands between this one's read and write.
    const update = repo.update.bind(repo);
    repo.update = async (t, from, events) => {
      repo.update = update;
      await update(
        ScheduledTask.restore({ ...(await repo.find('archival'))!.snapshot(), version: from + 1 }),
        from,
        [],
      );
      return update(t, from, events);
    };
    assert.equal(await code(changeTask(d, admin, actor, 'archival', { enabled: true })), 'CONCURRENT_CHANGE');
    assert.equal(await code(changeTask(d, admin, actor, 'archival', { kind: 'expiry' })), 'INVALID_RULE');
    assert.equal(await code(changeTask(d, admin, actor, 'nope', {})), 'SCHEDULED_TASK_NOT_FOUND');
  });

  it('creates a job of a kind under a new name, and deletes it but never a built-in one', async () => {
    const d = schedulerDeps(NOW);
    await installSchedules(d);
    const r = await changeTask(d, admin, actor, 'invoice-expiry', {
      kind: 'expiry',
      rule: { bizTypes: ['inv'] },
    });
    assert.equal(r.created, true);
    assert.equal(r.view.builtIn, false);
    assert.deepEqual(r.view.rule.bizTypes, ['inv']);
    assert.ok((d.timer as MemoryTimer).armed.has('invoice-expiry'));
    assert.equal(await code(deleteTask(d, actor, 'expiry')), 'BUILT_IN_JOB');
    await deleteTask(d, actor, 'invoice-expiry');
    assert.equal((d.timer as MemoryTimer).armed.has('invoice-expiry'), false);
    assert.equal(await code(deleteTask(d, actor, 'invoice-expiry')), 'SCHEDULED_TASK_NOT_FOUND');
    const ops = (d.scheduler as MemorySchedulerRepository).events.map((e) => e.detail.op);
    assert.deepEqual(ops, ['CREATED', 'DELETED']);
  });

  it('pages a job runs newest first, 404 for an unknown job', async () => {
    const d = schedulerDeps(NOW);
    await installSchedules(d);
    const repo = d.scheduler as MemorySchedulerRepository;
    for (const id of ['R1', 'R2', 'R3']) await repo.startRun(runningRun({ id, name: 'expiry' }));
    const first = await listRuns(d, 'expiry', { limit: 2 });
    assert.deepEqual(
      first.items.map((r) => r.id),
      ['R3', 'R2'],
    );
    const next = await listRuns(d, 'expiry', { limit: '2', cursor: first.nextCursor });
    assert.deepEqual(
      next.items.map((r) => r.id),
      ['R1'],
    );
    assert.equal(next.nextCursor, null);
    assert.equal(await code(listRuns(d, 'nope', { limit: 0 })), 'SCHEDULED_TASK_NOT_FOUND');
  });
});

describe('scheduler use cases: runs', () => {
  const withJobs = async () => {
    const scheduler = new MemorySchedulerRepository();
    const d = jobDeps(NOW, { scheduler });
    await installSchedules({ scheduler, timer: new MemoryTimer(), clock: d.clock });
    return { d, scheduler };
  };

  it('runs a job now and answers when it ends within the wait, else while it goes on', async () => {
    const { d, scheduler } = await withJobs();
    const manual = new ManualRuns();
    const done = await runNow(d, manual, { name: 'archival', node: 'n1', waitMs: 1000 });
    assert.equal(done.finished, true);
    assert.equal(done.run?.outcome, 'SUCCESS');
    const original = JOBS.expiry;
    let release = () => {};
    JOBS.expiry = async () => {
      await new Promise<void>((resolve) => (release = resolve));
      return { handled: 1, failed: 0, more: false, detail: {} };
    };
    try {
      const slow = await runNow(d, manual, { name: 'expiry', node: 'n1', waitMs: 20 });
      assert.equal(slow.finished, false);
      assert.equal(slow.run?.outcome, 'RUNNING');
      assert.equal(manual.size, 1);
      // A stop that waits long enough lets it finish.
      setTimeout(() => release(), 10);
      await interruptManualRuns({ scheduler, logger: d.logger, clock: d.clock }, manual, 1000);
      assert.equal((await scheduler.lastRun('expiry'))?.outcome, 'SUCCESS');
      assert.equal(manual.size, 0);
      // One that outlasts the wait is recorded as interrupted by the stop.
      const stuck = await runNow(d, manual, { name: 'expiry', node: 'n1', waitMs: 10 });
      await interruptManualRuns({ scheduler, logger: d.logger, clock: d.clock }, manual, 20);
      const ended = await scheduler.lastRun('expiry');
      assert.equal(ended.id, stuck.run?.id);
      assert.equal(ended.outcome, 'FAILED');
      assert.equal(interruptedAttempts(ended.detail)[0].reason, 'SHUTDOWN');
      release();
    } finally {
      JOBS.expiry = original;
    }
    assert.equal(
      await code(runNow(d, manual, { name: 'nope', node: 'n1', waitMs: 10 })),
      'SCHEDULED_TASK_NOT_FOUND',
    );
  });

  it('runs a tick once, skips a disabled or deleted job', async () => {
    const { d, scheduler } = await withJobs();
    const first = await runTick(d, { name: 'archival', jobId: 'tick-1', node: 'n1' });
    assert.equal((first as { outcome: string }).outcome, 'SUCCESS');
    assert.deepEqual(await runTick(d, { name: 'archival', jobId: 'tick-1', node: 'n2' }), { skipped: true });
    assert.deepEqual(await runTick(d, { name: 'gone', jobId: 'tick-2', node: 'n1' }), {
      skipped: 'unknown job',
    });
    const t = (await scheduler.find('archival'))!;
    t.change({ enabled: false }, null, NOW);
    await scheduler.update(t, t.version - 1, []);
    assert.deepEqual(await runTick(d, { name: 'archival', jobId: 'tick-3', node: 'n1' }), { skipped: true });
  });

  it('makes up a tick missed while the queue was gone, once per tick name', async () => {
    const d = schedulerDeps(NOW);
    await installSchedules(d);
    const repo = d.scheduler as MemorySchedulerRepository;
    // compensation (every minute) last ran two minutes ago; the others never ran.
    await repo.startRun(
      runningRun({ id: 'R1', name: 'compensation', startedAt: new Date('2026-12-04T02:58:00Z') }),
    );
    await recoverMissedTicks(d, 10_000);
    assert.deepEqual((d.timer as MemoryTimer).madeUp, ['compensation@2026-12-04T03:00:00.000Z']);
  });

  it('ends runs nobody will finish, leaving ticks the queue still holds', async () => {
    const d = schedulerDeps(NOW);
    const repo = d.scheduler as MemorySchedulerRepository;
    const timer = d.timer as MemoryTimer;
    await repo.startRun(runningRun({ id: 'GONE', node: 'gone' }));
    await repo.startRun(runningRun({ id: 'HELD', node: 'gone', jobId: 'tick-held' }));
    await repo.startRun(runningRun({ id: 'LIVE', node: 'live' }));
    timer.liveTicks.add('tick-held');
    const ended = await endOrphanedRuns(d, { self: 'me', selfSince: NOW, liveNodes: ['me', 'live'] });
    assert.deepEqual(
      ended.map((r) => r.id),
      ['GONE'],
    );
    assert.deepEqual((await repo.runningRuns()).map((r) => r.id).sort(), ['HELD', 'LIVE']);
  });
});

describe('scheduler use cases: compensation', () => {
  const old = new Date(NOW.getTime() - 10 * 60_000);
  const pending = (id: string, over: Partial<CompensationCandidate> = {}): CompensationCandidate => ({
    id,
    bizType: 'orders',
    status: 'PENDING',
    updatedAt: old,
    failureReason: null,
    attempts: 0,
    leaseUntil: null,
    version: 1,
    waitingReason: null,
    ...over,
  });
  const setup = (...tasks: CompensationCandidate[]) => {
    const maintenance = new MemoryMaintenance();
    for (const t of tasks) maintenance.stored.set(t.id, t);
    const jobs = new MemoryCompensationJobs();
    const turns: TurnCause[] = [];
    const d = jobDeps(NOW, {
      maintenance: maintenance as never,
      compensationJobs: jobs,
      turns: { enqueueTurn: async (c) => void turns.push(c) },
    });
    return { d, maintenance, jobs, turns };
  };
  const rule = { ...DEFAULT_RULES.compensation, minAgeSeconds: 60 };

  it('re-enqueues a PENDING export whose job is gone, once', async () => {
    const { d, maintenance, jobs } = setup(pending('A'));
    const r = await compensation(d, rule, NOW);
    assert.equal(r.handled, 1);
    assert.equal(r.detail.JOB_MISSING, 1);
    assert.deepEqual(jobs.enqueued, ['comp-A-2']);
    assert.equal(maintenance.events[0].detail.jobId, 'comp-A-2');
    assert.equal((await compensation(d, rule, NOW)).handled, 0, 'its compensation job is live now');
  });

  it('leaves an export waiting for a slot alone while the queue holds any job (a turn)', async () => {
    const { d, maintenance, jobs } = setup(pending('A', { waitingReason: 'NO_SLOT' }));
    jobs.others = 2;
    const r = await compensation(d, rule, NOW);
    assert.equal(r.handled, 0);
    assert.equal(r.detail.waitingForSlot, 1);
    assert.equal(maintenance.events.length, 0, 'no TASK_COMPENSATED for an export that simply waits');
    // Nothing left in the queue (Redis came back empty): no turn will ever come, so it is stuck.
    jobs.others = 0;
    const again = await compensation(d, rule, NOW);
    assert.equal(again.detail.JOB_MISSING, 1);
    assert.deepEqual(jobs.enqueued, ['comp-A-2']);
  });

  it('leaves exports held by a cap to the released slots, with one turn per run through enqueueTurn', async () => {
    const { d, maintenance, turns } = setup(
      pending('A', { waitingReason: 'USER_CONCURRENCY' }),
      pending('B', { waitingReason: 'BIZ_TYPE_CONCURRENCY' }),
    );
    const r = await compensation(d, rule, NOW);
    assert.equal(r.handled, 0);
    assert.equal(r.detail.heldByCap, 2);
    assert.equal(maintenance.events.length, 0);
    assert.deepEqual(turns, [{ id: 'comp', version: NOW.getTime() }]);
  });

  it('takes over an expired lease even when the queue says its job is active', async () => {
    const t = pending('E', { status: 'EXPORTING', leaseUntil: new Date(NOW.getTime() - 1), attempts: 1 });
    const { d, jobs } = setup(t);
    jobs.liveIds.add('export-E-1');
    const r = await compensation(d, rule, NOW);
    assert.equal(r.detail.LEASE_EXPIRED, 1);
  });

  it('counts a claim it could not enqueue as failed, for the next run to take again', async () => {
    const { d, jobs } = setup(pending('A'));
    jobs.enqueue = async () => {
      throw new Error('queue down');
    };
    const r = await compensation(d, rule, NOW);
    assert.deepEqual([r.handled, r.failed, r.detail.enqueueFailures], [0, 1, 1]);
  });
});

describe('scheduler use cases: archival', () => {
  it('takes its retention from the settings when the rule names none', async () => {
    const cutoffs: Date[] = [];
    const d = jobDeps(NOW, {
      maintenance: {
        archiveBatch: async (_s: unknown, before: Date) => {
          cutoffs.push(before);
          return 0;
        },
      } as never,
      logs: { archiveBefore: async (before: Date) => (cutoffs.push(before), 0) },
    });
    const r = await archival(d, DEFAULT_RULES.archival, NOW);
    assert.equal(r.handled, 0);
    const days = (t: Date) => Math.round((NOW.getTime() - t.getTime()) / 86_400_000);
    assert.deepEqual(cutoffs.map(days), [30, 30, 30, 180]);
  });
});
