import { CronExpressionParser } from 'cron-parser';
import type { ExportSchedule } from '../../domain/export-schedules/export-schedule';
import type { ScheduleTimer } from '../../domain/export-schedules/export-schedule.ports';
import type { JobQueue } from '../../domain/ports/job-queue.port';

export const EXPORT_SCHEDULE_QUEUE = 'export-schedules';
export const FIRE_JOB = 'fire';
export interface FireJobData {
  scheduleId: string;
}

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
  const m = /:(\d{10,16})$/.exec(jobId);
  if (m) return new Date(Number(m[1]));
  const at = new Date(now.getTime() + 1000);
  return CronExpressionParser.parse(s.cron, { currentDate: at, tz: s.timeZone }).prev().toDate();
}
