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
import { nextTurn, type TurnLimits } from '../fair-turns';
import type { ExportDeps } from './export-deps';
import { failExport, finishExport, type RunOutcome } from './finish-export';

/** One delivery of an export job: the queue's job id, the task, and the outage wait it continues. */
export interface ExportJobRun {
  jobId: string;
  taskId: string;
  outage: OutageState | null;
}

export type JobOutcome = RunOutcome | { skipped: string };

/** The export a delivery ran, once it claimed one (it may not be the job's own: see runExport). */
interface Ran {
  task: FileTask | null;
}

/**
 * Runs an export job on this node (`runner`: the node id). A failure because something is
 * unreachable (the transporter, a service, the database, Redis) is waited out with a delayed
 * retry job instead of spending an attempt, for as long as the outage window lasts (outageRetry).
 * Whatever the outcome, a slot this run held is released with a turn for the exports waiting.
 */
export async function runExportJob(
  d: ExportDeps,
  runner: string,
  job: ExportJobRun,
  random: () => number = Math.random,
): Promise<JobOutcome> {
  const ran: Ran = { task: null };
  let result: JobOutcome & { wait?: OutageDecision };
  try {
    result = await runExport(d, runner, job, random, ran);
  } catch (e) {
    const wait = outageRetry(classifyExportError(e), job.outage, d.clock.now().getTime(), random(), {
      windowMs: d.settings.outageWindowMs,
    });
    if (!wait.wait) {
      await releaseSlot(d, ran.task);
      throw e;
    }
    d.logger.warn(`export ${job.taskId}: waiting ${wait.delayMs} ms for an outage: ${(e as Error).message}`);
    result = { outcome: 'WAITING', wait };
  }
  await releaseSlot(d, ran.task);
  if (result.wait?.wait) {
    const taskId = ran.task?.id ?? job.taskId;
    const task = await d.tasks.find(taskId).catch(() => null);
    const attempts = task?.kind === 'EXPORT' ? task.exportAttrs.attempts : 0;
    // If this fails too (Redis is the outage), the task stays FAILED with its attempts left and
    // compensation enqueues it once the queue answers again.
    await d.jobs.enqueueAfterOutage(taskId, attempts, result.wait.next, result.wait.delayMs);
  }
  return result;
}

/**
 * A run gave its worker slot back: if exports wait, one more turn is queued, so an export held by
 * a cap (whose own job found nothing it could run) starts as soon as the cap allows. Best effort:
 * compensation queues a turn for exports held by a cap should this one be lost.
 */
async function releaseSlot(d: ExportDeps, task: FileTask | null): Promise<void> {
  if (!task) return;
  try {
    if (await d.turns.anyWaiting()) await d.jobs.enqueueTurn(task);
  } catch (e) {
    d.logger.warn(`export ${task.id}: could not queue the next turn: ${(e as Error).message}`);
  }
}

/**
 * One delivery of a job is one turn of a free worker slot (domain/exports/fair-turns.ts): the job's
 * own export is continued when its worker died (take over: it had its turn already) and moved back
 * to PENDING when it failed and may retry; then the fair policy names the export that runs, which
 * may be another user's. Re-checks that the export is still allowed, runs the pipeline and
 * records the outcome.
 */
export async function runExport(
  d: ExportDeps,
  runner: string,
  job: ExportJobRun,
  random: () => number = Math.random,
  ran: Ran = { task: null },
): Promise<JobOutcome> {
  // Unique per run: a stalled job that bull hands out again on the same node is another owner.
  const owner = `${runner}:${job.jobId}:${d.ids.next()}`;
  const now = d.clock.now();
  const own = await d.tasks.find(job.taskId);
  let task: FileTask | null = null;
  if (own?.kind === 'EXPORT' && own.status === 'EXPORTING') {
    const from = { status: own.status, version: own.version };
    // The conditional update is the lock: of two workers given one task, one wins here.
    if (own.claim(owner, leaseFrom(d, now), now, d.settings.maxAttempts) === 'TAKE_OVER') {
      if (await d.tasks.transition(own, from, [])) task = own;
    }
  } else if (own?.kind === 'EXPORT' && own.status === 'FAILED' && own.mayRetry(d.settings.maxAttempts)) {
    const from = { status: own.status, version: own.version };
    own.retry(now);
    await d.tasks.transition(own, from, []);
  }
  task ??= await takeTurn(d, owner, now);
  if (!task) return { skipped: 'waiting' };
  ran.task = task;
  await d.progress
    .publish({ taskId: task.id, status: 'EXPORTING', rows: 0, total: null })
    .catch(() => undefined);
  if (task.id === job.taskId) return runClaimed(d, task, job.outage, random);
  try {
    return await runClaimed(d, task, null, random);
  } catch (e) {
    // Recorded as FAILED with a retry to come: the queue would retry this job's own export, so
    // the export that ran gets a retry job of its own, after the backoff the queue would wait.
    if (!(e instanceof ExportFailure)) throw e;
    const attempts = task.exportAttrs.attempts;
    await d.jobs.enqueue(task, d.settings.retryDelayMs * 2 ** Math.max(0, attempts - 1));
    return { outcome: 'FAILED', reason: e.reason };
  }
}

/** A fair turn: the policy names the export, claimed for `owner` in the same atomic step. */
async function takeTurn(d: ExportDeps, owner: string, now: Date): Promise<FileTask | null> {
  const maxima = new Map<string, number | null>();
  for (const code of await d.turns.activeBizTypes(now)) {
    const b = await d.bizTypes.find(code);
    maxima.set(code, b?.kind === 'EXPORT' ? (b.rules.maxConcurrent ?? null) : null);
  }
  const limits: TurnLimits = {
    userConcurrency: d.settings.userConcurrency,
    bizTypeMax: (code) => maxima.get(code) ?? null,
  };
  const leaseUntil = leaseFrom(d, now);
  return d.turns.take(
    now,
    (s) => nextTurn(s, limits),
    (t) => t.kind === 'EXPORT' && t.claim(owner, leaseUntil, now, d.settings.maxAttempts) === 'START',
  );
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
