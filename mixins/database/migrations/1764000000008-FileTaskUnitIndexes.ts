import { TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * A grant scoped to a small unit subtree (typically one store) is listed as one exact branch per
 * unit: `biz_type = ? AND unit_id = ?`, read in id order from this index. Without it such a branch
 * walks the whole biz type (a store holds ~1.5 % of it) to find a page. `status` at the end keeps a
 * status-filtered branch inside the index (measured in bench/file-tasks-list.md).
 *
 * `(biz_type, status, id)` gains `unit_path`, so a status filter under a grant scoped to a large
 * subtree (a region) is answered from the index too, instead of reading ~8 rows per row returned.
 */
export class FileTaskUnitIndexes1764000000008 implements MigrationInterface {
  name = 'FileTaskUnitIndexes1764000000008';

  async up(q: QueryRunner): Promise<void> {
    await q.createIndex(
      'file_tasks',
      new TableIndex({ name: 'idx_tasks_biz_unit', columnNames: ['biz_type', 'unit_id', 'id', 'status'] }),
    );
    await q.dropIndex('file_tasks', 'idx_tasks_biz_status');
    await q.createIndex(
      'file_tasks',
      new TableIndex({
        name: 'idx_tasks_biz_status',
        columnNames: ['biz_type', 'status', 'id', 'unit_path'],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropIndex('file_tasks', 'idx_tasks_biz_unit');
    await q.dropIndex('file_tasks', 'idx_tasks_biz_status');
    await q.createIndex(
      'file_tasks',
      new TableIndex({ name: 'idx_tasks_biz_status', columnNames: ['biz_type', 'status', 'id'] }),
    );
  }
}
