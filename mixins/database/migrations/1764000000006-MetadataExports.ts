import { Table, TableColumn, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Biz types (the metadata aggregate, one JSON definition per code) and the export attributes of
 * file tasks. The export columns that jobs query (status, lease, failure, attempts) are real
 * columns; the permission snapshot and the manifest are JSON read only with their task.
 */
export class MetadataExports1764000000006 implements MigrationInterface {
  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'biz_types',
        columns: [
          { name: 'code', type: 'varchar', length: '64', isPrimary: true },
          { name: 'kind', type: 'varchar', length: '8' },
          { name: 'definition', type: 'text' },
          { name: 'version', type: 'int' },
          { name: 'updated_at', type: 'datetime', precision: 3 },
          { name: 'updated_by', type: 'varchar', length: '64', isNullable: true },
        ],
      }),
      true,
    );
    const columns: TableColumn[] = [
      new TableColumn({ name: 'export_format', type: 'varchar', length: '8', isNullable: true }),
      new TableColumn({ name: 'export_spec', type: 'text', isNullable: true }),
      new TableColumn({ name: 'idempotency_key', type: 'varchar', length: '128', isNullable: true }),
      new TableColumn({ name: 'request_hash', type: 'varchar', length: '64', isNullable: true }),
      new TableColumn({ name: 'row_count', type: 'bigint', isNullable: true }),
      new TableColumn({ name: 'progress_rows', type: 'bigint', isNullable: true }),
      new TableColumn({ name: 'progress_total', type: 'bigint', isNullable: true }),
      new TableColumn({ name: 'failure_reason', type: 'varchar', length: '32', isNullable: true }),
      new TableColumn({ name: 'failure_message', type: 'varchar', length: '500', isNullable: true }),
      new TableColumn({ name: 'attempts', type: 'int', default: 0 }),
      new TableColumn({ name: 'lease_owner', type: 'varchar', length: '128', isNullable: true }),
      new TableColumn({ name: 'lease_until', type: 'datetime', precision: 3, isNullable: true }),
      new TableColumn({ name: 'manifest', type: 'text', isNullable: true }),
    ];
    await q.addColumns('file_tasks', columns);
    // A repeated idempotency key of one user finds its task; NULL keys never collide.
    await q.createIndex(
      'file_tasks',
      new TableIndex({
        name: 'uq_tasks_idempotency',
        columnNames: ['created_by', 'idempotency_key'],
        isUnique: true,
      }),
    );
    await q.createIndex(
      'file_tasks',
      new TableIndex({ name: 'idx_tasks_request', columnNames: ['created_by', 'request_hash'] }),
    );
    // Compensation: EXPORTING tasks whose lease ran out.
    await q.createIndex(
      'file_tasks',
      new TableIndex({ name: 'idx_tasks_lease', columnNames: ['status', 'lease_until'] }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    for (const i of ['uq_tasks_idempotency', 'idx_tasks_request', 'idx_tasks_lease'])
      await q.dropIndex('file_tasks', i);
    for (const c of [
      'export_format',
      'export_spec',
      'idempotency_key',
      'request_hash',
      'row_count',
      'progress_rows',
      'progress_total',
      'failure_reason',
      'failure_message',
      'attempts',
      'lease_owner',
      'lease_until',
      'manifest',
    ])
      await q.dropColumn('file_tasks', c);
    await q.dropTable('biz_types', true);
  }
}
