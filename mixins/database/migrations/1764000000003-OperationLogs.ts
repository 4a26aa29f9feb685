import {
  Table,
  TableIndex,
  type MigrationInterface,
  type QueryRunner,
  type TableColumnOptions,
} from 'typeorm';

const logColumns = (): TableColumnOptions[] => [
  { name: 'seq', type: 'bigint', isPrimary: true },
  { name: 'id', type: 'varchar', length: '64', isUnique: true },
  { name: 'at', type: 'datetime', precision: 3 },
  { name: 'user_id', type: 'varchar', length: '64', isNullable: true },
  { name: 'action', type: 'varchar', length: '64' },
  { name: 'target_type', type: 'varchar', length: '32' },
  { name: 'target_id', type: 'varchar', length: '64', isNullable: true },
  { name: 'biz_type', type: 'varchar', length: '64', isNullable: true },
  { name: 'outcome', type: 'varchar', length: '16' },
  { name: 'detail', type: 'text' },
  { name: 'request_id', type: 'varchar', length: '128', isNullable: true },
  { name: 'prev_hash', type: 'varchar', length: '64' },
  { name: 'hash', type: 'varchar', length: '64' },
  { name: 'search_text', type: 'text' },
];

/**
 * The transactional outbox, the operation log with its hash chain head, and the cold table.
 * Indexes follow the searches of API.md: every filter leads an index that ends in (at, seq), so a
 * newest-first page is an index range read that stops after `limit` rows, with no sort.
 */
export class OperationLogs1764000000003 implements MigrationInterface {
  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'outbox_events',
        columns: [
          { name: 'id', type: 'varchar', length: '64', isPrimary: true },
          { name: 'type', type: 'varchar', length: '64' },
          { name: 'occurred_at', type: 'datetime', precision: 3 },
          { name: 'payload', type: 'text' },
        ],
      }),
      true,
    );
    for (const table of ['operation_logs', 'operation_logs_cold']) {
      await q.createTable(new Table({ name: table, columns: logColumns() }), true);
    }
    const idx = (name: string, columnNames: string[]) =>
      q.createIndex('operation_logs', new TableIndex({ name, columnNames }));
    await idx('idx_logs_at', ['at', 'seq']);
    await idx('idx_logs_user_at', ['user_id', 'at', 'seq']);
    await idx('idx_logs_action_at', ['action', 'at', 'seq']);
    await idx('idx_logs_biz_at', ['biz_type', 'at', 'seq']);
    await idx('idx_logs_target', ['target_id', 'at', 'seq']);
    await q.createIndex(
      'operation_logs_cold',
      new TableIndex({ name: 'idx_logs_cold_at', columnNames: ['at', 'seq'] }),
    );
    if (q.connection.options.type === 'mysql') {
      // Free text on MySQL/MariaDB uses InnoDB FULLTEXT; SQLite falls back to LIKE.
      await q.query('ALTER TABLE operation_logs ADD FULLTEXT INDEX ft_logs_search (search_text)');
    }
    await q.createTable(
      new Table({
        name: 'log_chain_head',
        columns: [
          { name: 'id', type: 'int', isPrimary: true },
          { name: 'seq', type: 'bigint' },
          { name: 'hash', type: 'varchar', length: '64' },
        ],
      }),
      true,
    );
    await q.query(`INSERT INTO log_chain_head (id, seq, hash) VALUES (1, 0, '${'0'.repeat(64)}')`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of ['log_chain_head', 'operation_logs_cold', 'operation_logs', 'outbox_events'])
      await q.dropTable(t, true);
  }
}
