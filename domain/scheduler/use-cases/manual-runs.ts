import { interrupted, type ScheduledTaskRun } from '../run';
import { SchedulerErrors } from '../scheduler.errors';
import { runJob } from './run-job';
import type { JobDeps, SchedulerDeps } from './scheduler-deps';

interface Going {
  name: string;
  /** The run once recorded (null until then). */
  run: ScheduledTaskRun | null;
}

/**
 * Manual runs going on in the background (their request answered already): a graceful stop waits
 * for them, so it does not leave them RUNNING (interruptManualRuns).
 */
export class ManualRuns {
  private readonly going = new Map<Promise<unknown>, Going>();

  get size(): number {
    return this.going.size;
  }

  /** Keeps `running` until it settles. */
  add(running: Promise<unknown>, entry: Going): void {
    const settled: Promise<unknown> = running.then(
      () => this.going.delete(settled),
      () => this.going.delete(settled),
    );
    this.going.set(settled, entry);
  }

  /** Settles when every run kept now has ended. */
  async settled(): Promise<void> {
    await Promise.all(this.going.keys());
  }

  entries(): Going[] {
    return [...this.going.values()];
  }
}

/** A manual run as its request sees it: ended within the wait, or still going on. */
export interface RunNow {
  finished: boolean;
  /** The run: as it ended, or as recorded so far (null: not recorded yet). */
  run: ScheduledTaskRun | null;
}

/**
 * POST /run: runs job `name` now on this node and waits up to `waitMs` for it to end. A long run
 * (archival of millions of rows) goes on after that, kept in `manual` for a graceful stop.
 */
export async function runNow(
  d: JobDeps,
  manual: ManualRuns,
  p: { name: string; node: string; waitMs: number },
): Promise<RunNow> {
  const task = await d.scheduler.find(p.name);
  if (!task) throw SchedulerErrors.taskNotFound(p.name);
  const entry: Going = { name: task.name, run: null };
  const running = runJob(
    d,
    { name: task.name, trigger: 'manual', jobId: null, node: p.node },
    (r) => (entry.run = r),
  );
  manual.add(running, entry);
  running.catch((e: unknown) => d.logger.warn(`manual run of ${task.name} failed`, e));
  let timer: ReturnType<typeof setTimeout> | undefined;
  const waited = new Promise<null>((resolve) => {
    timer = setTimeout(() => resolve(null), p.waitMs);
  });
  try {
    const done = await Promise.race([running, waited]);
    return done ? { finished: true, run: done } : { finished: false, run: entry.run };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * At a graceful stop: waits for the manual runs still going on, up to `ms`. Runs that outlast it
 * are logged and recorded as interrupted (FAILED) while the database is still open: the process
 * is about to end under them.
 */
export async function interruptManualRuns(
  d: Pick<SchedulerDeps, 'scheduler' | 'logger' | 'clock'>,
  manual: ManualRuns,
  ms: number,
): Promise<void> {
  if (manual.size === 0) return;
  d.logger.info(`waiting up to ${ms} ms for ${manual.size} manual scheduled run(s)`);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timedOut = await Promise.race([
    manual.settled().then(() => false),
    new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), ms))),
  ]);
  clearTimeout(timer);
  if (!timedOut) return;
  for (const { name, run } of manual.entries()) {
    d.logger.warn(
      `stopping: manual run of ${name} (${run?.id ?? 'not recorded yet'}) cut off after ${ms} ms`,
    );
    if (run)
      await d.scheduler
        .interruptRun(interrupted(run, 'SHUTDOWN', d.clock.now()))
        .catch((e: unknown) => d.logger.warn(`could not record run ${run.id} as interrupted`, e));
  }
}
