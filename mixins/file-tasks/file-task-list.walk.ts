import {
  matchesListQuery,
  type FileTaskListQuery,
  type ListedTask,
} from '../../domain/file-tasks/list-query';
import { filterAllows, type ReadFilter, type TaskRef } from '../../domain/permissions/policy';

/**
 * When a caller may see a large share of the tasks through several branches (e.g. 3 whole biz
 * types and 2 regions), the cheapest page is a walk down the tasks in id order keeping the rows any
 * branch allows: ~80 rows read for a page of 21 when a quarter is visible, against one index read
 * per branch plus a merge for the UNION. When the visible share is small, the walk reads thousands
 * of rows and the UNION wins. Which one applies is estimated from a sample of the newest tasks; the
 * walk is capped at a few times its estimate (MariaDB `LIMIT … ROWS EXAMINED`), and a capped walk
 * falls back to the UNION, so a wrong estimate costs a bounded detour, never a long scan.
 */

/** A task of the planner's sample: what the permission filter and the query filters look at. */
export interface SampleTask extends TaskRef, ListedTask {}

/** The index a walk reads in id order: the primary key, or (status, id) under a status filter. */
export type WalkIndex = 'PRIMARY' | 'idx_tasks_status';

/** The index a walk for `q` reads: the status's id range under a status filter, else every id. */
export const walkIndexFor = (q: FileTaskListQuery): WalkIndex =>
  q.status === null ? 'PRIMARY' : 'idx_tasks_status';

export interface Walk {
  index: WalkIndex;
  /** The rows the walk is expected to read for a full page. */
  expectedRows: number;
  /** It stops after reading this many rows (and the page comes from the UNION). */
  budget: number;
}

/**
 * Costs in microseconds of server time, measured on MariaDB 10.11 with 1M tasks
 * (bench/file-tasks-list.md, "Walk or UNION"): a row read by the walk down the primary key; an
 * entry of (status, id) read by the walk, whose row is then fetched to test the branches; a UNION
 * member; and the UNION's merge and join back.
 */
export const WALK_COST = { primaryRowUs: 0.45, statusEntryUs: 1.7, unionBranchUs: 60, unionBaseUs: 130 };

/** Below this many matching sample rows the estimate is noise (and the walk long anyway). */
export const MIN_SAMPLE_MATCHES = 8;

/**
 * The cap on a walk, as a multiple of its estimate (the sample is of the newest tasks only). A walk
 * is only planned when expected to cost at most the UNION, so a capped one costs at most about two
 * UNIONs more (measured: a walk capped at 300 rows, then the UNION, +0.3 ms over the UNION alone).
 */
export const WALK_BUDGET_FACTOR = 2;

/**
 * The walk to run for a page of `q` under `f` that has `branches` UNION branches, or null for the
 * UNION: only with several branches and no biz type or creator filter (each of those has its own
 * narrow index, and few branches), and only when the walk is expected to cost less.
 */
export function planWalk(
  q: FileTaskListQuery,
  f: ReadFilter,
  branches: number,
  sample: readonly SampleTask[],
): Walk | null {
  if (f.all || branches < 2 || q.bizType !== null || q.createdBy !== null) return null;
  // The walk reads the rows of its index range: every task, or the tasks of one status.
  let inRange = 0;
  let matches = 0;
  for (const t of sample) {
    if (q.status !== null && t.status !== q.status) continue;
    inRange++;
    if (filterAllows(f, t) && matchesListQuery(q, t)) matches++;
  }
  if (matches < MIN_SAMPLE_MATCHES) return null;
  const n = q.limit + 1;
  const expectedRows = Math.ceil((n * inRange) / matches);
  const index = walkIndexFor(q);
  const perRow = index === 'PRIMARY' ? WALK_COST.primaryRowUs : WALK_COST.statusEntryUs;
  if (expectedRows * perRow > branches * WALK_COST.unionBranchUs + WALK_COST.unionBaseUs) return null;
  return { index, expectedRows, budget: WALK_BUDGET_FACTOR * expectedRows + n };
}
