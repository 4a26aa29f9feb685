import type { JobKind } from '../../domain/scheduler/scheduled-task';
import {
  finished,
  interrupted,
  orphans,
  takeOver,
  type ClusterView,
  type JobReport,
  type RunTrigger,
  type ScheduledTaskRun,
} from '../../domain/scheduler/run';
import { isLiveJob, type JobQueue } from '../../domain/ports/job-queue.port';
import { archival } from './archival.job';
import { compensation } from './compensation.job';
import { expiry } from './expiry.job';
import type { Job, JobDeps } from './job-context';
import { SchedulerErrors } from '../../domain/scheduler/scheduler.errors';

export const JOBS: Record<JobKind, Job> = { compensation, archival, expiry };

export const SCHEDULER_QUEUE = 'scheduler';
export const SCHEDULED_JOB = 'scheduled';
export interface ScheduledJobData {
  /** The job's name (a built-in one is named after its kind). */
  name: string;
}
/** The fixed id of a job's schedule: every core node registers it, the queue keeps one. */
export const scheduleId = (name: string) => `sched-${name}`;

/**
 * Runs a job once and records the run. Returns null when nothing ran: a cron tick of a disabled
 * job, or a tick whose run is recorded as finished already (the queue delivered it twice). A tick
 * whose run is still RUNNING is taken over (see takeOverTick). Job errors end the run as FAILED or
 * PARTIAL, never escape: a cron tick has nobody to report to but the history.
 */
export async function runJob(
  deps: JobDeps,
  p: { name: string; trigger: RunTrigger; jobId: string | null; node: string },
  onStarted?: (run: ScheduledTaskRun) => void,
): Promise<ScheduledTaskRun | null> {
  const task = await deps.scheduler.find(p.name);
  if (!task) throw SchedulerErrors.taskNotFound(p.name);
  if (p.trigger === 'cron' && !task.enabled) return null;
  let run: ScheduledTaskRun = {
    id: deps.ids.next(),
    name: p.name,
    trigger: p.trigger,
    jobId: p.jobId,
    node: p.node,
    startedAt: deps.clock.now(),
    finishedAt: null,
    handled: 0,
    outcome: 'RUNNING',
    detail: { rule: task.rule },
  };
  if (!(await deps.scheduler.startRun(run))) {
    const taken = await takeOverTick(deps, p.name, run);
    if (!taken) return null;
    run = taken;
  }
  onStarted?.({ ...run });
  let report: JobReport | null = null;
  let error: unknown = null;
  try {
    report = await JOBS[task.kind](deps, task.rule, run.startedAt);
  } catch (e) {
    error = e;
    deps.logger.warn(`scheduled job ${p.name} failed: ${(e as Error).message}`);
  }
  run = finished(run, report, error, deps.clock.now());
  if (!(await deps.scheduler.finishRun(run)))
    deps.logger.warn(
      `scheduled job ${p.name}: run ${run.id} ended (${run.outcome}) after another node took it over; its record is theirs`,
    );
  else if (run.handled > 0 || run.outcome !== 'SUCCESS')
    deps.logger.info(`scheduled job ${p.name}: ${run.outcome}, ${run.handled} handled`);
  return run;
}

/**
 * A tick delivered again. The queue does that only when the lock of the worker running it lapsed
 * (the worker died, or stalled longer than the lock), so a run still RUNNING is taken over and
 * worked here; a stalled worker that wakes up finds its record gone (finishRun). The jobs are safe
 * to re-run and to overlap (their claims are conditional, archival batches lock their rows). A
 * tick whose run finished is a true duplicate and is refused.
 */
async function takeOverTick(
  deps: JobDeps,
  name: string,
  fresh: ScheduledTaskRun,
): Promise<ScheduledTaskRun | null> {
  const tick = fresh.jobId!;
  const prev = await deps.scheduler.runOfTick(name, tick);
  if (!prev || prev.outcome !== 'RUNNING') {
    deps.logger.warn(`scheduled job ${name}: tick ${tick} was delivered twice; it ran once`);
    return null;
  }
  const run = takeOver(prev, fresh);
  if (!(await deps.scheduler.takeOverRun(prev.id, run))) {
    deps.logger.warn(`scheduled job ${name}: tick ${tick} was taken over by another node first`);
    return null;
  }
  deps.logger.warn(
    `scheduled job ${name}: tick ${tick} was still RUNNING on node ${prev.node} (since ${prev.startedAt.toISOString()}); taken over`,
  );
  return run;
}

/**
 * Ends the RUNNING runs nobody will finish (see the domain's orphans) as FAILED with the attempt
 * in detail.interrupted, and returns them. A cron tick the queue still holds is left alone: the
 * queue redelivers it and runJob takes its run over, so the tick still gets its run.
 */
export async function endOrphanedRuns(
  deps: Pick<JobDeps, 'scheduler' | 'logger'>,
  queue: JobQueue,
  view: ClusterView,
): Promise<ScheduledTaskRun[]> {
  const ended: ScheduledTaskRun[] = [];
  for (const { run, reason } of orphans(await deps.scheduler.runningRuns(), view)) {
    if (run.jobId !== null && isLiveJob(await queue.getJob(run.jobId))) continue;
    const end = interrupted(run, reason, new Date());
    // Conditional: another node may have ended it, or a redelivered tick taken it over, meanwhile.
    if (!(await deps.scheduler.interruptRun(end))) continue;
    deps.logger.warn(
      `scheduled job ${run.name}: run ${run.id} on node ${run.node} was interrupted (${reason}); recorded as FAILED`,
    );
    ended.push(end);
  }
  return ended;
}
