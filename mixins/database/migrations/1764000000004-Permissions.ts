import { Table, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

/** Permission grants (API.md "Permissions"): looked up by biz type and by who they apply to. */
export class Permissions1764000000004 implements MigrationInterface {
  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'permission_grants',
        columns: [
          { name: 'id', type: 'varchar', length: '64', isPrimary: true },
          { name: 'biz_type', type: 'varchar', length: '64' },
          { name: 'type', type: 'varchar', length: '8' },
          { name: 'subject', type: 'varchar', length: '64' },
          { name: 'actions', type: 'varchar', length: '64' },
          { name: 'columns', type: 'text' },
          { name: 'scope_unit_id', type: 'varchar', length: '64', isNullable: true },
          { name: 'created_at', type: 'datetime', precision: 3 },
          { name: 'created_by', type: 'varchar', length: '64', isNullable: true },
        ],
      }),
      true,
    );
    await q.createIndex(
      'permission_grants',
      new TableIndex({ name: 'idx_grants_biz', columnNames: ['biz_type'] }),
    );
    await q.createIndex(
      'permission_grants',
      new TableIndex({ name: 'idx_grants_subject', columnNames: ['type', 'subject'] }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('permission_grants', true);
  }
}
