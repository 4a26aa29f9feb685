import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { matchesListQuery, parseFileTaskList } from '../../../domain/file-tasks/list-query';
import { filterAllows, type ReadFilter } from '../../../domain/permissions/policy';
import { FileTaskListSql, listBranches } from '../../../mixins/file-tasks/file-task-list.sql';
import {
  MIN_SAMPLE_MATCHES,
  planWalk,
  WALK_BUDGET_FACTOR,
  type SampleTask,
} from '../../../mixins/file-tasks/file-task-list.walk';
import { RecentTaskSample } from '../../../mixins/file-tasks/recent-task-sample';

const q = (raw: Record<string, unknown> = {}) => parseFileTaskList(raw);
const task = (over: Partial<SampleTask> = {}): SampleTask => ({
  kind: 'EXPORT',
  bizType: 'other',
  status: 'SUCCESS',
  createdBy: 'someone',
  unitPath: '/hq/south/',
  createdAt: new Date('2026-06-01T00:00:00Z'),
  name: 'Orders June',
  ...over,
});
/** `visible` of every 100 tasks are invoices (visible to `f`), the rest another biz type. */
const sampleOf = (visible: number, size = 2000, over: Partial<SampleTask> = {}) =>
  Array.from({ length: size }, (_, i) => task({ ...over, bizType: i % 100 < visible ? 'invoice' : 'other' }));
const f: ReadFilter = {
  all: false,
  createdBy: 'u1',
  bizTypes: ['invoice', 'contract'],
  scoped: [{ bizType: 'order', unitPathPrefix: '/hq/east/', unitIds: null }],
};

describe('file task list walk', () => {
  it('reads a task through the own, biz type and unit path branches of the filter', () => {
    assert.ok(filterAllows({ all: true }, task()));
    assert.ok(filterAllows(f, task({ createdBy: 'u1' })));
    assert.ok(filterAllows(f, task({ bizType: 'contract' })));
    assert.ok(filterAllows(f, task({ bizType: 'order', unitPath: '/hq/east/sh/' })));
    assert.ok(!filterAllows(f, task({ bizType: 'order', unitPath: '/hq/e_st/' })));
    assert.ok(!filterAllows(f, task({ bizType: 'order', unitPath: null })));
    assert.ok(!filterAllows(f, task()));
  });

  it('matches the query filters as the SQL does, the cursor aside', () => {
    const t = task();
    assert.ok(matchesListQuery(q({ cursor: null }), t));
    assert.ok(matchesListQuery(q({ kind: 'EXPORT', status: 'SUCCESS', bizType: 'other', q: 'JUNE' }), t));
    assert.ok(matchesListQuery(q({ from: '2026-06-01T00:00:00Z', to: '2026-06-01T00:00:00Z' }), t));
    assert.ok(!matchesListQuery(q({ kind: 'FILE' }), t));
    assert.ok(!matchesListQuery(q({ createdBy: 'u1' }), t));
    assert.ok(!matchesListQuery(q({ from: '2026-06-02T00:00:00Z' }), t));
    assert.ok(!matchesListQuery(q({ to: '2026-05-31T00:00:00Z' }), t));
    assert.ok(!matchesListQuery(q({ q: 'july' }), t));
  });

  it('walks when the caller sees a large share, and estimates the rows it reads', () => {
    const w = planWalk(q({ limit: 20 }), f, 4, sampleOf(25));
    assert.deepEqual(w, { index: 'PRIMARY', expectedRows: 84, budget: WALK_BUDGET_FACTOR * 84 + 21 });
    // Under a status filter the walk reads that status's index range, so the share is within it.
    const failed = [...sampleOf(25, 200, { status: 'FAILED' }), ...sampleOf(0, 1800)];
    assert.deepEqual(planWalk(q({ limit: 20, status: 'FAILED' }), f, 4, failed), {
      index: 'idx_tasks_status',
      expectedRows: 84,
      budget: WALK_BUDGET_FACTOR * 84 + 21,
    });
  });

  it('keeps the UNION when a walk would read more than the UNION costs, or cannot say', () => {
    assert.equal(planWalk(q(), f, 4, sampleOf(1)), null, 'a 1 % share: ~2,000 rows for a page');
    assert.equal(planWalk(q(), f, 2, sampleOf(3)), null, 'two branches are cheap to merge');
    assert.notEqual(planWalk(q(), f, 6, sampleOf(3)), null, 'six are not');
    // Too few matches to estimate from.
    assert.equal(planWalk(q(), f, 6, sampleOf(100, MIN_SAMPLE_MATCHES - 1)), null);
    assert.notEqual(planWalk(q(), f, 6, sampleOf(100, MIN_SAMPLE_MATCHES)), null);
    assert.equal(planWalk(q(), f, 6, []), null);
    // Query filters count: the share of tasks that pass them too.
    assert.equal(planWalk(q({ q: 'nothing like it' }), f, 6, sampleOf(50)), null);
    // One branch, an admin, or a query with its own narrow index: never.
    assert.equal(planWalk(q(), f, 1, sampleOf(50)), null);
    assert.equal(planWalk(q(), { all: true }, 6, sampleOf(50)), null);
    assert.equal(planWalk(q({ bizType: 'invoice' }), f, 6, sampleOf(50)), null);
    assert.equal(planWalk(q({ createdBy: 'u1' }), f, 6, sampleOf(50)), null);
  });

  it('writes the walk as one bound OR of the branches on the named index, capped in rows read', () => {
    const evil = "x' OR 1=1 --";
    const query = q({ q: evil, status: 'FAILED', limit: 20 });
    const sql = new FileTaskListSql(query, ['id', 'name'], true, (d) => d);
    const s = sql.walk(listBranches(query, f), { index: 'idx_tasks_status', expectedRows: 50, budget: 171 });
    assert.equal(
      s.sql,
      "SELECT id, name FROM file_tasks FORCE INDEX (idx_tasks_status) WHERE ((created_by = ?) OR (biz_type = ?) OR (biz_type = ?) OR (biz_type = ? AND unit_path LIKE ? ESCAPE '!')) AND status = ? AND name LIKE ? ESCAPE '!' ORDER BY id DESC LIMIT 21 ROWS EXAMINED 171",
    );
    assert.deepEqual(s.params, [
      'u1',
      'invoice',
      'contract',
      'order',
      '/hq/east/%',
      'FAILED',
      "%x' OR 1=1 --%",
    ]);
  });
});

describe('file task list walk inside the status index', () => {
  it('tests listed scopes by unit id and reads ids first when every branch and filter is in the index', () => {
    const listed: ReadFilter = {
      ...f,
      scoped: [{ bizType: 'order', unitPathPrefix: '/hq/east/', unitIds: ['east', 'hz', 'nb', 'sh'] }],
    };
    const walk = { index: 'idx_tasks_status' as const, expectedRows: 50, budget: 121 };
    const query = q({ status: 'FAILED', limit: 20, cursor: null });
    const s = new FileTaskListSql(query, ['id', 'name'], true, (d) => d).walk(
      listBranches(query, listed),
      walk,
    );
    assert.equal(
      s.sql,
      'SELECT t.id, t.name FROM (SELECT id FROM file_tasks FORCE INDEX (idx_tasks_status) WHERE ((created_by = ?) OR (biz_type = ?) OR (biz_type = ?) OR (biz_type = ? AND unit_id IN (?, ?, ?, ?))) AND status = ? ORDER BY id DESC LIMIT 21) k JOIN file_tasks t ON t.id = k.id LIMIT 21 ROWS EXAMINED 184',
    );
    assert.deepEqual(s.params, ['u1', 'invoice', 'contract', 'order', 'east', 'hz', 'nb', 'sh', 'FAILED']);
    // A name filter needs the row: the walk reads rows as it goes.
    const named = q({ status: 'FAILED', q: 'x' });
    const r = new FileTaskListSql(named, ['id'], true, (d) => d).walk(listBranches(named, listed), walk);
    assert.match(r.sql, /^SELECT id FROM file_tasks FORCE INDEX \(idx_tasks_status\) WHERE .*unit_id IN/);
    // So does a scope too wide to list (by path), and the primary key walk reads rows anyway.
    const byPath = new FileTaskListSql(query, ['id'], true, (d) => d).walk(listBranches(query, f), walk);
    assert.match(
      byPath.sql,
      /^SELECT id FROM file_tasks FORCE INDEX \(idx_tasks_status\) WHERE .*unit_path LIKE/,
    );
    const pk = new FileTaskListSql(q(), ['id'], true, (d) => d).walk(listBranches(q(), listed), {
      ...walk,
      index: 'PRIMARY',
    });
    assert.match(pk.sql, /^SELECT id FROM file_tasks FORCE INDEX \(PRIMARY\) WHERE .*unit_id IN/);
  });
});

describe('recent task sample', () => {
  it('serves the last sample, reloads it in the background after the TTL, and keeps it on a failed load', async () => {
    let clock = 0;
    const loads: (SampleTask[] | Error)[] = [[task()], new Error('db down'), [task(), task()]];
    let calls = 0;
    const sample = new RecentTaskSample(
      async () => {
        const next = loads[calls++];
        if (next instanceof Error) throw next;
        return next;
      },
      1000,
      () => clock,
    );
    assert.equal(sample.current(), null, 'nothing before the first load');
    await sample.settled();
    assert.equal(sample.current()?.length, 1);
    assert.equal(calls, 1, 'fresh: not reloaded');
    let computed = 0;
    const count = (s: readonly SampleTask[]) => (computed++, s.length);
    assert.equal(sample.memoised('k', count), 1);
    assert.equal(sample.memoised('k', count), 1);
    assert.equal(computed, 1, 'memoised per sample');
    clock = 1000;
    assert.equal(sample.current()?.length, 1, 'stale: served while reloading');
    await sample.settled();
    assert.equal(calls, 2);
    assert.equal(sample.current()?.length, 1, 'a failed load keeps the old sample');
    assert.equal(calls, 2, 'and waits a TTL before trying again');
    clock = 2000;
    sample.current();
    await sample.settled();
    assert.equal(sample.current()?.length, 2);
    assert.equal(sample.memoised('k', count), 2, 'estimates of an old sample are dropped');
  });
});
