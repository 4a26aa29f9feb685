import { mayRetry, type FailureReason, type FileTaskStatus } from '../file-tasks/file-task';
import type { WaitingReason } from '../file-tasks/file-task';

/** Why compensation re-enqueues an export. */
export type StuckReason = 'LEASE_EXPIRED' | 'RETRYABLE_FAILURE' | 'JOB_MISSING';

export interface CompensationView {
  status: FileTaskStatus;
  updatedAt: Date;
  failureReason: FailureReason | null;
  attempts: number;
  leaseUntil: Date | null;
  /** Why a PENDING export waits, as the last fair turn saw it. */
  waitingReason?: WaitingReason | null;
}

/**
 * A PENDING export held by a per-user or per-biz-type cap waits for a running export to release
 * its slot, not for a job of its own: compensation leaves it alone (no event every run for an
 * export that is simply waiting) and queues one turn instead, should a release's turn be lost.
 */
export const heldByCap = (t: CompensationView): boolean =>
  t.status === 'PENDING' &&
  (t.waitingReason === 'USER_CONCURRENCY' || t.waitingReason === 'BIZ_TYPE_CONCURRENCY');

/**
 * Whether an export looks stuck, judged on the record alone:
 * - EXPORTING whose lease ran out: its worker died (a live worker renews the lease every second);
 * - FAILED for a retryable reason with attempts left, unchanged for `minAgeMs`: the queue's own
 *   retry was lost (or spent);
 * - PENDING unchanged for `minAgeMs`: a candidate only, stuck when the queue holds no live job for
 *   it (the caller asks the queue). The age keeps compensation from racing a request that has
 *   stored its task but not yet enqueued its job.
 * FAILED candidates are also checked against the queue: a delayed retry still pending is not stuck.
 */
export function stuckReason(
  t: CompensationView,
  now: Date,
  minAgeMs: number,
  maxAttempts: number,
): StuckReason | null {
  const settled = t.updatedAt.getTime() <= now.getTime() - minAgeMs;
  if (t.status === 'EXPORTING') return t.leaseUntil !== null && t.leaseUntil <= now ? 'LEASE_EXPIRED' : null;
  if (t.status === 'FAILED') {
    return mayRetry(t.failureReason, t.attempts, maxAttempts) && settled ? 'RETRYABLE_FAILURE' : null;
  }
  if (t.status === 'PENDING') return settled ? 'JOB_MISSING' : null;
  return null;
}

/**
 * A PENDING export that a fair turn (or its admission) saw waiting for a free worker slot only.
 * Its own queue job may have run another export (a job is a turn): it is stuck only when no job
 * is left that would give it a turn.
 */
export const waitsForSlot = (t: CompensationView): boolean =>
  t.status === 'PENDING' && t.waitingReason === 'NO_SLOT';

/**
 * The attempt rounds whose own export job would still carry the task on: a PENDING task's job is
 * named after its attempts; a FAILED one's may have been enqueued any number of queue retries ago
 * (up to maxAttempts). An expired lease is proof enough that the export's own job is dead,
 * whatever the queue still says about it (a killed node's job looks active until its lock lapses).
 */
export function ownJobRounds(
  t: Pick<CompensationView, 'attempts'>,
  reason: StuckReason,
  maxAttempts: number,
): number[] {
  if (reason === 'LEASE_EXPIRED') return [];
  const lookBack = reason === 'JOB_MISSING' ? 0 : maxAttempts;
  const rounds: number[] = [];
  for (let a = t.attempts; a >= Math.max(0, t.attempts - lookBack); a--) rounds.push(a);
  return rounds;
}
