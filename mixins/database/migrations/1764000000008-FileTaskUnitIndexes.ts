import { TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Indexes for the permission-filtered task list (measured in bench/file-tasks-list.md), on top of
 * migration 5's `(created_by, id)`, `(biz_type, id)` and `(status, id)`:
 *
 * - `idx_tasks_biz (biz_type, id, unit_path)`: a branch scoped to a large subtree (a region)
 *   filters the path inside the index and reads rows only for the page. The key must fit InnoDB's
 *   3072 bytes in utf8mb4, hence `unit_path` shrinks from 760 to 600 characters (OrgUnit.MAX_PATH;
 *   16 levels of 26-character ids take 433).
 * - `idx_tasks_biz_status (biz_type, status, id, unit_path)`: a status filter under a biz type
 *   grant (without it MariaDB intersected two indexes and sorted every match: 2 s on 1M tasks),
 *   and under a region scope, inside the index.
 * - `idx_tasks_biz_unit (biz_type, unit_id, id, status)`: a grant scoped to a small subtree (a
 *   store) is read as one exact, ordered branch per unit instead of walking the whole biz type.
 * - `idx_tasks_creator (created_by, id, status, biz_type)`: the caller's own branch under those
 *   filters stays in its index (0.25 instead of 0.44 ms for a status page).
 *
 * Each index is (re)created only when missing or different, so the migration also completes on a
 * database that already has some of them.
 */
export class FileTaskUnitIndexes1764000000008 implements MigrationInterface {
  name = 'FileTaskUnitIndexes1764000000008';

  async up(q: QueryRunner): Promise<void> {
    if (q.connection.options.type === 'mysql') {
      // SQLite does not enforce VARCHAR lengths; MySQL must, for the index key limit.
      await q.query('ALTER TABLE file_tasks MODIFY unit_path VARCHAR(600) NULL');
    }
    await ensureIndex(q, 'idx_tasks_biz', ['biz_type', 'id', 'unit_path']);
    await ensureIndex(q, 'idx_tasks_biz_status', ['biz_type', 'status', 'id', 'unit_path']);
    await ensureIndex(q, 'idx_tasks_biz_unit', ['biz_type', 'unit_id', 'id', 'status']);
    await ensureIndex(q, 'idx_tasks_creator', ['created_by', 'id', 'status', 'biz_type']);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropIndex('file_tasks', 'idx_tasks_biz_unit');
    await q.dropIndex('file_tasks', 'idx_tasks_biz_status');
    await ensureIndex(q, 'idx_tasks_biz', ['biz_type', 'id']);
    await ensureIndex(q, 'idx_tasks_creator', ['created_by', 'id']);
    if (q.connection.options.type === 'mysql') {
      await q.query('ALTER TABLE file_tasks MODIFY unit_path VARCHAR(760) NULL');
    }
  }
}

/**
 * Makes `name` an index on exactly `columnNames`, replacing an index of that name on others. On
 * MySQL the replacement is one ALTER: nodes still on the previous version name these indexes in
 * `FORCE INDEX`, which fails while an index is missing, and building one on millions of tasks
 * takes seconds (InnoDB keeps serving the old one until the ALTER commits).
 */
export async function ensureIndex(q: QueryRunner, name: string, columnNames: string[]): Promise<void> {
  const table = await q.getTable('file_tasks');
  const existing = table?.indices.find((i) => i.name === name);
  if (existing && existing.columnNames.join() === columnNames.join()) return;
  if (existing && q.connection.options.type === 'mysql') {
    const cols = columnNames.map((c) => `\`${c}\``).join(', ');
    await q.query(`ALTER TABLE \`file_tasks\` DROP INDEX \`${name}\`, ADD INDEX \`${name}\` (${cols})`);
    return;
  }
  if (existing) await q.dropIndex('file_tasks', name);
  await q.createIndex('file_tasks', new TableIndex({ name, columnNames }));
}
