import type { JobKind } from '../scheduled-task';
import { finished, takeOver, type JobReport, type RunTrigger, type ScheduledTaskRun } from '../run';
import { SchedulerErrors } from '../scheduler.errors';
import { archival } from './archival';
import { compensation } from './compensation';
import { expiry } from './expiry';
import type { Job, JobDeps } from './scheduler-deps';

/** The job of each kind (tests may stand one in for another: the runner reads it at each run). */
export const JOBS: Record<JobKind, Job> = { compensation, archival, expiry };

/** Who asks for a run: a cron tick (its queue job id) or an admin (manual, no job). */
export interface RunRequest {
  name: string;
  trigger: RunTrigger;
  jobId: string | null;
  node: string;
}

/**
 * Runs a job once and records the run. Returns null when nothing ran: a cron tick of a disabled
 * job, or a tick whose run is recorded as finished already (the queue delivered it twice). A tick
 * whose run is still RUNNING is taken over (see takeOverTick). Job errors end the run as FAILED or
 * PARTIAL, never escape: a cron tick has nobody to report to but the history.
 */
export async function runJob(
  d: JobDeps,
  p: RunRequest,
  onStarted?: (run: ScheduledTaskRun) => void,
): Promise<ScheduledTaskRun | null> {
  const task = await d.scheduler.find(p.name);
  if (!task) throw SchedulerErrors.taskNotFound(p.name);
  if (p.trigger === 'cron' && !task.enabled) return null;
  let run: ScheduledTaskRun = {
    id: d.ids.next(),
    name: p.name,
    trigger: p.trigger,
    jobId: p.jobId,
    node: p.node,
    startedAt: d.clock.now(),
    finishedAt: null,
    handled: 0,
    outcome: 'RUNNING',
    detail: { rule: task.rule },
  };
  if (!(await d.scheduler.startRun(run))) {
    const taken = await takeOverTick(d, p.name, run);
    if (!taken) return null;
    run = taken;
  }
  onStarted?.({ ...run });
  let report: JobReport | null = null;
  let error: unknown = null;
  try {
    report = await JOBS[task.kind](d, task.rule, run.startedAt);
  } catch (e) {
    error = e;
    d.logger.warn(`scheduled job ${p.name} failed: ${(e as Error).message}`);
  }
  run = finished(run, report, error, d.clock.now());
  if (!(await d.scheduler.finishRun(run)))
    d.logger.warn(
      `scheduled job ${p.name}: run ${run.id} ended (${run.outcome}) after another node took it over; its record is theirs`,
    );
  else if (run.handled > 0 || run.outcome !== 'SUCCESS')
    d.logger.info(`scheduled job ${p.name}: ${run.outcome}, ${run.handled} handled`);
  return run;
}

/** One cron tick of job `name` as the queue delivers it (`jobId`: the tick's job). */
export async function runTick(
  d: JobDeps,
  tick: { name: string; jobId: string; node: string },
): Promise<{ run: string; outcome: string } | { skipped: string | true }> {
  // A tick of a job deleted meanwhile (its schedule is removed with it).
  if (!(await d.scheduler.find(tick.name))) return { skipped: 'unknown job' };
  const run = await runJob(d, { ...tick, trigger: 'cron' });
  return run ? { run: run.id, outcome: run.outcome } : { skipped: true };
}

/**
 * A tick delivered again. The queue does that only when the lock of the worker running it lapsed
 * (the worker died, or stalled longer than the lock), so a run still RUNNING is taken over and
 * worked here; a stalled worker that wakes up finds its record gone (finishRun). The jobs are safe
 * to re-run and to overlap (their claims are conditional, archival batches lock their rows). A
 * tick whose run finished is a true duplicate and is refused.
 */
async function takeOverTick(
  d: JobDeps,
  name: string,
  fresh: ScheduledTaskRun,
): Promise<ScheduledTaskRun | null> {
  const tick = fresh.jobId ?? '';
  const prev = await d.scheduler.runOfTick(name, tick);
  if (!prev || prev.outcome !== 'RUNNING') {
    d.logger.warn(`scheduled job ${name}: tick ${tick} was delivered twice; it ran once`);
    return null;
  }
  const run = takeOver(prev, fresh);
  if (!(await d.scheduler.takeOverRun(prev.id, run))) {
    d.logger.warn(`scheduled job ${name}: tick ${tick} was taken over by another node first`);
    return null;
  }
  d.logger.warn(
    `scheduled job ${name}: tick ${tick} was still RUNNING on node ${prev.node} (since ${prev.startedAt.toISOString()}); taken over`,
  );
  return run;
}
