import { Table, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';
import type { TableColumnOptions } from 'typeorm/schema-builder/options/TableColumnOptions';

/** Every column of file_tasks as migrations 5 and 6 made it (the cold table must match). */
const FILE_TASK_COLUMNS: TableColumnOptions[] = [
  { name: 'id', type: 'varchar', length: '64', isPrimary: true },
  { name: 'kind', type: 'varchar', length: '8' },
  { name: 'biz_type', type: 'varchar', length: '64' },
  { name: 'biz_domain', type: 'varchar', length: '64', isNullable: true },
  { name: 'name', type: 'varchar', length: '255' },
  { name: 'status', type: 'varchar', length: '16' },
  { name: 'created_by', type: 'varchar', length: '64' },
  { name: 'unit_id', type: 'varchar', length: '64', isNullable: true },
  { name: 'unit_path', type: 'varchar', length: '600', isNullable: true },
  { name: 'created_at', type: 'datetime', precision: 3 },
  { name: 'updated_at', type: 'datetime', precision: 3 },
  { name: 'storage_key', type: 'varchar', length: '512', isNullable: true },
  { name: 'size', type: 'bigint', isNullable: true },
  { name: 'sha256', type: 'varchar', length: '64', isNullable: true },
  { name: 'content_type', type: 'varchar', length: '255', isNullable: true },
  { name: 'version', type: 'int' },
  { name: 'export_format', type: 'varchar', length: '8', isNullable: true },
  { name: 'export_spec', type: 'text', isNullable: true },
  { name: 'idempotency_key', type: 'varchar', length: '128', isNullable: true },
  { name: 'request_hash', type: 'varchar', length: '64', isNullable: true },
  { name: 'row_count', type: 'bigint', isNullable: true },
  { name: 'progress_rows', type: 'bigint', isNullable: true },
  { name: 'progress_total', type: 'bigint', isNullable: true },
  { name: 'failure_reason', type: 'varchar', length: '32', isNullable: true },
  { name: 'failure_message', type: 'varchar', length: '500', isNullable: true },
  { name: 'attempts', type: 'int', default: 0 },
  { name: 'lease_owner', type: 'varchar', length: '128', isNullable: true },
  { name: 'lease_until', type: 'datetime', precision: 3, isNullable: true },
  { name: 'manifest', type: 'text', isNullable: true },
];

/**
 * The scheduler: its jobs (one row per job, the rule as JSON), their run history, and the cold
 * table archival moves old file tasks to. file_tasks_cold has exactly the columns of file_tasks,
 * so one `INSERT ... SELECT` moves a batch; it keeps only the primary key and an index by age
 * (it is read rarely, by id, and pruned by age).
 */
export class Scheduler1764000000007 implements MigrationInterface {
  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'scheduled_tasks',
        columns: [
          { name: 'name', type: 'varchar', length: '64', isPrimary: true },
          { name: 'rule', type: 'text' },
          { name: 'enabled', type: 'boolean' },
          { name: 'version', type: 'int' },
          { name: 'updated_at', type: 'datetime', precision: 3 },
          { name: 'updated_by', type: 'varchar', length: '64', isNullable: true },
        ],
      }),
      true,
    );
    await q.createTable(
      new Table({
        name: 'scheduled_task_runs',
        columns: [
          { name: 'id', type: 'varchar', length: '64', isPrimary: true },
          { name: 'name', type: 'varchar', length: '64' },
          { name: 'trigger_kind', type: 'varchar', length: '8' },
          { name: 'job_id', type: 'varchar', length: '191', isNullable: true },
          { name: 'node', type: 'varchar', length: '128' },
          { name: 'started_at', type: 'datetime', precision: 3 },
          { name: 'finished_at', type: 'datetime', precision: 3, isNullable: true },
          { name: 'handled', type: 'bigint' },
          { name: 'outcome', type: 'varchar', length: '16' },
          { name: 'detail', type: 'text' },
        ],
      }),
      true,
    );
    // Run ids are ULIDs: a job's history newest first is this index read backwards.
    await q.createIndex(
      'scheduled_task_runs',
      new TableIndex({ name: 'idx_runs_name', columnNames: ['name', 'id'] }),
    );
    await q.createIndex(
      'scheduled_task_runs',
      new TableIndex({ name: 'idx_runs_started', columnNames: ['started_at'] }),
    );
    // One run per cron tick, whatever the queue delivers: a redelivered tick fails this insert.
    // Manual runs have no job id, and NULLs never collide.
    await q.createIndex(
      'scheduled_task_runs',
      new TableIndex({ name: 'uq_runs_job', columnNames: ['name', 'job_id'], isUnique: true }),
    );

    await q.createTable(new Table({ name: 'file_tasks_cold', columns: FILE_TASK_COLUMNS }), true);
    await q.createIndex(
      'file_tasks_cold',
      new TableIndex({ name: 'idx_tasks_cold_updated', columnNames: ['updated_at'] }),
    );
    // Archival picks old finished tasks by status and age: a range read that stops at one batch.
    await q.createIndex(
      'file_tasks',
      new TableIndex({ name: 'idx_tasks_status_updated', columnNames: ['status', 'updated_at'] }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropIndex('file_tasks', 'idx_tasks_status_updated');
    await q.dropTable('file_tasks_cold', true);
    await q.dropTable('scheduled_task_runs', true);
    await q.dropTable('scheduled_tasks', true);
  }
}
