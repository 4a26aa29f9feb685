import { isLiveJob, type JobQueue } from '../../domain/ports/job-queue.port';
import type { SchedulerTimer } from '../../domain/scheduler/scheduler.ports';

export const SCHEDULER_QUEUE = 'scheduler';
export const SCHEDULED_JOB = 'scheduled';
export interface ScheduledJobData {
  /** The job's name (a built-in one is named after its kind). */
  name: string;
}
/** The fixed id of a job's schedule: every core node registers it, the queue keeps one. */
export const scheduleId = (name: string) => `sched-${name}`;
/** The job that makes up a missed tick: one id per tick, so every core node adding it runs it once. */
export const catchUpJobId = (name: string, tick: Date) => `catchup-${name}-${tick.getTime()}`;

/**
 * The ticks of scheduled jobs as repeatable jobs with a fixed id on the `scheduler` queue (bull on
 * Redis, or the embedded queue on the main database): however many core nodes register a job,
 * each tick becomes one queue job, which one node takes.
 */
export const queueSchedulerTimer = (queue: JobQueue): SchedulerTimer => ({
  async arm(t) {
    if (!t.enabled) return queue.removeRepeatable(scheduleId(t.name));
    await queue.addRepeatable<ScheduledJobData>(
      SCHEDULED_JOB,
      { name: t.name },
      {
        jobId: scheduleId(t.name),
        cron: t.rule.cron,
        ...(t.rule.timezone ? { timezone: t.rule.timezone } : {}),
      },
    );
  },
  disarm: (name) => queue.removeRepeatable(scheduleId(name)),
  async makeUp(name, tick) {
    await queue.add<ScheduledJobData>(SCHEDULED_JOB, { name }, { jobId: catchUpJobId(name, tick) });
  },
  tickLive: async (jobId) => isLiveJob(await queue.getJob(jobId)),
});
