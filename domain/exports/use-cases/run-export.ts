import type { FileTask } from '../../file-tasks/file-task';
import type { ExportBizType } from '../../metadata/biz-type';
import { exportStillAllowed } from '../../permissions/policy';
import {
  classifyExportError,
  ExportFailure,
  ExportStopped,
  outageRetry,
  type OutageDecision,
  type OutageState,
} from '../export-failure';
import type { Heartbeat } from '../export-pipeline.ports';
import { rowScopeUnits } from '../export-request';
import type { ExportDeps } from './export-deps';
import { failExport, finishExport, type RunOutcome } from './finish-export';

/** One delivery of an export job: the queue's job id, the task, and the outage wait it continues. */
export interface ExportJobRun {
  jobId: string;
  taskId: string;
  outage: OutageState | null;
}

export type JobOutcome = RunOutcome | { skipped: string };

/**
 * Runs an export job on this node (`runner`: the node id). A failure because something is
 * unreachable (the transporter, a service, the database, Redis) is waited out with a delayed
 * retry job instead of spending an attempt, for as long as the outage window lasts (outageRetry).
 */
export async function runExportJob(
  d: ExportDeps,
  runner: string,
  job: ExportJobRun,
  random: () => number = Math.random,
): Promise<JobOutcome> {
  let result: JobOutcome & { wait?: OutageDecision };
  try {
    result = await runExport(d, runner, job, random);
  } catch (e) {
    const wait = outageRetry(classifyExportError(e), job.outage, d.clock.now().getTime(), random(), {
      windowMs: d.settings.outageWindowMs,
    });
    if (!wait.wait) throw e;
    d.logger.warn(`export ${job.taskId}: waiting ${wait.delayMs} ms for an outage: ${(e as Error).message}`);
    result = { outcome: 'WAITING', wait };
  }
  if (result.wait?.wait) {
    const task = await d.tasks.find(job.taskId).catch(() => null);
    const attempts = task?.kind === 'EXPORT' ? task.exportAttrs.attempts : 0;
    // If this fails too (Redis is the outage), the task stays FAILED with its attempts left and
    // compensation enqueues it once the queue answers again.
    await d.jobs.enqueueAfterOutage(job.taskId, attempts, result.wait.next, result.wait.delayMs);
  }
  return result;
}

/**
 * Claims the task (the aggregate decides: start, take over or retry), re-checks that the export
 * is still allowed, runs the pipeline and records the outcome.
 */
export async function runExport(
  d: ExportDeps,
  runner: string,
  job: ExportJobRun,
  random: () => number = Math.random,
): Promise<JobOutcome> {
  const task = await d.tasks.find(job.taskId);
  if (!task || task.kind !== 'EXPORT') return { skipped: 'gone' };
  // Unique per run: a stalled job that bull hands out again on the same node is another owner.
  const owner = `${runner}:${job.jobId}:${d.ids.next()}`;
  const now = d.clock.now();
  const from = { status: task.status, version: task.version };
  if (!task.claim(owner, leaseFrom(d, now), now, d.settings.maxAttempts)) return { skipped: task.status };
  // The conditional update is the lock: of two workers given one task, one wins here.
  if (!(await d.tasks.transition(task, from, []))) return { skipped: 'taken' };
  await d.progress
    .publish({ taskId: task.id, status: 'EXPORTING', rows: 0, total: null })
    .catch(() => undefined);
  return runClaimed(d, task, job.outage, random);
}

async function runClaimed(
  d: ExportDeps,
  claimed: FileTask,
  outage: OutageState | null,
  random: () => number,
): Promise<RunOutcome> {
  const task = claimed;
  const started = d.clock.now().getTime();
  let unpublished: string | null = null;
  try {
    const b = await stillExportable(d, task);
    const output = await d.pipeline.run(task, b, heartbeat(d, task, task.exportAttrs.leaseOwner!));
    unpublished = output.file.storageKey;
    const outcome = await finishExport(d, task, output, d.clock.now().getTime() - started);
    unpublished = null;
    return outcome;
  } catch (err) {
    // A file whose SUCCESS could not be recorded is never published: the next attempt writes its own.
    if (unpublished) await d.pipeline.discard(unpublished);
    if (err instanceof ExportStopped) return { outcome: 'STOPPED' };
    return failExport(d, task, classifyExportError(err), outage, random);
  }
}

/**
 * The biz type as it is now, and the requester as they are now (roles, unit, disabled), not as
 * they were when they asked: an export whose permission was revoked since fails.
 */
async function stillExportable(d: ExportDeps, task: FileTask): Promise<ExportBizType> {
  const b = await d.bizTypes.find(task.bizType);
  if (!b) throw new ExportFailure('BIZ_TYPE_INVALID', `biz type ${task.bizType} no longer exists`);
  if (b.kind !== 'EXPORT') throw new ExportFailure('BIZ_TYPE_INVALID', `${b.code} is no longer an export`);
  const requester = await d.users.current(task.createdBy);
  if (!requester || requester.disabled)
    throw new ExportFailure('PERMISSION_REVOKED', 'the requester no longer exists or is disabled');
  const { subject, grants, unitPaths } = await d.permissions.inputs(requester);
  const why = exportStillAllowed(
    subject,
    { code: b.code, columns: b.columns, columnPermission: b.rules.columnPermission },
    task.exportAttrs.spec,
    grants,
    rowScopeUnits(b, requester, unitPaths),
  );
  if (why) throw new ExportFailure('PERMISSION_REVOKED', why);
  return b;
}

/** Progress and the lease, by this run's owner only; false when the task was cancelled or taken over. */
function heartbeat(d: ExportDeps, task: FileTask, owner: string): Heartbeat {
  return async (rows, total) => {
    const now = d.clock.now();
    const ok = await d.tasks.heartbeat(task.id, owner, { rows, total, now, leaseUntil: leaseFrom(d, now) });
    if (ok)
      void d.progress.publish({ taskId: task.id, status: 'EXPORTING', rows, total }).catch(() => undefined);
    return ok;
  };
}

const leaseFrom = (d: Pick<ExportDeps, 'settings'>, now: Date) =>
  new Date(now.getTime() + d.settings.leaseSeconds * 1000);
