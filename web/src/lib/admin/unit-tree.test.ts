import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { expandableKeys, subtreeNames, toTreeData, unitNames, type UnitNode } from './unit-tree';

const tree: UnitNode[] = [
  {
    id: 'u-hq',
    name: 'Head Office',
    parentId: null,
    children: [
      {
        id: 'u-east',
        name: 'East Region',
        parentId: 'u-hq',
        children: [
          { id: 'u-east-sh', name: 'Shanghai Store', parentId: 'u-east', children: [] },
          { id: 'u-east-hz', name: 'Hangzhou Store', parentId: 'u-east', children: [] },
        ],
      },
      { id: 'u-south', name: 'South Region', parentId: 'u-hq', children: [] },
    ],
  },
];

describe('console admin: unit tree', () => {
  it('keeps the nesting and uses ids as keys and values', () => {
    const data = toTreeData(tree);
    assert.equal(data.length, 1);
    assert.deepEqual(
      { key: data[0].key, value: data[0].value, title: data[0].title },
      { key: 'u-hq', value: 'u-hq', title: 'Head Office' },
    );
    assert.deepEqual(
      data[0].children[0].children.map((c) => c.key),
      ['u-east-sh', 'u-east-hz'],
    );
  });

  it('names the whole subtree a UNIT grant applies to, and nothing for an unknown unit', () => {
    assert.deepEqual(subtreeNames(tree, 'u-east'), ['East Region', 'Shanghai Store', 'Hangzhou Store']);
    assert.deepEqual(subtreeNames(tree, 'u-east-sh'), ['Shanghai Store']);
    assert.deepEqual(subtreeNames(tree, 'nope'), []);
  });

  it('looks names up at any depth and opens only units with children', () => {
    assert.equal(unitNames(tree).get('u-east-hz'), 'Hangzhou Store');
    assert.deepEqual(expandableKeys(tree), ['u-hq', 'u-east']);
  });
});
