import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { COLUMNS, rawRowOf } from '../../../mixins/file-tasks/file-task.repository';

describe('the point read row of a file task', () => {
  it('takes every column of COLUMNS from its own position', () => {
    // Each value is its column's name: a column read from another position shows at once.
    const names = COLUMNS.split(', ');
    const row = rawRowOf(names) as unknown as Record<string, unknown>;
    assert.deepEqual(Object.keys(row), names);
    for (const name of names) assert.equal(row[name], name);
  });
});
