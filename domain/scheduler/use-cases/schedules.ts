import { missedTick } from '../cron';
import { JOB_NAMES, ScheduledTask } from '../scheduled-task';
import type { SchedulerDeps } from './scheduler-deps';

/**
 * At start: the built-in jobs are stored if missing (another node or an admin may have stored them
 * already: kept), then every stored job's ticks are registered.
 */
export async function installSchedules(
  d: Pick<SchedulerDeps, 'scheduler' | 'timer' | 'clock'>,
): Promise<void> {
  const now = d.clock.now();
  for (const name of JOB_NAMES) await d.scheduler.ensure(ScheduledTask.byDefault(name, now));
  await armSchedules(d);
}

/**
 * Makes the queue's schedules match the stored jobs. The stored rules are the truth: a queue that
 * lost its data (Redis restarted without persistence, FLUSHDB) gets its schedules back. Fixed ids
 * make this idempotent; every node doing it changes nothing.
 */
export async function armSchedules(d: Pick<SchedulerDeps, 'scheduler' | 'timer'>): Promise<void> {
  for (const t of await d.scheduler.list()) await d.timer.arm(t);
}

/**
 * The queue came back after losing its connection, maybe empty (Redis restarted without its
 * data): the schedules are registered again at once (not at the next reconcile), and a tick
 * missed meanwhile is made up once (the job is named after the tick), so exports whose queue jobs
 * were lost are found by compensation within one firing interval. A tick younger than `graceMs`
 * may still be firing: it is not made up.
 */
export async function recoverMissedTicks(
  d: Pick<SchedulerDeps, 'scheduler' | 'timer' | 'clock' | 'logger'>,
  graceMs: number,
): Promise<void> {
  const now = d.clock.now();
  for (const t of await d.scheduler.list()) {
    await d.timer.arm(t);
    if (!t.enabled) continue;
    const last = await d.scheduler.lastRun(t.name);
    const tick = missedTick(t.rule.cron, t.rule.timezone, last?.startedAt ?? null, now, graceMs);
    if (!tick) continue;
    await d.timer.makeUp(t.name, tick);
    d.logger.info(`scheduled job ${t.name}: the tick of ${tick.toISOString()} was missed; made up now`);
  }
}
