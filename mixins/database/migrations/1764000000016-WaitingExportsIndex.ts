import { TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Fair turns' state from the index alone. Every export start reads the waiting exports' groups
 * (oldest per user and biz type) and writes the waiting reasons that changed; with 015's
 * idx_tasks_turns (no kind, no waiting_reason) each of those read every waiting row from the table
 * (2,000 waiting: 28 ms for the groups, 14 ms for the reasons' UPDATE that changed nothing, inside
 * or right after the turn lock). idx_tasks_waiting holds every column they filter and group on,
 * so they read the index only, and the reasons' UPDATE touches only rows whose reason differs
 * (1.1 and 0.5 ms). It replaces idx_tasks_turns, which it covers (same leading column).
 */
export class WaitingExportsIndex1764000000016 implements MigrationInterface {
  async up(q: QueryRunner): Promise<void> {
    await q.createIndex(
      'file_tasks',
      new TableIndex({
        name: 'idx_tasks_waiting',
        columnNames: ['status', 'kind', 'created_by', 'biz_type', 'waiting_reason', 'id'],
      }),
    );
    await q.dropIndex('file_tasks', 'idx_tasks_turns');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.createIndex(
      'file_tasks',
      new TableIndex({ name: 'idx_tasks_turns', columnNames: ['status', 'created_by', 'biz_type', 'id'] }),
    );
    await q.dropIndex('file_tasks', 'idx_tasks_waiting');
  }
}
