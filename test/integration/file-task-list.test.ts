import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FileTask } from '../../domain/file-tasks/file-task';
import { parseFileTaskList } from '../../domain/file-tasks/list-query';
import { readFilter, subtreeUnits, type ReadFilter } from '../../domain/permissions/policy';
import type { Grant } from '../../domain/permissions/grant';
import { dbDate } from '../../mixins/database/db-dates';
import { isMariaDb } from '../../mixins/database/server-flavor';
import { FileTaskListSql, listBranches } from '../../mixins/file-tasks/file-task-list.sql';
import { FileTaskRepository } from '../../mixins/file-tasks/file-task.repository';
import { onBothEngines, type DbTarget } from '../support/log-fixtures';

const UNITS = ['/hq/', '/hq/east/', '/hq/east/sh/', '/hq/south/', '/hq/south/gz/', '/hq/e_st/', null];
/** Every unit's path by id, as directory.unitPaths answers it (the id is the last segment). */
const UNIT_PATHS: Record<string, string> = Object.fromEntries(
  UNITS.filter((u): u is string => u !== null).map((u) => [u.split('/').at(-2)!, u]),
);
const unitIdOf = (path: string | null) => (path === null ? null : path.split('/').at(-2)!);
const BIZ = ['invoice', 'contract', 'order_export'];
const CREATORS = ['u1', 'u2', 'u3'];

/** The permission filter evaluated in memory, to compare the SQL against. */
const visible = (f: ReadFilter, t: FileTask) =>
  f.all ||
  t.createdBy === f.createdBy ||
  f.bizTypes.includes(t.bizType) ||
  f.scoped.some(
    (s) => s.bizType === t.bizType && t.unitPath !== null && t.unitPath.startsWith(s.unitPathPrefix),
  );

onBothEngines(describe, it, (make, engine) => {
  describe(`file task list with the permission filter in SQL (${engine})`, () => {
    let t: DbTarget;
    let repo: FileTaskRepository;
    /** Walks are MariaDB's (LIMIT … ROWS EXAMINED); MySQL and SQLite always merge branches. */
    let maria = false;
    const tasks: FileTask[] = [];
    const plans = { union: 0, plain: 0, walk: 0 };

    before(async () => {
      t = await make();
      repo = new FileTaskRepository(t.ds);
      maria = await isMariaDb(t.ds);
      // Which plan answered each page, so the test shows it went through both.
      const query = t.ds.query.bind(t.ds);
      t.ds.query = ((sql: string, params?: unknown[]) => {
        if (sql.includes('ROWS EXAMINED')) plans.walk++;
        else if (sql.includes(') k JOIN')) plans.union++;
        else if (sql.startsWith('SELECT id, kind')) plans.plain++;
        return query(sql, params);
      }) as typeof t.ds.query;
      let n = 0;
      for (const unitPath of UNITS)
        for (const bizType of BIZ)
          for (const createdBy of CREATORS) {
            n++;
            const task = FileTask.uploaded({
              id: `01K${String(n).padStart(23, '0')}`,
              bizType,
              bizDomain: null,
              name: n % 4 ? `report_${n}%.pdf` : `Invoice ${n}.PDF`,
              createdBy,
              unitId: unitIdOf(unitPath),
              unitPath,
              file: { storageKey: `k${n}`, size: n, sha256: 'a'.repeat(64), contentType: 'application/pdf' },
              now: new Date(Date.UTC(2026, 0, 1) + n * 60_000),
            });
            await repo.insert(task, []);
            tasks.push(task);
          }
    });
    after(() => t.cleanup());

    const listAll = async (filter: ReadFilter, raw: Record<string, unknown> = {}, via = repo) => {
      const ids: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        // A cursor that does not move on would loop forever: fail instead.
        assert.ok(++pages <= tasks.length + 1, 'the cursor does not advance');
        const page = await via.list(parseFileTaskList({ ...raw, limit: 5, cursor }), filter);
        ids.push(...page.items.map((x) => x.id));
        cursor = page.nextCursor;
      } while (cursor);
      return ids;
    };

    const filters: ReadFilter[] = [
      { all: true },
      { all: false, createdBy: 'u1', bizTypes: [], scoped: [] },
      { all: false, createdBy: 'u2', bizTypes: ['contract'], scoped: [] },
      // '/hq/e_st/' must not match the prefix '/hq/east/' through LIKE's '_' wildcard, nor the reverse.
      {
        all: false,
        createdBy: 'u9',
        bizTypes: [],
        scoped: [{ bizType: 'invoice', unitPathPrefix: '/hq/east/', unitIds: null }],
      },
      {
        all: false,
        createdBy: 'u9',
        bizTypes: [],
        scoped: [{ bizType: 'invoice', unitPathPrefix: '/hq/e_st/', unitIds: null }],
      },
      {
        all: false,
        createdBy: 'u3',
        bizTypes: ['order_export'],
        scoped: [
          { bizType: 'invoice', unitPathPrefix: '/hq/south/', unitIds: null },
          { bizType: 'contract', unitPathPrefix: '/hq/east/sh/', unitIds: ['sh'] },
        ],
      },
    ];

    it('returns exactly the visible tasks, newest first, in full pages, for every filter shape', async () => {
      for (const f of filters) {
        const expected = tasks
          .filter((x) => visible(f, x))
          .map((x) => x.id)
          .sort()
          .reverse();
        assert.deepEqual(await listAll(f), expected, JSON.stringify(f));
      }
    });

    it('answers every grant shape under every query filter with exactly the visible tasks', async () => {
      const grant = (bizType: string, scopeUnitId: string | null = null): Grant => ({
        id: `g-${bizType}-${scopeUnitId}`,
        bizType,
        type: 'USER',
        subject: 'u9',
        actions: ['read'],
        columns: [],
        scopeUnitId,
      });
      const paths = (id: string) => UNIT_PATHS[id] ?? null;
      const subject = { id: 'u9', roles: ['STAFF'], unitPath: '/hq/east/' };
      const grantSets: Grant[][] = [
        [grant('invoice', 'sh')], // one unit: an exact branch
        [grant('invoice', 'east')], // two units: exact branches
        [grant('invoice', 'hq')], // the whole tree: by path prefix (UNION), by unit ids (walks)
        [grant('contract'), grant('invoice', 'gz'), grant('order_export', 'south')],
        [grant('invoice'), grant('contract'), grant('order_export', 'e_st')],
      ];
      const shaped = grantSets.map((g) => readFilter(subject, g, paths, subtreeUnits(UNIT_PATHS)));
      assert.deepEqual(
        shaped.map((f) => (f.all ? [] : f.scoped.map((x) => x.unitIds))),
        [
          [['sh']],
          [['east', 'sh']],
          [['e_st', 'east', 'gz', 'hq', 'sh', 'south']],
          [['gz'], ['gz', 'south']],
          [['e_st']],
        ],
      );
      const queries: Record<string, unknown>[] = [
        {},
        { status: 'SUCCESS' },
        { status: 'FAILED' },
        ...BIZ.map((bizType) => ({ bizType })),
        ...CREATORS.map((createdBy) => ({ createdBy })),
        { bizType: 'invoice', createdBy: 'u3' },
      ];
      // MariaDB also walks: as planned from the sample (auto), always and in full (a budget
      // nothing exhausts), and always cut short (a budget of 1 row: every page from the fallback).
      await repo.warmUp();
      const repos = maria
        ? [
            repo,
            new FileTaskRepository(t.ds, { walks: { budget: 100_000 } }),
            new FileTaskRepository(t.ds, { walks: { budget: 1 } }),
          ]
        : [repo];
      const planCounts: (typeof plans)[] = [];
      for (const via of repos) {
        const before = { ...plans };
        for (const f of [...filters, ...shaped])
          for (const raw of queries) {
            const expected = tasks
              .filter(
                (x) =>
                  visible(f, x) &&
                  (!raw.status || x.status === raw.status) &&
                  (!raw.bizType || x.bizType === raw.bizType) &&
                  (!raw.createdBy || x.createdBy === raw.createdBy),
              )
              .map((x) => x.id)
              .sort()
              .reverse();
            assert.deepEqual(
              await listAll(f, raw, via),
              expected,
              `${JSON.stringify(f)} ${JSON.stringify(raw)}`,
            );
          }
        planCounts.push({
          union: plans.union - before.union,
          plain: plans.plain - before.plain,
          walk: plans.walk - before.walk,
        });
      }
      const [auto, full, capped] = planCounts;
      assert.ok(auto.union > 0 && auto.plain > 0, JSON.stringify(planCounts));
      if (maria) {
        assert.ok(auto.walk > 0, `the sample plans walks for dense callers: ${JSON.stringify(planCounts)}`);
        // A full walk falls back only on the last page of a list (short, like a capped one).
        assert.ok(full.walk > 0 && full.union < full.walk / 2, JSON.stringify(planCounts));
        // Every capped walk was short, and its page came from the UNION.
        assert.ok(capped.walk > 0 && capped.union === capped.walk, JSON.stringify(planCounts));
      }
    });

    // SQLite never walks (no test); on MySQL the suite learns only as it runs whether it is MariaDB.
    if (engine === 'MySQL')
      it('walks (MariaDB) to the very page the UNION reads, in index order without a sort', async (c) => {
        if (!maria) return c.skip('walks are MariaDB only');
        const shapes: Record<string, unknown>[] = [
          {},
          { status: 'SUCCESS' },
          { q: 'invoice' },
          { kind: 'FILE' },
        ];
        let compared = 0;
        // The filters by path prefix, and the same scopes listed by unit id (walked inside the index).
        const listed = filters.slice(2).map((f) =>
          f.all
            ? f
            : {
                ...f,
                scoped: f.scoped.map((x) => ({
                  ...x,
                  unitIds: Object.entries(UNIT_PATHS)
                    .filter(([, p]) => p.startsWith(x.unitPathPrefix))
                    .map(([id]) => id),
                })),
              },
        );
        const forms = { inIndex: 0, rows: 0 };
        for (const f of [...filters.slice(2), ...listed])
          for (const raw of [...shapes, { status: 'FAILED' }])
            for (const cursor of [null, tasks[40].id, tasks[10].id]) {
              const query = { ...parseFileTaskList({ ...raw, limit: 5 }), beforeId: cursor };
              const branches = listBranches(query, f);
              if (branches.length < 2) continue;
              const sql = new FileTaskListSql(query, ['id'], true, (d) => dbDate(t.ds, d));
              const index = query.status === null ? 'PRIMARY' : 'idx_tasks_status';
              const walk = sql.walk(branches, { index, expectedRows: 1000, budget: 1000 });
              const union = sql.union(branches);
              const ids = async (s: { sql: string; params: unknown[] }) =>
                (await t.ds.query<{ id: string }[]>(s.sql, s.params)).map((r) => r.id);
              // The walk's own rows (no fallback) against the UNION's.
              const byId = (a: string[]) => a.sort().reverse();
              const mark = JSON.stringify([f, raw, cursor]);
              const page = byId(await ids(union));
              assert.deepEqual(byId(await ids(walk)), page, mark);
              // A budget of exactly the entries the walk reads down to the page's last row suffices.
              if (page.length === query.limit + 1) {
                const last = page[page.length - 1];
                const entries = tasks.filter(
                  (x) =>
                    x.id >= last &&
                    (cursor === null || x.id < cursor) &&
                    (query.status === null || x.status === query.status),
                ).length;
                const tight = sql.walk(branches, { index, expectedRows: entries, budget: entries });
                assert.equal((await ids(tight)).length, page.length, `budget ${entries}: ${mark}`);
              }
              const plan = await t.ds.query<{ key: string | null; Extra: string | null }[]>(
                `EXPLAIN ${walk.sql}`,
                walk.params,
              );
              // Down its index; a capped walk that had to sort would fail ("Sort aborted").
              assert.ok(
                plan.some((r) => r.key === index),
                `${mark} ${JSON.stringify(plan)}`,
              );
              for (const r of plan)
                assert.doesNotMatch(r.Extra ?? '', /filesort|temporary/, JSON.stringify(plan));
              // Inside the index: every branch tested on index entries, rows read for the page only.
              if (walk.sql.includes(') k JOIN')) {
                forms.inIndex++;
                assert.ok(
                  plan.some((r) => r.key === index && /Using index/.test(r.Extra ?? '')),
                  JSON.stringify(plan),
                );
              } else forms.rows++;
              compared++;
            }
        assert.ok(
          compared >= 20 && forms.inIndex > 0 && forms.rows > 0,
          JSON.stringify({ compared, ...forms }),
        );
      });

    it('combines the permission filter with kind, biz type, creator, time and name filters', async () => {
      const f = filters[5];
      const raw = {
        bizType: 'invoice',
        q: 'invoice',
        kind: 'FILE',
        status: 'SUCCESS',
        from: '2026-01-01T00:00:00Z',
      };
      const expected = tasks
        .filter((x) => visible(f, x) && x.bizType === 'invoice' && x.name.toLowerCase().includes('invoice'))
        .map((x) => x.id)
        .sort()
        .reverse();
      assert.ok(expected.length > 0);
      assert.deepEqual(await listAll(f, raw), expected);
      if (maria) {
        // The same filters inside a walk (an OR of the branches), not only inside a UNION member.
        const walking = new FileTaskRepository(t.ds, { walks: { budget: 100_000 } });
        const { bizType: _b, ...noBiz } = raw;
        const wider = tasks
          .filter((x) => visible(f, x) && x.status === 'SUCCESS' && x.name.toLowerCase().includes('invoice'))
          .map((x) => x.id)
          .sort()
          .reverse();
        assert.ok(wider.length > expected.length);
        assert.deepEqual(await listAll(f, noBiz, walking), wider);
        assert.deepEqual(
          await listAll(f, { ...noBiz, from: '2025-01-01T00:00:00Z', to: '2025-12-31T00:00:00Z' }, walking),
          [],
        );
      }
      // A name with LIKE's own wildcards is matched literally.
      const literal = await listAll({ all: true }, { q: '1%.pdf' });
      const want = tasks
        .filter((x) => x.name.includes('1%.pdf'))
        .map((x) => x.id)
        .sort()
        .reverse();
      assert.deepEqual(literal, want);
    });
  });
});
