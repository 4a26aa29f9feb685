import type { JobName } from '../../domain/scheduler/scheduled-task';
import {
  runOutcome,
  type JobReport,
  type RunTrigger,
  type ScheduledTaskRun,
} from '../../domain/scheduler/run';
import { notFound } from '../../domain/shared/errors';
import { archival } from './archival.job';
import { compensation } from './compensation.job';
import { expiry } from './expiry.job';
import type { Job, JobDeps } from './job-context';

export const JOBS: Record<JobName, Job> = { compensation, archival, expiry };

export const SCHEDULER_QUEUE = 'scheduler';
export const SCHEDULED_JOB = 'scheduled';
export interface ScheduledJobData {
  name: JobName;
}
/** The fixed id of a job's schedule: every core node registers it, the queue keeps one. */
export const scheduleId = (name: JobName) => `sched-${name}`;

/**
 * Runs a job once and records the run. Returns null when nothing ran: a cron tick of a disabled
 * job, or a tick already run (the queue delivered it twice). Job errors end the run as FAILED or
 * PARTIAL, never escape: a cron tick has nobody to report to but the history.
 */
export async function runJob(
  deps: JobDeps,
  p: { name: JobName; trigger: RunTrigger; jobId: string | null; node: string },
  onStarted?: (run: ScheduledTaskRun) => void,
): Promise<ScheduledTaskRun | null> {
  const task = await deps.scheduler.find(p.name);
  if (!task) throw notFound('SCHEDULED_TASK_NOT_FOUND', `no scheduled task "${p.name}"`);
  if (p.trigger === 'cron' && !task.enabled) return null;
  const run: ScheduledTaskRun = {
    id: deps.ids.next(),
    name: p.name,
    trigger: p.trigger,
    jobId: p.jobId,
    node: p.node,
    startedAt: new Date(),
    finishedAt: null,
    handled: 0,
    outcome: 'RUNNING',
    detail: { rule: task.rule },
  };
  if (!(await deps.scheduler.startRun(run))) {
    deps.logger.warn(`scheduled job ${p.name}: tick ${p.jobId} was delivered twice; it ran once`);
    return null;
  }
  onStarted?.({ ...run });
  let report: JobReport | null = null;
  let error: unknown = null;
  try {
    report = await JOBS[p.name](deps, task.rule, run.startedAt);
  } catch (e) {
    error = e;
    deps.logger.warn(`scheduled job ${p.name} failed: ${(e as Error).message}`);
  }
  run.finishedAt = new Date();
  run.handled = report?.handled ?? 0;
  run.outcome = runOutcome(report, error);
  run.detail = {
    ...(report ? { ...report.detail, more: report.more, failed: report.failed } : {}),
    ...(error ? { error: String((error as Error).message ?? error).slice(0, 500) } : {}),
    ms: run.finishedAt.getTime() - run.startedAt.getTime(),
  };
  await deps.scheduler.finishRun(run);
  if (run.handled > 0 || run.outcome !== 'SUCCESS')
    deps.logger.info(`scheduled job ${p.name}: ${run.outcome}, ${run.handled} handled`);
  return run;
}
