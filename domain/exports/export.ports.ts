import type { FileTask } from '../file-tasks/file-task';
import type { OutageState } from './export-failure';

/** The export queue, as the use cases need it. Jobs carry ids, never rows. */
export interface ExportJobs {
  /** The job of the task's current attempt round: adding it twice is a no-op. */
  enqueue(task: FileTask): Promise<void>;
  /** The next try after an outage wait, `delayMs` from now: one try, unique per wait. */
  enqueueAfterOutage(
    taskId: string,
    attemptsSoFar: number,
    outage: OutageState,
    delayMs: number,
  ): Promise<void>;
}

/** A progress hint for open event streams; the task record stays the truth. */
export interface ProgressEvent {
  taskId: string;
  status: string;
  rows?: number;
  total?: number | null;
  reason?: string;
  /** On FAILED: another attempt follows, so the stream stays open. */
  willRetry?: boolean;
}

/** Sends progress to every gateway (a broadcast). */
export interface ExportProgress {
  publish(e: ProgressEvent): Promise<void>;
}

/** Export settings the use cases apply (EXPORT_* configuration). */
export interface ExportSettings {
  maxAttempts: number;
  leaseSeconds: number;
  outageWindowMs: number;
}
