import { heldByCap, stuckReason, type StuckReason } from '../../domain/scheduler/compensation';
import { domainEvent } from '../../domain/shared/domain-event';
import { isLiveJob, type JobQueue } from '../../domain/ports/job-queue.port';
import { EXPORT_JOB, exportJobId, exportJobOptions, type ExportJobData } from '../export-pipeline/export-job';
import type { CompensationCandidate } from './file-task-maintenance.repository';
import type { Job } from './job-context';

/**
 * The job id compensation enqueues for a claimed task: its version after the claim is unique per
 * claim, so each stuck state is enqueued exactly once however often compensation runs. One
 * attempt only: if it fails again the task is FAILED (or stuck) again and the next run claims it
 * anew, until the export's attempts are spent.
 */
export const compensationJobId = (taskId: string, version: number) => `comp-${taskId}-${version}`;

/**
 * Whether the export queue still holds a job that will run this task: the one an earlier
 * compensation enqueued for its current version, and for PENDING and FAILED tasks their own jobs
 * (named after the attempts so far by exports.create and retry; a FAILED one may have a queue
 * retry with backoff pending). An expired lease is proof enough that the export's own job is dead,
 * whatever the queue still says about it (a killed node's job looks active until its lock lapses).
 */
async function hasLiveJob(
  queue: JobQueue,
  t: CompensationCandidate,
  reason: StuckReason,
  maxAttempts: number,
): Promise<boolean> {
  const ids = [compensationJobId(t.id, t.version)];
  // A PENDING task's job is named after its attempts; a FAILED one's job may have been enqueued
  // any number of queue retries ago (up to EXPORT_MAX_ATTEMPTS).
  const lookBack = reason === 'JOB_MISSING' ? 0 : maxAttempts;
  if (reason !== 'LEASE_EXPIRED')
    for (let a = t.attempts; a >= Math.max(0, t.attempts - lookBack); a--) ids.push(exportJobId(t.id, a));
  for (const id of ids) {
    if (isLiveJob(await queue.getJob(id))) return true;
  }
  return false;
}

/**
 * Compensation: re-enqueues exports that nothing will finish otherwise: EXPORTING with an expired
 * lease (a dead worker), FAILED for a retryable reason with attempts left, PENDING with no live
 * queue job (e.g. Redis lost its data). The export worker already knows what to do with each of
 * those states (start, take over, retry), so compensation only claims and enqueues.
 */
export const compensation: Job = async (deps, rule, now) => {
  const minAgeMs = (rule.minAgeSeconds ?? 60) * 1000;
  const settledBefore = new Date(now.getTime() - minAgeMs);
  const maxAttempts = deps.config.exports.maxAttempts;
  const counts: Record<StuckReason, number> = { LEASE_EXPIRED: 0, RETRYABLE_FAILURE: 0, JOB_MISSING: 0 };
  let handled = 0;
  let failed = 0;
  let more = false;
  let held = 0;
  outer: for (const status of ['EXPORTING', 'FAILED', 'PENDING'] as const) {
    let afterId = '';
    for (;;) {
      const page = await deps.maintenance.candidates(status, {
        now,
        settledBefore,
        afterId,
        limit: rule.batchSize,
        bizTypes: rule.bizTypes,
      });
      for (const t of page) {
        if (handled >= rule.maxItems) {
          more = true;
          break outer;
        }
        const reason = stuckReason(t, now, minAgeMs, maxAttempts);
        if (!reason) continue;
        if (heldByCap(t)) {
          held++;
          continue;
        }
        if (await hasLiveJob(deps.exportQueue, t, reason, maxAttempts)) continue;
        const jobId = compensationJobId(t.id, t.version + 1);
        const event = domainEvent(
          {
            type: 'TASK_COMPENSATED',
            userId: null,
            targetType: 'FILE_TASK',
            targetId: t.id,
            bizType: t.bizType,
            detail: { reason, status: t.status, attempts: t.attempts, jobId },
          },
          deps.ids.next(),
          new Date(),
        );
        if (!(await deps.maintenance.claim(t, now, [event]))) continue; // another run was first
        deps.outboxHint();
        try {
          const options = exportJobOptions(t.id, t.attempts, deps.config);
          await deps.exportQueue.add<ExportJobData>(
            EXPORT_JOB,
            { taskId: t.id },
            { ...options, jobId, attempts: 1 },
          );
          counts[reason]++;
          handled++;
        } catch (e) {
          // Claimed but not enqueued: the task is still stuck under its new version, so the next
          // run claims and enqueues it again.
          failed++;
          deps.logger.warn(`compensation: could not enqueue ${t.id}: ${(e as Error).message}`);
        }
      }
      if (page.length < rule.batchSize) break;
      afterId = page[page.length - 1].id;
    }
  }
  if (held > 0) {
    // One turn per run, whatever the number held: its delivery refreshes every waiting reason
    // and starts an export if a cap let go.
    await deps.exportQueue
      .add<ExportJobData>(EXPORT_JOB, { taskId: '' }, { jobId: `turn-comp-${now.getTime()}`, attempts: 1 })
      .catch((e: unknown) =>
        deps.logger.warn(`compensation: could not queue a turn: ${(e as Error).message}`),
      );
  }
  return {
    handled,
    failed,
    more,
    detail: {
      ...counts,
      ...(held ? { heldByCap: held } : {}),
      ...(failed ? { enqueueFailures: failed } : {}),
    },
  };
};
