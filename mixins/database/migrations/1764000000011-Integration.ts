import { Table, TableColumn, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Business integration (docs/integration.md). `outbox_events.logged`: an event that is also
 * published stays in the outbox after the relay logged it, until it is on the bus and its webhook
 * deliveries exist (the same relay, a second step; at least once). `webhooks` and
 * `webhook_deliveries`: the endpoints and the log of each delivery and its attempts.
 */
export class Integration1764000000011 implements MigrationInterface {
  async up(q: QueryRunner): Promise<void> {
    if (!(await q.hasColumn('outbox_events', 'logged')))
      await q.addColumn(
        'outbox_events',
        new TableColumn({ name: 'logged', type: 'smallint', default: 0, isNullable: false }),
      );
    await q.createTable(
      new Table({
        name: 'webhooks',
        columns: [
          { name: 'id', type: 'varchar', length: '64', isPrimary: true },
          { name: 'url', type: 'varchar', length: '2048' },
          { name: 'events', type: 'text' },
          { name: 'biz_types', type: 'text' },
          { name: 'secret', type: 'varchar', length: '128' },
          { name: 'created_by', type: 'varchar', length: '64' },
          { name: 'created_at', type: 'datetime', precision: 3 },
        ],
      }),
      true,
    );
    await q.createTable(
      new Table({
        name: 'webhook_deliveries',
        columns: [
          { name: 'id', type: 'varchar', length: '128', isPrimary: true },
          { name: 'webhook_id', type: 'varchar', length: '64' },
          { name: 'event_id', type: 'varchar', length: '64' },
          { name: 'event', type: 'varchar', length: '64' },
          { name: 'body', type: 'text' },
          { name: 'status', type: 'varchar', length: '16' },
          { name: 'attempts', type: 'int', default: 0 },
          { name: 'last_status_code', type: 'int', isNullable: true },
          { name: 'last_error', type: 'varchar', length: '500', isNullable: true },
          { name: 'next_attempt_at', type: 'datetime', precision: 3, isNullable: true },
          { name: 'created_at', type: 'datetime', precision: 3 },
          { name: 'updated_at', type: 'datetime', precision: 3 },
        ],
      }),
      true,
    );
    // A webhook's deliveries newest first: ids start with the event's ULID.
    await q.createIndex(
      'webhook_deliveries',
      new TableIndex({ name: 'idx_deliveries_webhook', columnNames: ['webhook_id', 'id'] }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('webhook_deliveries', true);
    await q.dropTable('webhooks', true);
    await q.dropColumn('outbox_events', 'logged');
  }
}
