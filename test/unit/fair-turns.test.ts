import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  nextTurn,
  waitingReasonNow,
  type RunningGroup,
  type TurnLimits,
  type TurnState,
  type WaitingGroup,
} from '../../domain/exports/fair-turns';
import { checkDailyQuota, checkMaxRows, quotaDay } from '../../domain/exports/export-quota';
import { heldByCap } from '../../domain/scheduler/compensation';
import { DomainError } from '../../domain/shared/errors';

const limits = (userConcurrency = 2, caps: Record<string, number> = {}): TurnLimits => ({
  userConcurrency,
  bizTypeMax: (code) => caps[code] ?? null,
});
const run = (userId: string, count: number, bizType = 'orders'): RunningGroup => ({ userId, bizType, count });
const wait = (userId: string, taskId: string, bizType = 'orders'): WaitingGroup => ({
  userId,
  bizType,
  taskId,
});
const state = (running: RunningGroup[], waiting: WaitingGroup[], lastTurn: Record<string, number> = {}) =>
  ({ running, waiting, lastTurn }) satisfies TurnState;

/**
 * Replays a cluster with `slots` worker slots: every free slot takes a turn, and the earliest
 * running export finishes first; an export waits from `at` (ms, default 0). Returns the order
 * exports started in.
 */
function simulate(
  queue: { userId: string; taskId: string; ms: number; at?: number }[],
  slots: number,
  l: TurnLimits,
): string[] {
  const pending = [...queue];
  const running: { userId: string; taskId: string; endsAt: number }[] = [];
  const lastTurn: Record<string, number> = {};
  const started: string[] = [];
  let now = 0;
  while (pending.length > 0 || running.length > 0) {
    while (running.length < slots) {
      const groups = new Map<string, WaitingGroup>();
      for (const p of pending)
        if ((p.at ?? 0) <= now && !groups.has(p.userId)) groups.set(p.userId, wait(p.userId, p.taskId));
      const counts = new Map<string, number>();
      for (const r of running) counts.set(r.userId, (counts.get(r.userId) ?? 0) + 1);
      const d = nextTurn(
        state(
          [...counts].map(([u, n]) => run(u, n)),
          [...groups.values()],
          lastTurn,
        ),
        l,
      );
      if (!d.next) break;
      const [p] = pending.splice(
        pending.findIndex((x) => x.taskId === d.next!.taskId),
        1,
      );
      running.push({ userId: p.userId, taskId: p.taskId, endsAt: now + p.ms });
      lastTurn[p.userId] = now;
      started.push(p.taskId);
    }
    running.sort((a, b) => a.endsAt - b.endsAt);
    const arrivals = pending.map((p) => p.at ?? 0).filter((t) => t > now);
    const next = Math.min(running[0]?.endsAt ?? Infinity, ...arrivals);
    if (next === Infinity) break;
    now = next;
    while (running[0] && running[0].endsAt <= now) running.shift();
  }
  return started;
}

describe('fair turns (domain/exports/fair-turns.ts)', () => {
  it('caps one user at EXPORT_USER_CONCURRENCY and says so', () => {
    const d = nextTurn(state([run('a', 2)], [wait('a', 't3')]), limits(2));
    assert.equal(d.next, null);
    assert.deepEqual(d.reasons, [{ userId: 'a', bizType: 'orders', reason: 'USER_CONCURRENCY' }]);
  });

  it('caps a biz type at rules.maxConcurrent across users', () => {
    const d = nextTurn(
      state([run('a', 1, 'big')], [wait('b', 't2', 'big'), wait('b', 't3', 'small')]),
      limits(2, { big: 1 }),
    );
    assert.equal(d.next?.taskId, 't3');
    assert.deepEqual(
      d.reasons.map((r) => r.reason),
      ['BIZ_TYPE_CONCURRENCY', 'NO_SLOT'],
    );
  });

  it('gives the slot to the user with fewest running, then the oldest last turn, then the oldest export', () => {
    assert.equal(
      nextTurn(state([run('a', 1)], [wait('a', 't1'), wait('b', 't9')]), limits()).next?.taskId,
      't9',
    );
    assert.equal(
      nextTurn(state([], [wait('a', 't1'), wait('b', 't2'), wait('c', 't3')], { a: 5, b: 3 }), limits()).next
        ?.taskId,
      't3',
      'a user never served goes first',
    );
    assert.equal(
      nextTurn(state([], [wait('a', 't1'), wait('b', 't2')], { a: 5, b: 3 }), limits()).next?.taskId,
      't2',
    );
    assert.equal(nextTurn(state([], [wait('a', 't2'), wait('b', 't1')]), limits()).next?.taskId, 't1');
  });

  it('counts the chosen export as running in the reasons it leaves', () => {
    const d = nextTurn(state([run('a', 1)], [wait('a', 't2')]), limits(2));
    assert.equal(d.next?.taskId, 't2');
    assert.deepEqual(d.reasons, [{ userId: 'a', bizType: 'orders', reason: 'USER_CONCURRENCY' }]);
  });

  it("B's small export starts after one of A's exports, before A's third (2 slots, cap 2)", () => {
    const queue = [
      { userId: 'a', taskId: 'a1', ms: 100 },
      { userId: 'a', taskId: 'a2', ms: 110 },
      { userId: 'a', taskId: 'a3', ms: 100 },
      { userId: 'a', taskId: 'a4', ms: 100 },
      { userId: 'b', taskId: 'b1', ms: 1, at: 5 },
    ];
    assert.deepEqual(simulate(queue, 2, limits(2)), ['a1', 'a2', 'b1', 'a3', 'a4']);
    // First come, first served would have started a3 before b1; with 4 slots (two nodes) A's cap
    // leaves B a slot at once.
    assert.deepEqual(simulate(queue, 4, limits(2)), ['a1', 'a2', 'b1', 'a3', 'a4']);
    assert.deepEqual(simulate(queue, 2, limits(100)), ['a1', 'a2', 'b1', 'a3', 'a4']);
  });

  it('rotates users round robin however many each queued', () => {
    const queue = [
      ...['a1', 'a2', 'a3'].map((taskId) => ({ userId: 'a', taskId, ms: 10 })),
      ...['b1', 'b2', 'b3'].map((taskId) => ({ userId: 'b', taskId, ms: 10 })),
      { userId: 'c', taskId: 'c1', ms: 10 },
    ];
    assert.deepEqual(simulate(queue, 1, limits(2)), ['a1', 'b1', 'c1', 'a2', 'b2', 'a3', 'b3']);
  });

  it('answers a new request why it will wait', () => {
    assert.equal(waitingReasonNow({ running: [run('a', 2)] }, limits(2), 'a', 'orders'), 'USER_CONCURRENCY');
    assert.equal(
      waitingReasonNow({ running: [run('x', 1)] }, limits(2, { orders: 1 }), 'a', 'orders'),
      'BIZ_TYPE_CONCURRENCY',
    );
    assert.equal(waitingReasonNow({ running: [] }, limits(2), 'a', 'orders'), 'NO_SLOT');
  });

  it('leaves exports held by a cap to the released slots, not to compensation', () => {
    const base = { updatedAt: new Date(0), failureReason: null, attempts: 0, leaseUntil: null };
    assert.equal(heldByCap({ ...base, status: 'PENDING', waitingReason: 'USER_CONCURRENCY' }), true);
    assert.equal(heldByCap({ ...base, status: 'PENDING', waitingReason: 'BIZ_TYPE_CONCURRENCY' }), true);
    assert.equal(heldByCap({ ...base, status: 'PENDING', waitingReason: 'NO_SLOT' }), false);
    assert.equal(heldByCap({ ...base, status: 'PENDING' }), false);
  });
});

describe('daily row quota and maxRows (domain/exports/export-quota.ts)', () => {
  const now = new Date('2026-03-07T20:30:00Z');

  it('runs the quota day midnight to midnight in the zone', () => {
    assert.deepEqual(quotaDay(now, 'UTC'), {
      from: new Date('2026-03-07T00:00:00Z'),
      to: new Date('2026-03-08T00:00:00Z'),
    });
    // 04:30 on the 8th in Shanghai.
    assert.deepEqual(quotaDay(now, 'Asia/Shanghai'), {
      from: new Date('2026-03-07T16:00:00Z'),
      to: new Date('2026-03-08T16:00:00Z'),
    });
    // 2026-03-08 is 23 hours long in New York (DST starts).
    const ny = quotaDay(new Date('2026-03-08T12:00:00Z'), 'America/New_York');
    assert.equal(ny.to.getTime() - ny.from.getTime(), 23 * 3600_000);
  });

  it('answers 429 EXPORT_QUOTA_EXCEEDED with the seconds to the next quota day', () => {
    const q = { bizType: 'orders', dailyRowQuota: 1000, now, zone: 'UTC' };
    checkDailyQuota({ ...q, usedRows: 400, requestedRows: 600 });
    checkDailyQuota({ ...q, usedRows: 999, requestedRows: null });
    checkDailyQuota({ ...q, dailyRowQuota: null, usedRows: 10 ** 9, requestedRows: 1 });
    for (const [usedRows, requestedRows] of [
      [400, 601],
      [1000, null],
      [1000, 0],
    ] as const) {
      assert.throws(
        () => checkDailyQuota({ ...q, usedRows, requestedRows }),
        (e: DomainError) =>
          e.kind === 'RATE_LIMITED' &&
          e.code === 'EXPORT_QUOTA_EXCEEDED' &&
          e.data?.retryAfterSeconds === 3.5 * 3600 &&
          e.data?.resetsAt === '2026-03-08T00:00:00.000Z',
      );
    }
    assert.throws(
      () => checkDailyQuota({ ...q, zone: 'Asia/Shanghai', usedRows: 1000, requestedRows: 1 }),
      (e: DomainError) => e.data?.retryAfterSeconds === 19.5 * 3600,
    );
  });

  it('refuses an estimate over rules.maxRows with 400 EXPORT_TOO_MANY_ROWS', () => {
    checkMaxRows('orders', 100, 100);
    checkMaxRows('orders', null, 100);
    assert.throws(
      () => checkMaxRows('orders', 101, 100),
      (e: DomainError) =>
        e.kind === 'VALIDATION' && e.code === 'EXPORT_TOO_MANY_ROWS' && e.data?.maxRows === 100,
    );
  });
});
