import { Table, TableIndex, TableUnique, type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * The demo shop's orders table, in the shop database (not the records database). Keep in step with
 * shop.schema.ts. Every filter of the order_export biz type leads an index. (unit_id, id) lets a row-scoped
 * keyset page read one index range in id order; it also serves plain unit_id lookups, so there is
 * no separate unit_id index (both engines append the key to a secondary index anyway).
 */
export class ShopOrders1764000000101 implements MigrationInterface {
  async up(q: QueryRunner): Promise<void> {
    const mysql = q.connection.options.type === 'mysql';
    await q.createTable(
      new Table({
        name: 'orders',
        columns: [
          // Exactly "integer" on SQLite makes the key an alias of the rowid: no second B-tree.
          { name: 'id', type: mysql ? 'bigint' : 'integer', isPrimary: true },
          { name: 'order_no', type: 'varchar', length: '32' },
          { name: 'created_at', type: 'datetime', precision: 3 },
          { name: 'paid_at', type: 'datetime', precision: 3, isNullable: true },
          { name: 'status', type: 'smallint' },
          { name: 'buyer_name', type: 'varchar', length: '64' },
          { name: 'buyer_phone', type: 'varchar', length: '20' },
          { name: 'amount', type: 'decimal', precision: 12, scale: 2 },
          { name: 'currency', type: 'varchar', length: '3' },
          { name: 'item_count', type: 'int' },
          { name: 'sku', type: 'varchar', length: '64' },
          { name: 'product_name', type: 'varchar', length: '255' },
          { name: 'shipping_city', type: 'varchar', length: '64' },
          { name: 'unit_id', type: 'varchar', length: '64' },
          { name: 'remark', type: 'varchar', length: '500', isNullable: true },
        ],
        uniques: [new TableUnique({ name: 'uq_orders_order_no', columnNames: ['order_no'] })],
      }),
      true,
    );
    const idx = (name: string, columnNames: string[]) =>
      q.createIndex('orders', new TableIndex({ name, columnNames }));
    await idx('idx_orders_created_at', ['created_at']);
    await idx('idx_orders_status', ['status']);
    await idx('idx_orders_unit_id', ['unit_id', 'id']);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('orders', true);
  }
}
