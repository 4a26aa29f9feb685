import { Table, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

const id = (name: string, primary = false) => ({ name, type: 'varchar', length: '64', isPrimary: primary });
const time = (name: string) => ({ name, type: 'datetime', precision: 3 });

/** Org units, roles, users and their role assignments. Dialect-neutral (SQLite and MySQL). */
export class Directory1764000000001 implements MigrationInterface {
  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'org_units',
        columns: [
          id('id', true),
          { name: 'name', type: 'varchar', length: '100' },
          { ...id('parent_id'), isNullable: true },
          // Materialised path: subtree queries are a prefix match. 760 chars keep the index under InnoDB's 3072-byte key limit.
          { name: 'path', type: 'varchar', length: '760' },
          time('created_at'),
        ],
      }),
      true,
    );
    // LIKE 'prefix%' uses this index on both engines.
    await q.createIndex('org_units', new TableIndex({ name: 'idx_org_units_path', columnNames: ['path'] }));
    await q.createIndex(
      'org_units',
      new TableIndex({ name: 'idx_org_units_parent', columnNames: ['parent_id'] }),
    );
    await q.createTable(
      new Table({
        name: 'roles',
        columns: [id('code', true), { name: 'name', type: 'varchar', length: '100' }],
      }),
      true,
    );
    await q.createTable(
      new Table({
        name: 'users',
        columns: [
          id('id', true),
          { name: 'username', type: 'varchar', length: '64', isUnique: true },
          { name: 'display_name', type: 'varchar', length: '100' },
          { name: 'password_hash', type: 'varchar', length: '255' },
          { ...id('unit_id'), isNullable: true },
          { name: 'disabled', type: 'boolean', default: false },
          time('created_at'),
          time('updated_at'),
        ],
      }),
      true,
    );
    await q.createIndex('users', new TableIndex({ name: 'idx_users_unit', columnNames: ['unit_id'] }));
    await q.createTable(
      new Table({
        name: 'user_roles',
        columns: [id('user_id', true), id('role_code', true)],
        foreignKeys: [
          {
            columnNames: ['user_id'],
            referencedTableName: 'users',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
          },
        ],
      }),
      true,
    );
    await q.createIndex(
      'user_roles',
      new TableIndex({ name: 'idx_user_roles_role', columnNames: ['role_code'] }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of ['user_roles', 'users', 'roles', 'org_units']) await q.dropTable(t, true);
  }
}
