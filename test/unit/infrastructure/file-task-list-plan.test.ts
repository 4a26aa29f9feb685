import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseFileTaskList } from '../../../domain/file-tasks/list-query';
import {
  LISTED_SCOPE_UNITS,
  readFilter,
  SMALL_SCOPE_UNITS,
  subtreeUnits,
  type ReadFilter,
} from '../../../domain/permissions/policy';
import type { Grant } from '../../../domain/permissions/grant';
import { FileTaskListSql, listBranches } from '../../../mixins/file-tasks/file-task-list.sql';

const UNIT_PATHS = {
  hq: '/hq/',
  east: '/hq/east/',
  sh: '/hq/east/sh/',
  hz: '/hq/east/hz/',
  nb: '/hq/east/nb/',
  south: '/hq/south/',
  gz: '/hq/south/gz/',
};
const grant = (bizType: string, scopeUnitId: string | null = null): Grant => ({
  id: `g-${bizType}-${scopeUnitId}`,
  bizType,
  type: 'USER',
  subject: 'u1',
  actions: ['read'],
  columns: [],
  scopeUnitId,
});
const paths = (id: string) => UNIT_PATHS[id as keyof typeof UNIT_PATHS] ?? null;
const subject = { id: 'u1', roles: ['STAFF'], unitPath: '/hq/east/sh/' };
const filterOf = (grants: Grant[]) => readFilter(subject, grants, paths, subtreeUnits(UNIT_PATHS));
const q = (raw: Record<string, unknown> = {}) => parseFileTaskList(raw);

describe('file task list plan', () => {
  it('lists a small scope unit by unit and a large one by path prefix', () => {
    assert.equal(SMALL_SCOPE_UNITS, 3);
    assert.equal(LISTED_SCOPE_UNITS, 64);
    assert.deepEqual(subtreeUnits(UNIT_PATHS)('south'), ['gz', 'south']);
    assert.deepEqual(subtreeUnits(UNIT_PATHS)('nope'), []);
    const f = filterOf([grant('invoice', 'sh'), grant('contract', 'south'), grant('order', 'east')]);
    assert.ok(!f.all);
    assert.deepEqual(
      f.scoped.map((s) => [s.bizType, s.unitPathPrefix, s.unitIds]),
      [
        ['invoice', '/hq/east/sh/', ['sh']],
        ['contract', '/hq/south/', ['gz', 'south']],
        ['order', '/hq/east/', ['east', 'hz', 'nb', 'sh']], // listed, but more than 3: by prefix
      ],
    );
    // A subtree of more than LISTED_SCOPE_UNITS units is not listed.
    const many = Object.fromEntries(
      Array.from({ length: LISTED_SCOPE_UNITS }, (_, i) => [`s${i}`, `/hq/east/s${i}/`]),
    );
    const wide = readFilter(
      subject,
      [grant('order', 'east')],
      paths,
      subtreeUnits({ ...UNIT_PATHS, ...many }),
    );
    assert.ok(!wide.all && wide.scoped[0].unitIds === null);
    assert.deepEqual(
      listBranches(q(), f).map((b) => b.kind),
      ['own', 'unit', 'unit', 'unit', 'subtree'],
    );
    // Without a subtree lister (older callers), every scope goes by prefix.
    const plain = readFilter(subject, [grant('invoice', 'sh')], paths);
    assert.ok(!plain.all && plain.scoped[0].unitIds === null);
  });

  it('keeps only the branches that can contribute to the query', () => {
    const f = filterOf([grant('invoice'), grant('contract', 'gz'), grant('order', 'east')]);
    const kinds = (raw: Record<string, unknown>) => listBranches(q(raw), f).map((b) => JSON.stringify(b));
    assert.deepEqual(kinds({}), [
      '{"kind":"own","createdBy":"u1"}',
      '{"kind":"biz","bizType":"invoice"}',
      '{"kind":"unit","bizType":"contract","unitId":"gz"}',
      '{"kind":"subtree","bizType":"order","unitPathPrefix":"/hq/east/","unitIds":["east","hz","nb","sh"]}',
    ]);
    // A biz type read whole already holds the caller's own tasks of it.
    assert.deepEqual(kinds({ bizType: 'invoice' }), ['{"kind":"biz","bizType":"invoice"}']);
    assert.deepEqual(kinds({ bizType: 'contract' }), [
      '{"kind":"own","createdBy":"u1"}',
      '{"kind":"unit","bizType":"contract","unitId":"gz"}',
    ]);
    assert.deepEqual(kinds({ bizType: 'other' }), ['{"kind":"own","createdBy":"u1"}']);
    // Someone else's tasks: never through the own branch.
    assert.equal(kinds({ createdBy: 'u2' }).length, 3);
    assert.deepEqual(kinds({ createdBy: 'u2', bizType: 'other' }), []);
    const admin: ReadFilter = { all: true };
    assert.deepEqual(listBranches(q({ bizType: 'x' }), admin), [{ kind: 'all' }]);
  });

  it('binds every value and hints the index that reads each branch in order (MySQL only)', () => {
    const evil = "x' OR 1=1 --";
    const branches = listBranches(
      q({ bizType: 'invoice', q: evil, status: 'FAILED' }),
      filterOf([grant('invoice', 'sh')]),
    );
    for (const mysql of [true, false]) {
      const sql = new FileTaskListSql(q({ q: evil, status: 'FAILED' }), ['id', 'name'], mysql, (d) => d);
      for (const s of [sql.union(branches), sql.plain(branches[0])]) {
        assert.doesNotMatch(s.sql, /OR 1=1/);
        assert.equal(s.sql.split('?').length - 1, s.params.length, s.sql);
        if (!mysql) assert.doesNotMatch(s.sql, /FORCE/, 'SQLite has no index hints');
      }
    }
    const my = new FileTaskListSql(q({ status: 'FAILED' }), ['id'], true, (d) => d);
    assert.match(my.plain({ kind: 'biz', bizType: 'b' }).sql, /FORCE INDEX \(idx_tasks_biz_status\)/);
    assert.match(
      my.plain({ kind: 'unit', bizType: 'b', unitId: 'u' }).sql,
      /FORCE INDEX \(idx_tasks_biz_unit\)/,
    );
    assert.match(my.plain({ kind: 'own', createdBy: 'u' }).sql, /FORCE INDEX \(idx_tasks_creator\)/);
    assert.match(my.plain({ kind: 'all' }).sql, /FORCE INDEX \(idx_tasks_status\)/);
    const none = new FileTaskListSql(q(), ['id'], true, (d) => d);
    assert.doesNotMatch(none.plain({ kind: 'all' }).sql, /FORCE/);
    assert.match(none.plain({ kind: 'biz', bizType: 'b' }).sql, /FORCE INDEX \(idx_tasks_biz\)/);
  });
});
