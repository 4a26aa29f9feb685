/** One run of a scheduled job, as recorded in its history. */
export type RunOutcome = 'RUNNING' | 'SUCCESS' | 'PARTIAL' | 'FAILED';
export type RunTrigger = 'cron' | 'manual';

export interface ScheduledTaskRun {
  id: string;
  name: string;
  trigger: RunTrigger;
  /** The queue job of a cron tick (one per tick); null for manual runs. */
  jobId: string | null;
  node: string;
  startedAt: Date;
  finishedAt: Date | null;
  handled: number;
  outcome: RunOutcome;
  detail: Record<string, unknown>;
}

/** What a job reports: how many items it handled, and per-kind counts for the detail. */
export interface JobReport {
  handled: number;
  /** Items it could not handle this time (they stay for the next run). */
  failed: number;
  /** True when the run stopped at rule.maxItems with work left. */
  more: boolean;
  detail: Record<string, unknown>;
}

/**
 * The outcome of a finished run: FAILED when the job threw before handling anything, PARTIAL when
 * it threw after some work or some items failed, SUCCESS otherwise (stopping at maxItems with work
 * left is still a success: the next run carries on).
 */
export function runOutcome(report: JobReport | null, error: unknown): RunOutcome {
  if (error !== null && error !== undefined) return report && report.handled > 0 ? 'PARTIAL' : 'FAILED';
  if (!report) return 'FAILED';
  return report.failed > 0 ? 'PARTIAL' : 'SUCCESS';
}
