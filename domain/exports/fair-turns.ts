/**
 * Fair scheduling of exports across the cluster (API.md "Fair scheduling and quotas"), as a pure
 * policy: given what runs and what waits, whose export takes a free worker slot next, and why
 * every other one waits. The adapter (mixins/exports/export-turns.repository.ts) reads the state
 * and applies the decision atomically; nothing here knows about queues or databases.
 *
 * A queue job is a turn, not a reservation of its own task: when a worker slot frees, the export
 * that runs is the one this policy names, whichever job woke the slot. That is what lets a small
 * export of user B overtake a queue of user A's big ones that were enqueued first.
 */

import type { WaitingReason } from '../file-tasks/file-task';

export type { WaitingReason };

/** Exports running now (a live lease) of one user in one biz type. */
export interface RunningGroup {
  userId: string;
  bizType: string;
  count: number;
}

/** The oldest waiting export of one user in one biz type (ids sort by creation: ULIDs). */
export interface WaitingGroup {
  userId: string;
  bizType: string;
  taskId: string;
}

export interface TurnState {
  running: RunningGroup[];
  waiting: WaitingGroup[];
  /** When each user's export last started (ms); a user never served has none. */
  lastTurn: Record<string, number>;
}

export interface TurnLimits {
  /** EXPORT_USER_CONCURRENCY: exports of one user running at once across the cluster. */
  userConcurrency: number;
  /** A biz type's `rules.maxConcurrent`; null: no cap of its own. */
  bizTypeMax(code: string): number | null;
}

export interface TurnDecision {
  /** The export that takes the free slot; null when every waiting one is held by a cap. */
  next: WaitingGroup | null;
  /** Why each group's exports wait after this turn (the chosen export counted as running). */
  reasons: { userId: string; bizType: string; reason: WaitingReason }[];
}

interface Counts {
  byUser: Map<string, number>;
  byBizType: Map<string, number>;
}

function countsOf(running: readonly RunningGroup[]): Counts {
  const byUser = new Map<string, number>();
  const byBizType = new Map<string, number>();
  for (const r of running) {
    byUser.set(r.userId, (byUser.get(r.userId) ?? 0) + r.count);
    byBizType.set(r.bizType, (byBizType.get(r.bizType) ?? 0) + r.count);
  }
  return { byUser, byBizType };
}

/** Why an export of `userId` in `bizType` would wait with these exports running. */
export function waitingReason(c: Counts, limits: TurnLimits, userId: string, bizType: string): WaitingReason {
  if ((c.byUser.get(userId) ?? 0) >= limits.userConcurrency) return 'USER_CONCURRENCY';
  const max = limits.bizTypeMax(bizType);
  if (max !== null && (c.byBizType.get(bizType) ?? 0) >= max) return 'BIZ_TYPE_CONCURRENCY';
  return 'NO_SLOT';
}

/** The reason a new request of `userId` in `bizType` waits, before any slot looks at it. */
export function waitingReasonNow(
  s: Pick<TurnState, 'running'>,
  limits: TurnLimits,
  userId: string,
  bizType: string,
): WaitingReason {
  return waitingReason(countsOf(s.running), limits, userId, bizType);
}

/**
 * One turn. Candidates are the waiting groups no cap holds; of those, the user with the fewest
 * exports running goes first, then the user whose last turn is the oldest (round robin: a user
 * never served first), then the oldest export. So a user who queues many exports gets one slot at
 * a time in rotation with everybody else, and a newcomer waits for one slot to free at most.
 */
export function nextTurn(s: TurnState, limits: TurnLimits): TurnDecision {
  const c = countsOf(s.running);
  const eligible = s.waiting.filter((w) => waitingReason(c, limits, w.userId, w.bizType) === 'NO_SLOT');
  const rank = (w: WaitingGroup): [number, number, string] => [
    c.byUser.get(w.userId) ?? 0,
    s.lastTurn[w.userId] ?? -Infinity,
    w.taskId,
  ];
  let next: WaitingGroup | null = null;
  for (const w of eligible) {
    if (!next || before(rank(w), rank(next))) next = w;
  }
  const after = next ? countsOf([...s.running, { userId: next.userId, bizType: next.bizType, count: 1 }]) : c;
  const reasons = s.waiting.map((w) => ({
    userId: w.userId,
    bizType: w.bizType,
    reason: waitingReason(after, limits, w.userId, w.bizType),
  }));
  return { next, reasons };
}

function before(a: [number, number, string], b: [number, number, string]): boolean {
  if (a[0] !== b[0]) return a[0] < b[0];
  if (a[1] !== b[1]) return a[1] < b[1];
  return a[2] < b[2];
}
