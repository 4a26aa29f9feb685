import { Table, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

const str = (name: string, length: number, extra: { isPrimary?: boolean; isNullable?: boolean } = {}) => ({
  name,
  type: 'varchar',
  length: String(length),
  ...extra,
});
// Epoch ms (see queue.schema.ts): integer comparisons, no time zone, same on both engines.
const ms = (name: string, isNullable = false) => ({ name, type: 'bigint', isNullable });
const int = (name: string, isNullable = false) => ({ name, type: 'int', isNullable });

/** The embedded job queue: jobs and cron schedules. Dialect-neutral (SQLite and MySQL). */
export class EmbeddedQueue1764000000002 implements MigrationInterface {
  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'queue_jobs',
        columns: [
          // (queue 100 + id 150) × 4 bytes of utf8mb4 stays under InnoDB's 3072-byte key limit.
          str('queue', 100, { isPrimary: true }),
          str('id', 150, { isPrimary: true }),
          str('name', 100),
          { name: 'data', type: 'text' },
          str('state', 16),
          int('attempts_made'),
          int('max_attempts'),
          str('backoff_type', 16, { isNullable: true }),
          int('backoff_delay_ms', true),
          ms('run_at'),
          str('lock_token', 64, { isNullable: true }),
          ms('locked_until', true),
          str('failed_reason', 1000, { isNullable: true }),
          ms('created_at'),
          ms('finished_at', true),
        ],
      }),
      true,
    );
    await q.createIndex(
      'queue_jobs',
      new TableIndex({ name: 'idx_queue_jobs_claim', columnNames: ['queue', 'state', 'run_at'] }),
    );
    await q.createIndex(
      'queue_jobs',
      new TableIndex({ name: 'idx_queue_jobs_finished', columnNames: ['queue', 'state', 'finished_at'] }),
    );
    await q.createTable(
      new Table({
        name: 'queue_schedules',
        columns: [
          str('queue', 100, { isPrimary: true }),
          str('id', 100, { isPrimary: true }),
          str('name', 100),
          { name: 'data', type: 'text' },
          str('cron', 120),
          str('timezone', 64, { isNullable: true }),
          ms('next_run_at'),
          ms('updated_at'),
        ],
      }),
      true,
    );
    await q.createIndex(
      'queue_schedules',
      new TableIndex({ name: 'idx_queue_schedules_due', columnNames: ['queue', 'next_run_at'] }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('queue_schedules', true);
    await q.dropTable('queue_jobs', true);
  }
}
