import { CronExpressionParser } from 'cron-parser';
import type { ExportSchedule } from '../../domain/export-schedules/export-schedule';
import type { ScheduleTimer } from '../../domain/export-schedules/export-schedule.ports';
import type { JobQueue } from '../../domain/ports/job-queue.port';

export const EXPORT_SCHEDULE_QUEUE = 'export-schedules';
export const FIRE_JOB = 'fire';
export interface FireJobData {
  scheduleId: string;
  /** On a retry (see retryFiring): the tick it fires again, epoch ms. A tick's own job has none. */
  at?: number;
}

/** Tries of a firing retried after an outage; the backoff doubles from EXPORT_RETRY_DELAY_MS. */
export const FIRING_RETRY_ATTEMPTS = 5;

/** The fixed id of a schedule's ticks: every core node registers it, the queue keeps one. */
export const tickId = (scheduleId: string) => `xs-${scheduleId}`;

/**
 * The ticks of export schedules as repeatable jobs with a fixed id, the scheduler's once-per-tick
 * mechanism (bull on Redis, or the embedded queue on the main database): however many core nodes
 * register a schedule, each tick becomes one job, which one node takes.
 */
export const queueScheduleTimer = (queue: JobQueue): ScheduleTimer => ({
  async arm(s: ExportSchedule) {
    if (!s.enabled) return queue.removeRepeatable(tickId(s.id));
    await queue.addRepeatable<FireJobData>(
      FIRE_JOB,
      { scheduleId: s.id },
      { jobId: tickId(s.id), cron: s.cron, timezone: s.timeZone },
    );
  },
  disarm: (id: string) => queue.removeRepeatable(tickId(id)),
});

/**
 * The instant a tick's job stands for. Both adapters name a tick's job `…:<epoch ms of the tick>`
 * (embedded: `<id>:<ms>`, bull: `repeat:<key>:<ms>`), so a tick that runs late (a missed firing
 * made up at start) still resolves its relative filters at its own time, and keys its task by it.
 * A job named otherwise falls back to the cron's latest tick at or before `now`.
 */
export function tickTime(jobId: string, s: Pick<ExportSchedule, 'cron' | 'timeZone'>, now: Date): Date {
  const named = tickOfJob(jobId);
  if (named) return named;
  const at = new Date(now.getTime() + 1000);
  return CronExpressionParser.parse(s.cron, { currentDate: at, tz: s.timeZone }).prev().toDate();
}

/** The tick instant a tick's job id names (see tickTime); null when it names none. */
export function tickOfJob(jobId: string): Date | null {
  const m = /:(\d{10,16})$/.exec(jobId);
  return m ? new Date(Number(m[1])) : null;
}

/**
 * A tick whose firing failed because something was unreachable (the database, Redis, a service)
 * is fired again by the queue. Both adapters' repeatable ticks are one-try jobs, so the tick's
 * failure adds this job: FIRING_RETRY_ATTEMPTS tries with a doubling backoff, named after the
 * tick (added once however often the tick is delivered), and the firing's task is keyed by the
 * tick too (fire-schedule.ts), so a retry never makes a second task.
 */
export async function retryFiring(
  queue: JobQueue,
  scheduleId: string,
  at: Date,
  delayMs: number,
): Promise<void> {
  await queue.add<FireJobData>(
    FIRE_JOB,
    { scheduleId, at: at.getTime() },
    {
      jobId: `xs-retry-${scheduleId}-${at.getTime()}`,
      attempts: FIRING_RETRY_ATTEMPTS,
      backoff: { type: 'exponential', delayMs },
      delayMs,
    },
  );
}
