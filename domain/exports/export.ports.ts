import type { FileTask } from '../file-tasks/file-task';
import type { OutageState } from './export-failure';
import type { RunningGroup, TurnDecision, TurnState } from './fair-turns';

/** What a turn answers: the task that released its slot at `version`, or another cause and a unique number. */
export interface TurnCause {
  id: string;
  version: number;
}

/** The export queue, as the use cases need it. Jobs carry ids, never rows. */
export interface ExportJobs {
  /**
   * The job of the task's current attempt round: adding it twice is a no-op. `delayMs`: not
   * before then (a retry's backoff).
   */
  enqueue(task: FileTask, delayMs?: number): Promise<void>;
  /**
   * A turn: a job that runs whichever waiting export the fair policy names. Queued after a task
   * released its worker slot (it finished, failed or stopped), and by compensation for exports
   * that wait (a release's turn may be lost). `after` names the job, so it is queued once per
   * cause: the released task and its version, or compensation and the instant of its run.
   */
  enqueueTurn(after: TurnCause): Promise<void>;
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
  /** EXPORT_RETRY_DELAY_MS: the first retry's backoff, doubled for each later one. */
  retryDelayMs: number;
  /** EXPORT_USER_CONCURRENCY: exports of one user running at once across the cluster. */
  userConcurrency: number;
}

/**
 * The cluster-wide turn taking of export nodes (domain/exports/fair-turns.ts). Running exports
 * are the EXPORTING tasks whose lease is live: a dead node's slot is free again once its lease
 * runs out, with nothing to clean up.
 */
export interface ExportTurns {
  /** Biz types with exports waiting or running: whose rules a turn needs (read without the lock). */
  activeBizTypes(now: Date): Promise<string[]>;
  /**
   * One turn, atomic across the cluster (one at a time, whatever the queue backend): reads the
   * state, lets `decide` choose, stores every waiting group's reason, and persists the chosen
   * task after `claim` moved it (the aggregate's claim), together with the user's turn. Null when
   * nothing was chosen, or the chosen task changed meanwhile and no other was free.
   */
  take(
    now: Date,
    decide: (s: TurnState) => TurnDecision,
    claim: (task: FileTask) => boolean,
  ): Promise<FileTask | null>;
  /** Exports running now, by user and biz type: the waiting reason of a new request. */
  running(now: Date): Promise<RunningGroup[]>;
  /** Whether any export waits: a released slot then wakes a turn. */
  anyWaiting(): Promise<boolean>;
}

/** Rows already asked of a biz type by a user: the daily quota's count (API.md "Fair scheduling and quotas"). */
export interface ExportQuotaLedger {
  /** Rows of `userId`'s exports of `bizType` created in [from, to), finished or expected. */
  rowsRequested(userId: string, bizType: string, from: Date, to: Date): Promise<number>;
}
