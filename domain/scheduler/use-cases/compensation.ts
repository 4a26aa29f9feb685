import { domainEvent } from '../../shared/domain-event';
import { heldByCap, ownJobRounds, stuckReason, waitsForSlot, type StuckReason } from '../compensation';
import type { CompensationCandidate } from '../scheduler.ports';
import type { Job, JobDeps } from './scheduler-deps';

/** Names the turn compensation queues: no task, and the run's instant makes it one per run. */
const COMPENSATION_TURN = 'comp';

/**
 * Compensation: re-enqueues exports that nothing will finish otherwise: EXPORTING with an expired
 * lease (a dead worker), FAILED for a retryable reason with attempts left, PENDING with no live
 * queue job (e.g. Redis lost its data). The export worker already knows what to do with each of
 * those states (start, take over, retry), so compensation only claims and enqueues.
 *
 * Exports that wait are not stuck (fair scheduling: a queue job is a turn of a worker slot, not a
 * reservation of its task, so a waiting export's own job may well have run another export): one
 * held by a cap is left to the released slots, with one turn per run through the exports' own
 * enqueueTurn should a release's turn be lost; one waiting for a free slot is stuck only when the
 * export queue holds no live job at all, since any job is a turn and every release queues another.
 */
export const compensation: Job = async (d, rule, now) => {
  const minAgeMs = (rule.minAgeSeconds ?? 60) * 1000;
  const settledBefore = new Date(now.getTime() - minAgeMs);
  const maxAttempts = d.settings.maxExportAttempts;
  const counts: Record<StuckReason, number> = { LEASE_EXPIRED: 0, RETRYABLE_FAILURE: 0, JOB_MISSING: 0 };
  const report = { handled: 0, failed: 0, held: 0, waiting: 0 };
  let more = false;
  // Asked once, when the first export waiting for a slot needs it. Jobs this run enqueued count:
  // each is a turn too.
  let idle: Promise<boolean> | null = null;
  const queueIdle = () => (idle ??= d.compensationJobs.idle());

  outer: for (const status of ['EXPORTING', 'FAILED', 'PENDING'] as const) {
    let afterId = '';
    for (;;) {
      const page = await d.maintenance.candidates(status, {
        now,
        settledBefore,
        afterId,
        limit: rule.batchSize,
        bizTypes: rule.bizTypes,
      });
      for (const t of page) {
        if (report.handled >= rule.maxItems) {
          more = true;
          break outer;
        }
        const reason = stuckReason(t, now, minAgeMs, maxAttempts);
        if (!reason) continue;
        if (heldByCap(t)) {
          report.held++;
          continue;
        }
        if (await d.compensationJobs.live(t.id, t.version, ownJobRounds(t, reason, maxAttempts))) continue;
        if (waitsForSlot(t) && !(await queueIdle())) {
          report.waiting++;
          continue;
        }
        const outcome = await compensate(d, t, reason, now);
        if (outcome === 'ENQUEUED') {
          counts[reason]++;
          report.handled++;
        } else if (outcome === 'NOT_ENQUEUED') report.failed++;
      }
      if (page.length < rule.batchSize) break;
      afterId = page[page.length - 1].id;
    }
  }
  if (report.held > 0) {
    // One turn per run, whatever the number held: its delivery refreshes every waiting reason
    // and starts an export if a cap let go.
    await d.turns
      .enqueueTurn({ id: COMPENSATION_TURN, version: now.getTime() })
      .catch((e: unknown) => d.logger.warn(`compensation: could not queue a turn: ${(e as Error).message}`));
  }
  return {
    handled: report.handled,
    failed: report.failed,
    more,
    detail: {
      ...counts,
      ...(report.held ? { heldByCap: report.held } : {}),
      ...(report.waiting ? { waitingForSlot: report.waiting } : {}),
      ...(report.failed ? { enqueueFailures: report.failed } : {}),
    },
  };
};

/** Claims a stuck export (conditional: of two runs one wins) and enqueues the job that carries it on. */
async function compensate(
  d: JobDeps,
  t: CompensationCandidate,
  reason: StuckReason,
  now: Date,
): Promise<'ENQUEUED' | 'NOT_ENQUEUED' | 'LOST_RACE'> {
  const version = t.version + 1;
  const event = domainEvent(
    {
      type: 'TASK_COMPENSATED',
      userId: null,
      targetType: 'FILE_TASK',
      targetId: t.id,
      bizType: t.bizType,
      detail: {
        reason,
        status: t.status,
        attempts: t.attempts,
        jobId: d.compensationJobs.jobId(t.id, version),
      },
    },
    d.ids.next(),
    d.clock.now(),
  );
  if (!(await d.maintenance.claim(t, now, [event]))) return 'LOST_RACE';
  d.outbox.appended();
  try {
    await d.compensationJobs.enqueue(t.id, t.attempts, version);
    return 'ENQUEUED';
  } catch (e) {
    // Claimed but not enqueued: the task is still stuck under its new version, so the next run
    // claims and enqueues it again.
    d.logger.warn(`compensation: could not enqueue ${t.id}: ${(e as Error).message}`);
    return 'NOT_ENQUEUED';
  }
}
