import type { Lifecycle } from './lifecycle.port';
import { QueueErrors } from './queue.errors';

export interface JobOptions {
  /**
   * A fixed id makes adding idempotent: a second add with the same id is a no-op while the first
   * job is still kept (finished jobs are kept for a bounded time, see the adapters' retention).
   */
  jobId?: string;
  /** Total tries including the first (default 1). */
  attempts?: number;
  /** Delay before retry n is `delayMs * 2^(n-1)` for exponential, `delayMs` for fixed. */
  backoff?: { type: 'fixed' | 'exponential'; delayMs: number };
  /** Run no earlier than this many ms from now. */
  delayMs?: number;
}

export interface RepeatOptions {
  /**
   * Fixed id so every node registering the same schedule registers it once. Registering the id
   * again with another cron, timezone, name or data replaces the schedule.
   */
  jobId: string;
  /** 5 fields, or 6 with seconds first. */
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
  /** Tries started so far, counting a running or successful one (3 after success on the third). */
  attemptsMade: number;
  /** The last failure's message, kept after a later success. */
  failedReason: string | null;
}

/** Whether a job will still run (again): waiting, delayed, or active (a dead worker's too: redelivered). */
export const isLiveJob = (job: JobStatus | null): boolean =>
  job !== null && (job.state === 'waiting' || job.state === 'delayed' || job.state === 'active');

export type JobHandler<T = unknown> = (job: JobInfo<T>) => Promise<unknown>;

/**
 * A durable job queue: jobs survive a restart, failed jobs are retried with backoff until their
 * attempts are used up, and a repeatable job fires once per cron tick across all nodes.
 * A handler that throws an error with `retryable === false` fails the job at once.
 *
 * Delivery is at least once: a node that dies (or blocks its event loop longer than the lock
 * duration) mid-job has the job taken over by another node, so handlers must be idempotent.
 *
 * Concurrency: bull runs one fetch loop set per queue and hands any job to the handler of its
 * name, so every node that processes a queue must register a handler for every job name it holds
 * (a job whose name has no handler on the node that takes it fails). One name per queue is the
 * simple rule. Call `process` after `start`.
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
  /**
   * Calls `listener` each time the queue's store answers again after losing its connection. A
   * store that can come back empty (Redis restarted without its data) has lost every repeatable
   * job and waiting job by then: the listener registers its schedules again. Never called for a
   * store that keeps its data with the records (the embedded queue).
   */
  onReconnect(listener: () => void): void;
}

/** Job data travels as JSON; jobs carry ids and parameters, never rows or file bytes. */
export const JOB_DATA_MAX_BYTES = 60_000;

/**
 * The checks both adapters apply so a job accepted by one is accepted by the other. Names and ids
 * are keys: no ':' (bull joins its repeat keys with it) and at most 100 characters.
 */
export function checkJobKey(what: 'name' | 'jobId', value: string): void {
  if (value.length === 0 || value.length > 100 || value.includes(':')) {
    throw QueueErrors.invalidKey(what, value);
  }
}

/** Serialises job data and enforces the size bound; `undefined` becomes `null`. */
export function encodeJobData(data: unknown): string {
  const json = JSON.stringify(data ?? null);
  if (Buffer.byteLength(json) > JOB_DATA_MAX_BYTES) {
    throw QueueErrors.jobDataTooLarge(JOB_DATA_MAX_BYTES);
  }
  return json;
}

export function checkJobOptions(options: JobOptions): void {
  const { attempts, delayMs, backoff } = options;
  const bad =
    (attempts !== undefined && (!Number.isInteger(attempts) || attempts < 1)) ||
    (delayMs !== undefined && (!Number.isFinite(delayMs) || delayMs < 0)) ||
    (backoff !== undefined && (!Number.isFinite(backoff.delayMs) || backoff.delayMs < 0));
  if (bad) throw QueueErrors.invalidOptions('invalid job options', { ...options });
}

/** Delay before retry n (n = attempts made so far, from 1). */
export function backoffDelay(backoff: JobOptions['backoff'], n: number): number {
  if (!backoff) return 0;
  return backoff.type === 'fixed' ? backoff.delayMs : backoff.delayMs * 2 ** (n - 1);
}

/** True when a handler's error says retrying cannot help. */
export const isNonRetryable = (e: unknown): boolean =>
  typeof e === 'object' && e !== null && (e as { retryable?: unknown }).retryable === false;
