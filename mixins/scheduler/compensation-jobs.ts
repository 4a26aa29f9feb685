import { isLiveJob, type JobQueue } from '../../domain/ports/job-queue.port';
import type { CompensationJobs } from '../../domain/scheduler/scheduler.ports';
import type { AppConfig } from '../config/app-config';
import {
  compensationJobId,
  EXPORT_JOB,
  exportJobId,
  exportJobOptions,
  type ExportJobData,
} from '../export-pipeline/export-job';

/**
 * The CompensationJobs port over the `exports` queue, with the job names the exports path uses
 * (mixins/export-pipeline/export-job.ts).
 */
export const queueCompensationJobs = (queue: JobQueue, config: AppConfig): CompensationJobs => ({
  async live(taskId, version, attemptRounds) {
    const ids = [compensationJobId(taskId, version), ...attemptRounds.map((a) => exportJobId(taskId, a))];
    for (const id of ids) {
      if (isLiveJob(await queue.getJob(id))) return true;
    }
    return false;
  },
  async enqueue(taskId, attemptsSoFar, version) {
    // One attempt only: if it fails again the task is FAILED (or stuck) again and the next run
    // claims it anew, until the export's attempts are spent.
    await queue.add<ExportJobData>(
      EXPORT_JOB,
      { taskId },
      {
        ...exportJobOptions(taskId, attemptsSoFar, config),
        jobId: compensationJobId(taskId, version),
        attempts: 1,
      },
    );
  },
  jobId: compensationJobId,
  async idle() {
    const c = await queue.counts();
    return c.waiting + c.delayed + c.active === 0;
  },
});
