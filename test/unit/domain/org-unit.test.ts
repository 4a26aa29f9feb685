import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { buildUnitTree, OrgUnit } from '../../../domain/directory/org-unit';
import { isDomainError } from '../../../domain/shared/errors';

const now = new Date('2026-01-01T00:00:00Z');
const make = (id: string, parent: OrgUnit | null, name = id) => OrgUnit.create({ id, name, parent, now });

describe('OrgUnit', () => {
  it('builds a materialised path from the root', () => {
    const root = make('a', null);
    const child = make('b', root);
    const grandchild = make('c', child);
    assert.equal(root.path, '/a/');
    assert.equal(grandchild.path, '/a/b/c/');
    assert.deepEqual(grandchild.ancestry, ['a', 'b', 'c']);
    assert.ok(root.contains(grandchild));
    assert.ok(child.contains(child));
    assert.ok(!grandchild.contains(child));
  });

  it('does not confuse a sibling whose id is a prefix', () => {
    const root = make('a', null);
    const u1 = make('u1', root);
    const u10 = make('u10', root);
    assert.ok(!u1.contains(u10));
  });

  it('rejects empty, over-long and control-character names', () => {
    for (const name of ['', '   ', 'x'.repeat(101), 'bad\u0000name', 'tab\tname', 'rtl\u202ename', 42]) {
      assert.throws(
        () => OrgUnit.create({ id: 'x', name, parent: null, now }),
        (e: unknown) => isDomainError(e) && e.code === 'VALIDATION_ERROR',
      );
    }
  });

  it('limits nesting depth', () => {
    let unit = make('l0', null);
    for (let i = 1; i < OrgUnit.MAX_DEPTH; i++) unit = make(`l${i}`, unit);
    assert.throws(
      () => make('too-deep', unit),
      (e: unknown) => isDomainError(e) && e.code === 'UNIT_TOO_DEEP',
    );
  });

  it('builds a nested tree, children sorted by name, orphans as roots', () => {
    const root = make('r', null, 'Root');
    const units = [
      make('z', root, 'Zeta'),
      root,
      make('a', root, 'Alpha'),
      OrgUnit.restore({ id: 'o', name: 'Orphan', parentId: 'gone', path: '/gone/o/', createdAt: now }),
    ];
    const tree = buildUnitTree(units);
    assert.deepEqual(tree.map((n) => n.id).sort(), ['o', 'r']);
    const r = tree.find((n) => n.id === 'r')!;
    assert.deepEqual(
      r.children.map((c) => c.name),
      ['Alpha', 'Zeta'],
    );
  });
});
