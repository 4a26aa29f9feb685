import { Table, TableColumn, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Fair scheduling and quotas (docs/exports.md). `file_tasks.waiting_reason` (and the cold copy,
 * which keeps the live table's columns): why a PENDING export waits. `export_turn_lock`: one row
 * that every export node updates first in its turn's transaction, so turns are taken one at a time
 * across the cluster on MySQL and SQLite alike. `export_turns`: when each user's export last
 * started, the round robin's memory. Two indexes: the oldest waiting export per user and biz type
 * (idx_tasks_turns), and a user's exports of a biz type by day (idx_tasks_quota).
 */
export class FairExports1764000000015 implements MigrationInterface {
  async up(q: QueryRunner): Promise<void> {
    for (const table of ['file_tasks', 'file_tasks_cold'])
      if (!(await q.hasColumn(table, 'waiting_reason')))
        await q.addColumn(
          table,
          new TableColumn({ name: 'waiting_reason', type: 'varchar', length: '32', isNullable: true }),
        );
    await q.createTable(
      new Table({
        name: 'export_turn_lock',
        columns: [
          { name: 'id', type: 'int', isPrimary: true },
          { name: 'turns', type: 'bigint', default: 0 },
        ],
      }),
      true,
    );
    await q.query('INSERT INTO export_turn_lock (id, turns) VALUES (1, 0)');
    await q.createTable(
      new Table({
        name: 'export_turns',
        columns: [
          { name: 'user_id', type: 'varchar', length: '64', isPrimary: true },
          { name: 'last_turn_at', type: 'bigint' },
        ],
      }),
      true,
    );
    await q.createIndex(
      'file_tasks',
      new TableIndex({ name: 'idx_tasks_turns', columnNames: ['status', 'created_by', 'biz_type', 'id'] }),
    );
    await q.createIndex(
      'file_tasks',
      new TableIndex({ name: 'idx_tasks_quota', columnNames: ['created_by', 'biz_type', 'created_at'] }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropIndex('file_tasks', 'idx_tasks_quota');
    await q.dropIndex('file_tasks', 'idx_tasks_turns');
    await q.dropTable('export_turns', true);
    await q.dropTable('export_turn_lock', true);
    for (const table of ['file_tasks_cold', 'file_tasks']) await q.dropColumn(table, 'waiting_reason');
  }
}
