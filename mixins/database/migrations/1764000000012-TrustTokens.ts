import { Table, TableColumn, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Token revocation and service accounts (API.md "Callers inside the cluster"):
 * - `users.token_version`: bumped on a password, role or disabled change; a token issued under an
 *   older version is refused (existing tokens carry no version, read as 0, the column's default);
 * - `service_accounts`: business systems' credentials, each token stored only as its sha256.
 */
export class TrustTokens1764000000012 implements MigrationInterface {
  name = 'TrustTokens1764000000012';

  async up(q: QueryRunner): Promise<void> {
    if (!(await q.hasColumn('users', 'token_version'))) {
      await q.addColumn(
        'users',
        new TableColumn({ name: 'token_version', type: 'int', default: 0, isNullable: false }),
      );
    }
    await q.createTable(
      new Table({
        name: 'service_accounts',
        columns: [
          { name: 'id', type: 'varchar', length: '64', isPrimary: true },
          { name: 'name', type: 'varchar', length: '100' },
          { name: 'roles', type: 'text' },
          { name: 'unit_id', type: 'varchar', length: '64', isNullable: true },
          { name: 'token_hash', type: 'varchar', length: '64' },
          { name: 'created_at', type: 'datetime', precision: 3 },
          { name: 'created_by', type: 'varchar', length: '64', isNullable: true },
        ],
      }),
      true,
    );
    await q.createIndex(
      'service_accounts',
      new TableIndex({ name: 'idx_service_accounts_name', columnNames: ['name'], isUnique: true }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('service_accounts', true);
    await q.dropColumn('users', 'token_version');
  }
}
