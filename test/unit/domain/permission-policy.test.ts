import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseGrant, type Grant } from '../../../domain/permissions/grant';
import {
  appliesTo,
  canDownload,
  canExport,
  canRead,
  exportableColumns,
  exportStillAllowed,
  readFilter,
  type ReadFilter,
  type Subject,
  type TaskRef,
} from '../../../domain/permissions/policy';
import { isDomainError } from '../../../domain/shared/errors';

// hq ─┬─ east ─┬─ sh
//     │        └─ hz
//     └─ south ── gz
const PATHS: Record<string, string> = {
  hq: '/hq/',
  east: '/hq/east/',
  sh: '/hq/east/sh/',
  hz: '/hq/east/hz/',
  south: '/hq/south/',
  gz: '/hq/south/gz/',
};
const paths = (id: string) => PATHS[id] ?? null;

const users: Record<string, Subject> = {
  admin: { id: 'admin', roles: ['ADMIN'], unitPath: null },
  fin: { id: 'fin', roles: ['FINANCE'], unitPath: PATHS.hq },
  eastSales: { id: 'eastSales', roles: ['SALES'], unitPath: PATHS.east },
  shOp: { id: 'shOp', roles: ['OPERATOR'], unitPath: PATHS.sh },
  gzOp: { id: 'gzOp', roles: ['OPERATOR'], unitPath: PATHS.gz },
  loner: { id: 'loner', roles: [], unitPath: null },
};

let n = 0;
const grant = (g: Omit<Grant, 'id' | 'columns' | 'scopeUnitId'> & Partial<Grant>): Grant => ({
  id: `g${++n}`,
  columns: [],
  scopeUnitId: null,
  ...g,
});

const GRANTS: Grant[] = [
  grant({ bizType: 'invoice', type: 'ROLE', subject: 'FINANCE', actions: ['read', 'download'] }),
  grant({
    bizType: 'order_export',
    type: 'ROLE',
    subject: 'FINANCE',
    actions: ['read', 'export'],
    columns: ['amount'],
  }),
  grant({
    bizType: 'order_export',
    type: 'UNIT',
    subject: 'east',
    actions: ['read', 'export'],
    columns: ['buyer_phone'],
    scopeUnitId: 'east',
  }),
  grant({ bizType: 'contract', type: 'USER', subject: 'gzOp', actions: ['read'] }),
  grant({
    bizType: 'contract',
    type: 'ROLE',
    subject: 'OPERATOR',
    actions: ['download'],
    scopeUnitId: 'south',
  }),
];

const task = (bizType: string, createdBy: string, unit: string | null): TaskRef => ({
  bizType,
  createdBy,
  unitPath: unit ? PATHS[unit] : null,
});

describe('permission policy (API.md rules)', () => {
  it('applies ROLE to role holders, UNIT to the unit subtree, USER to the user', () => {
    const [fin, , unitEast, userGz] = GRANTS;
    assert.deepEqual(
      Object.keys(users).filter((u) => appliesTo(fin, users[u])),
      ['fin'],
    );
    assert.deepEqual(
      Object.keys(users).filter((u) => appliesTo(unitEast, users[u])),
      ['eastSales', 'shOp'],
    );
    assert.deepEqual(
      Object.keys(users).filter((u) => appliesTo(userGz, users[u])),
      ['gzOp'],
    );
  });

  it('decides read and download exactly as written down by hand', () => {
    const tasks: Record<string, TaskRef> = {
      invHz: task('invoice', 'shOp', 'hz'),
      ordSh: task('order_export', 'gzOp', 'sh'),
      ordGz: task('order_export', 'eastSales', 'gz'),
      conGz: task('contract', 'fin', 'gz'),
      conSh: task('contract', 'fin', 'sh'),
    };
    // [user, task] -> [read, download], written from API.md independently of the code.
    const expected: Record<string, Record<string, [boolean, boolean]>> = {
      admin: {
        invHz: [true, true],
        ordSh: [true, true],
        ordGz: [true, true],
        conGz: [true, true],
        conSh: [true, true],
      },
      fin: {
        invHz: [true, true],
        ordSh: [true, false],
        ordGz: [true, false],
        conGz: [true, true],
        conSh: [true, true],
      },
      eastSales: {
        invHz: [false, false],
        ordSh: [true, false],
        ordGz: [true, true],
        conGz: [false, false],
        conSh: [false, false],
      },
      shOp: {
        invHz: [true, true],
        ordSh: [true, false],
        ordGz: [false, false],
        conGz: [false, true],
        conSh: [false, false],
      },
      gzOp: {
        invHz: [false, false],
        ordSh: [true, true],
        ordGz: [false, false],
        conGz: [true, true],
        conSh: [true, false],
      },
      loner: {
        invHz: [false, false],
        ordSh: [false, false],
        ordGz: [false, false],
        conGz: [false, false],
        conSh: [false, false],
      },
    };
    for (const [u, row] of Object.entries(expected)) {
      for (const [t, [read, download]] of Object.entries(row)) {
        assert.equal(canRead(users[u], tasks[t], GRANTS, paths), read, `${u} read ${t}`);
        assert.equal(canDownload(users[u], tasks[t], GRANTS, paths), download, `${u} download ${t}`);
      }
    }
  });

  it('reveals restricted columns by the union of export grants; ADMIN gets all, columnPermission:false all to exporters', () => {
    const cols = [
      { key: 'order_no' },
      { key: 'amount', restricted: true },
      { key: 'buyer_phone', restricted: true },
      { key: 'status' },
    ];
    const ex = (u: string, columnPermission = true) =>
      exportableColumns(users[u], 'order_export', cols, GRANTS, columnPermission);
    assert.deepEqual(ex('admin'), ['order_no', 'amount', 'buyer_phone', 'status']);
    assert.deepEqual(ex('fin'), ['order_no', 'amount', 'status']);
    assert.deepEqual(ex('shOp'), ['order_no', 'buyer_phone', 'status']);
    assert.deepEqual(ex('gzOp'), []);
    // Without the export permission there is nothing to export, column permission or not.
    assert.deepEqual(ex('gzOp', false), []);
    assert.deepEqual(ex('fin', false), ['order_no', 'amount', 'buyer_phone', 'status']);
    assert.equal(canExport(users.gzOp, 'order_export', GRANTS), false);
    assert.equal(canExport(users.eastSales, 'order_export', GRANTS), true);
  });

  it('gives list queries a filter that selects exactly the readable tasks', () => {
    const matches = (f: ReadFilter, t: TaskRef) =>
      f.all ||
      t.createdBy === f.createdBy ||
      f.bizTypes.includes(t.bizType) ||
      f.scoped.some(
        (s) => s.bizType === t.bizType && t.unitPath !== null && t.unitPath.startsWith(s.unitPathPrefix),
      );
    const bizTypes = ['invoice', 'order_export', 'contract', 'other'];
    const units = [null, ...Object.keys(PATHS)];
    let checked = 0;
    for (const u of Object.values(users)) {
      const f = readFilter(u, GRANTS, paths);
      for (const b of bizTypes)
        for (const creator of Object.keys(users))
          for (const unit of units) {
            const t = task(b, creator, unit);
            assert.equal(matches(f, t), canRead(u, t, GRANTS, paths), `${u.id} ${b} ${creator} ${unit}`);
            checked++;
          }
    }
    assert.equal(checked, 6 * 4 * 6 * 7);
  });

  it('validates grants from the admin API', () => {
    const ok = parseGrant('g', {
      bizType: 'order_export',
      type: 'ROLE',
      subject: 'FINANCE',
      actions: ['export', 'read', 'read'],
      columns: ['amount'],
    });
    assert.deepEqual([ok.actions, ok.scopeUnitId], [['export', 'read'], null]);
    const bad: Record<string, unknown>[] = [
      { bizType: 'Bad Type', type: 'ROLE', subject: 'X', actions: ['read'] },
      { bizType: 'b', type: 'GROUP', subject: 'X', actions: ['read'] },
      { bizType: 'b', type: 'ROLE', subject: '', actions: ['read'] },
      { bizType: 'b', type: 'ROLE', subject: 'X', actions: [] },
      { bizType: 'b', type: 'ROLE', subject: 'X', actions: ['delete'] },
      { bizType: 'b', type: 'ROLE', subject: 'X', actions: ['read'], columns: ['a b'] },
      { bizType: 'b', type: 'ROLE', subject: 'X', actions: ['read'], scopeUnitId: 5 },
    ];
    for (const raw of bad)
      assert.throws(
        () => parseGrant('g', raw),
        (e: unknown) => isDomainError(e) && e.code === 'VALIDATION_ERROR',
        JSON.stringify(raw),
      );
  });
});

describe('exportStillAllowed (the run-time re-check)', () => {
  const b = {
    code: 'order_export',
    columns: [{ key: 'id' }, { key: 'amount', restricted: true }],
    columnPermission: true,
  };
  it('allows a run whose permission, columns and row scope still hold', () => {
    assert.equal(
      exportStillAllowed(users.fin, b, { columns: ['id', 'amount'], rowScope: null }, GRANTS, null),
      null,
    );
  });
  it('refuses a requester who lost the export permission', () => {
    assert.match(
      exportStillAllowed(users.loner, b, { columns: ['id'], rowScope: null }, GRANTS, null) ?? '',
      /no longer export this biz type/,
    );
  });
  it('refuses a snapshotted column the requester may no longer see', () => {
    assert.match(
      exportStillAllowed(users.eastSales, b, { columns: ['id', 'amount'], rowScope: ['east'] }, GRANTS, [
        'east',
      ]) ?? '',
      /column\(s\) amount/,
    );
  });
  it('refuses a row scope wider than the current one', () => {
    assert.match(
      exportStillAllowed(users.eastSales, b, { columns: ['id'], rowScope: ['east', 'sh'] }, GRANTS, ['sh']) ??
        '',
      /row scope/,
    );
  });
});
