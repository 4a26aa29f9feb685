import type { FileTaskListQuery } from '../../domain/file-tasks/list-query';
import { SMALL_SCOPE_UNITS, type ReadFilter } from '../../domain/permissions/policy';
import { escapeLike, LIKE_ESCAPE } from '../database/like';
import type { Walk } from './file-task-list.walk';

/**
 * The SQL of a permission-filtered page of file tasks (see bench/file-tasks-list.md for the
 * measurements behind each choice). A caller sees a task through one of several branches: all
 * (ADMIN), own, an unscoped biz type grant, one unit of a small scope, or a unit subtree. Two
 * plans, both with the permission filter inside the SQL, so pages are full:
 *
 * - one exact branch: a plain ordered read of the page, like the query without permissions;
 * - several branches, a large visible share (MariaDB): a walk in id order keeping the rows any
 *   branch allows, capped in rows read (file-task-list.walk.ts);
 * - several branches otherwise: the top of each branch from its own index, ids only, merged and
 *   cut to the page, then the page's rows by primary key. Bounded by the page size per branch
 *   whatever share of the tasks the caller may see, at ~0.06 ms per branch on MariaDB.
 *
 * The walk names its index: left to itself, MariaDB turns the OR into an index merge over whole
 * biz types (seconds on 1M tasks).
 */
export type Branch =
  | { kind: 'all' }
  | { kind: 'own'; createdBy: string }
  | { kind: 'biz'; bizType: string }
  | { kind: 'unit'; bizType: string; unitId: string }
  | { kind: 'subtree'; bizType: string; unitPathPrefix: string; unitIds: string[] | null };

export interface Sql {
  sql: string;
  params: unknown[];
}

/**
 * The branches of `f` that can contribute to a page of `q`: a branch for another biz type than
 * `q.bizType` (or another creator than `q.createdBy`) cannot, and the caller's own tasks of a biz
 * type they may read entirely are already in that biz type's branch.
 */
export function listBranches(q: FileTaskListQuery, f: ReadFilter): Branch[] {
  if (f.all) return [{ kind: 'all' }];
  const bizOk = (b: string) => q.bizType === null || q.bizType === b;
  const out: Branch[] = [];
  const wholeBiz = q.bizType !== null && f.bizTypes.includes(q.bizType);
  if ((q.createdBy === null || q.createdBy === f.createdBy) && !wholeBiz)
    out.push({ kind: 'own', createdBy: f.createdBy });
  for (const bizType of f.bizTypes) if (bizOk(bizType)) out.push({ kind: 'biz', bizType });
  for (const s of f.scoped) {
    if (!bizOk(s.bizType)) continue;
    if (s.unitIds && s.unitIds.length <= SMALL_SCOPE_UNITS)
      for (const unitId of s.unitIds) out.push({ kind: 'unit', bizType: s.bizType, unitId });
    else
      out.push({ kind: 'subtree', bizType: s.bizType, unitPathPrefix: s.unitPathPrefix, unitIds: s.unitIds });
  }
  return out;
}

/** The branch as a predicate; every value is a bound parameter. */
function predicate(b: Branch): Sql {
  switch (b.kind) {
    case 'all':
      return { sql: '1 = 1', params: [] };
    case 'own':
      return { sql: 'created_by = ?', params: [b.createdBy] };
    case 'biz':
      return { sql: 'biz_type = ?', params: [b.bizType] };
    case 'unit':
      return { sql: 'biz_type = ? AND unit_id = ?', params: [b.bizType, b.unitId] };
    case 'subtree':
      return {
        sql: `biz_type = ? AND unit_path LIKE ? ${LIKE_ESCAPE}`,
        params: [b.bizType, `${escapeLike(b.unitPathPrefix)}%`],
      };
  }
}

/**
 * The branch as a walk tests it: a listed subtree by its unit ids, which `idx_tasks_status` holds
 * (its path does not fit the key), so a walk down that index can test every branch inside it.
 */
function walkPredicate(b: Branch): Sql {
  if (b.kind !== 'subtree' || b.unitIds === null) return predicate(b);
  if (b.unitIds.length === 0) return { sql: '1 = 0', params: [] };
  return {
    sql: `biz_type = ? AND unit_id IN (${b.unitIds.map(() => '?').join(', ')})`,
    params: [b.bizType, ...b.unitIds],
  };
}

/**
 * MySQL only: the index that reads the branch in id order. Left alone, MariaDB reads a rare biz
 * type through the narrower (biz_type, status, id) and sorts it, and picks the primary key for
 * some ORDER BY … LIMIT shapes; both measured at 2–4× the ordered read.
 */
function indexHint(b: Branch, q: FileTaskListQuery): string {
  const use = (name: string) => ` FORCE INDEX (${name})`;
  if (b.kind === 'own' || q.createdBy !== null) return use('idx_tasks_creator');
  if (b.kind === 'unit') return use('idx_tasks_biz_unit');
  const biz = b.kind === 'biz' || b.kind === 'subtree' || q.bizType !== null;
  if (biz) return use(q.status !== null ? 'idx_tasks_biz_status' : 'idx_tasks_biz');
  return q.status !== null ? use('idx_tasks_status') : '';
}

/** The SQL builder of one list request. */
export class FileTaskListSql {
  private readonly filters: string[] = [];
  private readonly filterParams: unknown[] = [];

  constructor(
    private readonly q: FileTaskListQuery,
    private readonly columns: readonly string[],
    private readonly mysql: boolean,
    dateParam: (d: Date) => unknown,
  ) {
    const add = (sql: string, ...params: unknown[]) => {
      this.filters.push(sql);
      this.filterParams.push(...params);
    };
    if (q.kind) add('kind = ?', q.kind);
    if (q.bizType) add('biz_type = ?', q.bizType);
    if (q.status) add('status = ?', q.status);
    if (q.createdBy) add('created_by = ?', q.createdBy);
    if (q.from) add('created_at >= ?', dateParam(q.from));
    if (q.to) add('created_at <= ?', dateParam(q.to));
    if (q.q) add(`name LIKE ? ${LIKE_ESCAPE}`, `%${escapeLike(q.q)}%`);
    if (q.beforeId) add('id < ?', q.beforeId);
  }

  private get n(): number {
    return this.q.limit + 1;
  }

  private where(b: Branch): Sql {
    const p = predicate(b);
    return { sql: [p.sql, ...this.filters].join(' AND '), params: [...p.params, ...this.filterParams] };
  }

  private hint(b: Branch): string {
    return this.mysql ? indexHint(b, this.q) : '';
  }

  /** Whether a branch is read best as it is, rather than ids first then rows. */
  static isExact(b: Branch): boolean {
    return b.kind !== 'subtree';
  }

  /** One branch read in id order, whole rows. */
  plain(b: Branch): Sql {
    const w = this.where(b);
    return {
      sql: `SELECT ${this.columns.join(', ')} FROM file_tasks${this.hint(b)} WHERE ${w.sql} ORDER BY id DESC LIMIT ${this.n}`,
      params: w.params,
    };
  }

  /**
   * MariaDB only: the rows any branch allows, in id order down `walk.index`, reading at most
   * `walk.budget` rows (`LIMIT … ROWS EXAMINED`; a capped walk returns a short page, and the caller
   * then reads the UNION). See file-task-list.walk.ts for when this beats the UNION.
   */
  walk(branches: readonly Branch[], walk: Walk): Sql {
    const ps = branches.map(walkPredicate);
    const where = [`(${ps.map((p) => `(${p.sql})`).join(' OR ')})`, ...this.filters].join(' AND ');
    const params = [...ps.flatMap((p) => p.params), ...this.filterParams];
    if (!this.walksInsideIndex(branches, walk)) {
      return {
        sql: `SELECT ${this.columns.join(', ')} FROM file_tasks FORCE INDEX (${walk.index}) WHERE ${where} ORDER BY id DESC LIMIT ${this.n} ROWS EXAMINED ${walk.budget}`,
        params,
      };
    }
    // Ids from the index alone, then the page's rows by primary key (the caller sorts them). The
    // cap is the statement's: besides the walk's entries it counts each id of the page three times
    // (into the derived table, out of it, and its row), measured on MariaDB 10.11.
    const cols = this.columns.map((c) => `t.${c}`).join(', ');
    return {
      sql: `SELECT ${cols} FROM (SELECT id FROM file_tasks FORCE INDEX (${walk.index}) WHERE ${where} ORDER BY id DESC LIMIT ${this.n}) k JOIN file_tasks t ON t.id = k.id LIMIT ${this.n} ROWS EXAMINED ${walk.budget + 3 * this.n}`,
      params,
    };
  }

  /**
   * Whether a walk down `(status, id, biz_type, created_by, unit_id)` can test every branch and
   * filter inside the index: no unlisted subtree (a path), no kind, time or name filter.
   */
  private walksInsideIndex(branches: readonly Branch[], walk: Walk): boolean {
    const q = this.q;
    if (walk.index !== 'idx_tasks_status' || q.kind || q.from || q.to || q.q) return false;
    return branches.every((b) => b.kind !== 'subtree' || b.unitIds !== null);
  }

  /**
   * The top of each branch, ids only (each answered from its index), merged and cut to the page,
   * then the page's rows by primary key. The outer query has no ORDER BY: sorting there would copy
   * the rows, text columns included, into a temporary table (measured 0.4–0.7 ms); the caller sorts.
   */
  union(branches: readonly Branch[]): Sql {
    const params: unknown[] = [];
    const parts = branches.map((b, i) => {
      const w = this.where(b);
      params.push(...w.params);
      const one = `SELECT id FROM file_tasks${this.hint(b)} WHERE ${w.sql} ORDER BY id DESC LIMIT ${this.n}`;
      // SQLite has no parenthesised members of a compound SELECT; a derived table is the portable
      // form, but MariaDB materialises each one (measured 0.15 ms per branch).
      return this.mysql ? `(${one})` : `SELECT id FROM (${one}) b${i}`;
    });
    const cols = this.columns.map((c) => `t.${c}`).join(', ');
    return {
      sql: `SELECT ${cols} FROM (${parts.join(' UNION ')} ORDER BY id DESC LIMIT ${this.n}) k JOIN file_tasks t ON t.id = k.id`,
      params,
    };
  }
}
