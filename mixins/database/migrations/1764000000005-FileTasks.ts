import { Table, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * File tasks. Ids are ULIDs, so "newest first" is the primary key descending. The list query is a
 * UNION of one branch per way the caller may see a task (own tasks, each readable biz type, each
 * unit-scoped grant); each index below serves one kind of branch as an ordered range read that
 * stops after one page.
 */
export class FileTasks1764000000005 implements MigrationInterface {
  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'file_tasks',
        columns: [
          { name: 'id', type: 'varchar', length: '64', isPrimary: true },
          { name: 'kind', type: 'varchar', length: '8' },
          { name: 'biz_type', type: 'varchar', length: '64' },
          { name: 'biz_domain', type: 'varchar', length: '64', isNullable: true },
          { name: 'name', type: 'varchar', length: '255' },
          { name: 'status', type: 'varchar', length: '16' },
          { name: 'created_by', type: 'varchar', length: '64' },
          { name: 'unit_id', type: 'varchar', length: '64', isNullable: true },
          { name: 'unit_path', type: 'varchar', length: '760', isNullable: true },
          { name: 'created_at', type: 'datetime', precision: 3 },
          { name: 'updated_at', type: 'datetime', precision: 3 },
          { name: 'storage_key', type: 'varchar', length: '512', isNullable: true },
          { name: 'size', type: 'bigint', isNullable: true },
          { name: 'sha256', type: 'varchar', length: '64', isNullable: true },
          { name: 'content_type', type: 'varchar', length: '255', isNullable: true },
          { name: 'version', type: 'int' },
        ],
      }),
      true,
    );
    const idx = (name: string, columnNames: string[]) =>
      q.createIndex('file_tasks', new TableIndex({ name, columnNames }));
    await idx('idx_tasks_creator', ['created_by', 'id']);
    await idx('idx_tasks_biz', ['biz_type', 'id']);
    await idx('idx_tasks_status', ['status', 'id']);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('file_tasks', true);
  }
}
