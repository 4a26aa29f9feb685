import { Table, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Recurring exports (API.md "Recurring exports"): `export_schedules`, one row per schedule with its
 * request as written (relative filters unresolved) and its latest firing. Their ticks live in the
 * job queue (`export-schedules`), registered again from these rows by every core node at start.
 */
export class ExportSchedules1764000000013 implements MigrationInterface {
  name = 'ExportSchedules1764000000013';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'export_schedules',
        columns: [
          { name: 'id', type: 'varchar', length: '64', isPrimary: true },
          { name: 'name', type: 'varchar', length: '100' },
          { name: 'owner_id', type: 'varchar', length: '64' },
          { name: 'biz_type', type: 'varchar', length: '64' },
          { name: 'format', type: 'varchar', length: '16' },
          { name: 'filters', type: 'text' },
          { name: 'columns', type: 'text', isNullable: true },
          { name: 'locale', type: 'varchar', length: '35', isNullable: true },
          { name: 'cron', type: 'varchar', length: '100' },
          { name: 'time_zone', type: 'varchar', length: '64' },
          { name: 'enabled', type: 'boolean' },
          { name: 'version', type: 'int' },
          { name: 'created_at', type: 'datetime', precision: 3 },
          { name: 'updated_at', type: 'datetime', precision: 3 },
          { name: 'last_fired_at', type: 'datetime', precision: 3, isNullable: true },
          { name: 'last_task_id', type: 'varchar', length: '64', isNullable: true },
          { name: 'last_error', type: 'varchar', length: '500', isNullable: true },
        ],
      }),
      true,
    );
    // A user's own schedules, newest first (GET /api/export-schedules).
    await q.createIndex(
      'export_schedules',
      new TableIndex({ name: 'idx_export_schedules_owner', columnNames: ['owner_id', 'id'] }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('export_schedules', true);
  }
}
