import type { JobOptions, JobQueue } from '../../domain/ports/job-queue.port';
import type { ExportJobs } from '../../domain/exports/export.ports';
import type { AppConfig } from '../config/app-config';
import type { OutageState } from '../../domain/exports/export-failure';

export const EXPORT_QUEUE = 'exports';
export const EXPORT_JOB = 'export';

export interface ExportJobData {
  taskId: string;
  /** Set on the runs that wait out an outage (see the export worker): when it began and the waits so far. */
  outage?: OutageState;
}

/** The job of the next try after an outage wait: unique per wait, one try (the wait itself is the retry). */
export const outageJobId = (taskId: string, attemptsSoFar: number, waits: number) =>
  `export-${taskId}-${attemptsSoFar}-w${waits}`;

/**
 * One job id per task and attempt round: adding it twice (a retried request, compensation racing
 * the original) is a no-op, while a retry after FAILED gets a fresh id.
 */
export const exportJobId = (taskId: string, attemptsSoFar: number) => `export-${taskId}-${attemptsSoFar}`;

/** A turn after a run of `taskId` released its slot: unique per release (the version after it). */
export const turnJobId = (taskId: string, version: number) => `turn-${taskId}-${version}`;

/**
 * The job that carries a task on after compensation claimed it: its version after the claim is
 * unique per claim, so each stuck state is enqueued exactly once however often compensation runs.
 */
export const compensationJobId = (taskId: string, version: number) => `comp-${taskId}-${version}`;

export function exportJobOptions(taskId: string, attemptsSoFar: number, config: AppConfig): JobOptions {
  return {
    jobId: exportJobId(taskId, attemptsSoFar),
    attempts: config.exports.maxAttempts,
    backoff: { type: 'exponential', delayMs: config.exports.retryDelayMs },
  };
}

/** The ExportJobs port over the `exports` queue. */
export function queueExportJobs(queue: JobQueue, config: AppConfig): ExportJobs {
  return {
    async enqueue(task, delayMs) {
      await queue.add<ExportJobData>(
        EXPORT_JOB,
        { taskId: task.id },
        {
          ...exportJobOptions(task.id, task.exportAttrs.attempts, config),
          ...(delayMs ? { delayMs } : {}),
        },
      );
    },
    async enqueueTurn(after) {
      // The cause's id only names the job: a released task no longer waits, and compensation's
      // cause is no task at all, so the delivery takes a fair turn for whichever export waits
      // (domain/exports/use-cases/run-export.ts).
      await queue.add<ExportJobData>(
        EXPORT_JOB,
        { taskId: after.id },
        { jobId: turnJobId(after.id, after.version), attempts: 1 },
      );
    },
    async enqueueAfterOutage(taskId, attemptsSoFar, outage, delayMs) {
      await queue.add<ExportJobData>(
        EXPORT_JOB,
        { taskId, outage },
        { jobId: outageJobId(taskId, attemptsSoFar, outage.waits), delayMs, attempts: 1 },
      );
    },
  };
}
