import type { Lifecycle } from './lifecycle.port';

export interface JobOptions {
  /** A fixed id makes adding idempotent: a second add with the same id is a no-op. */
  jobId?: string;
  /** Total tries including the first (default 1). */
  attempts?: number;
  /** Delay before retry n is `delayMs * 2^(n-1)` for exponential, `delayMs` for fixed. */
  backoff?: { type: 'fixed' | 'exponential'; delayMs: number };
  /** Run no earlier than this many ms from now. */
  delayMs?: number;
}

export interface RepeatOptions {
  /** Fixed id so every node registering the same schedule registers it once. */
  jobId: string;
  cron: string;
  timezone?: string;
}

export interface JobInfo<T = unknown> {
  id: string;
  name: string;
  data: T;
  /** 1 on the first try. */
  attempt: number;
}

export type JobState = 'waiting' | 'delayed' | 'active' | 'completed' | 'failed';

export interface JobStatus {
  id: string;
  state: JobState;
  attemptsMade: number;
  failedReason: string | null;
}

export type JobHandler<T = unknown> = (job: JobInfo<T>) => Promise<unknown>;

/**
 * A durable job queue: jobs survive a restart, failed jobs are retried with backoff until their
 * attempts are used up, and a repeatable job fires once per cron tick across all nodes.
 * A handler that throws an error with `retryable === false` fails the job at once.
 */
export interface JobQueue extends Lifecycle {
  readonly kind: 'bull' | 'embedded';
  add<T>(name: string, data: T, options?: JobOptions): Promise<string>;
  addRepeatable<T>(name: string, data: T, repeat: RepeatOptions): Promise<void>;
  removeRepeatable(jobId: string): Promise<void>;
  /** Registers the handler for `name` and starts taking jobs with up to `concurrency` at once. */
  process<T>(name: string, concurrency: number, handler: JobHandler<T>): void;
  getJob(id: string): Promise<JobStatus | null>;
  counts(): Promise<Record<JobState, number>>;
}
