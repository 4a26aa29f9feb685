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

/**
 * Why an attempt at a run ended without finishing it:
 * - REDELIVERED: the queue handed the tick to a worker again, which it does only when the lock of
 *   the worker running it lapsed (the worker died or stalled), so the new worker took the run over;
 * - NODE_GONE: the node running it left the cluster, and nothing will run it again (a manual run,
 *   or a tick the queue no longer holds);
 * - NODE_RESTARTED: the node id came back in a new process (a fixed NODE_ID), which runs nothing
 *   the old process had started;
 * - SHUTDOWN: the node stopped gracefully but the run outlasted the shutdown's wait.
 */
export type InterruptReason = 'REDELIVERED' | 'NODE_GONE' | 'NODE_RESTARTED' | 'SHUTDOWN';

/** An attempt that did not finish, as kept in its run's `detail.interrupted` (oldest first). */
export interface InterruptedAttempt {
  /** The run's id during that attempt: a takeover gives the run a new id (see takeOver). */
  runId: string;
  node: string;
  startedAt: string;
  reason: InterruptReason;
}

const attemptOf = (run: ScheduledTaskRun, reason: InterruptReason): InterruptedAttempt => ({
  runId: run.id,
  node: run.node,
  startedAt: run.startedAt.toISOString(),
  reason,
});

/** The attempts a run's detail records as interrupted. */
export function interruptedAttempts(detail: Record<string, unknown>): InterruptedAttempt[] {
  return Array.isArray(detail.interrupted) ? (detail.interrupted as InterruptedAttempt[]) : [];
}

/**
 * The run a redelivered tick carries on: the worker's fresh attempt (`next`: new id, node, start
 * and detail) with the attempt it replaces noted. The new id is the attempt's token: the takeover
 * is an update conditional on the old id, so of two racing takers one wins, and the old worker's
 * final write (by id) finds nothing if it was only stalled.
 */
export function takeOver(prev: ScheduledTaskRun, next: ScheduledTaskRun): ScheduledTaskRun {
  return {
    ...next,
    detail: {
      ...next.detail,
      interrupted: [...interruptedAttempts(prev.detail), attemptOf(prev, 'REDELIVERED')],
    },
  };
}

/**
 * A run ended as it stood: started, handled, outcome unknown. FAILED (no new outcome value: the
 * REST contract lists FAILED already) with the attempt in `detail.interrupted`.
 */
export function interrupted(run: ScheduledTaskRun, reason: InterruptReason, now: Date): ScheduledTaskRun {
  return {
    ...run,
    finishedAt: now,
    outcome: 'FAILED',
    detail: {
      ...run.detail,
      interrupted: [...interruptedAttempts(run.detail), attemptOf(run, reason)],
      error: `interrupted (${reason}) on node ${run.node}`,
    },
  };
}

/** A run as its job left it: outcome from the report or error, the detail from the report. */
export function finished(
  run: ScheduledTaskRun,
  report: JobReport | null,
  error: unknown,
  now: Date,
): ScheduledTaskRun {
  const attempts = interruptedAttempts(run.detail);
  return {
    ...run,
    finishedAt: now,
    handled: report?.handled ?? 0,
    outcome: runOutcome(report, error),
    detail: {
      ...(report ? { ...report.detail, more: report.more, failed: report.failed } : {}),
      ...(error ? { error: String((error as Error).message ?? error).slice(0, 500) } : {}),
      // A taken-over run keeps the record of the attempts before it.
      ...(attempts.length ? { interrupted: attempts } : {}),
      ms: now.getTime() - run.startedAt.getTime(),
    },
  };
}

/** A run records at most this much of its node's id. */
export const RECORDED_NODE_MAX = 128;
/** A node id as a run records it. */
export const recordedNode = (id: string) => id.slice(0, RECORDED_NODE_MAX);

/** What a node knows of the cluster when it looks for runs nobody will finish. */
export interface ClusterView {
  /** This process's node id, and when it started its scheduler (it ran nothing before). */
  self: string;
  selfSince: Date;
  /**
   * Ids of the nodes available now, this one included; null while not known yet (just after
   * start, before discovery has heard from every node), when only this node's own runs are judged.
   */
  liveNodes: Iterable<string> | null;
}

/**
 * Which RUNNING runs will never be finished by the node they name, and why: the node left the
 * cluster (node ids are unique per process unless NODE_ID fixes one), or it is this node's id but
 * the run started before this process did (a restart under a fixed NODE_ID). A cron tick's run is
 * for the caller to check against the queue as well: a tick the queue still holds is redelivered
 * and taken over, which must not find it ended.
 */
export function orphans(
  runs: readonly ScheduledTaskRun[],
  view: ClusterView,
): { run: ScheduledTaskRun; reason: InterruptReason }[] {
  // Compared as recorded: a run keeps only the first RECORDED_NODE_MAX characters of an id.
  const self = recordedNode(view.self);
  const live = view.liveNodes === null ? null : new Set([...view.liveNodes].map(recordedNode));
  const out: { run: ScheduledTaskRun; reason: InterruptReason }[] = [];
  for (const run of runs) {
    if (run.outcome !== 'RUNNING') continue;
    if (run.node === self) {
      if (run.startedAt < view.selfSince) out.push({ run, reason: 'NODE_RESTARTED' });
    } else if (live !== null && !live.has(run.node)) out.push({ run, reason: 'NODE_GONE' });
  }
  return out;
}
