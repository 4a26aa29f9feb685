import { EntitySchema } from 'typeorm';
import { bigintNumber } from '../database/column-types';

/**
 * The demo shop's orders as TypeORM sees them. Property names are the column names (snake_case)
 * because they are also the export column keys of the order_export biz type: one name per field.
 * Dates are Date objects here; order-reader.ts turns rows into the generator's OrderRow shape.
 */
export interface OrderEntity {
  id: number;
  order_no: string;
  created_at: Date;
  paid_at: Date | null;
  status: number;
  buyer_name: string;
  buyer_phone: string;
  /** DECIMAL(12,2): mysql2 returns a string; SQLite has no decimal type and returns a number. */
  amount: string;
  currency: string;
  item_count: number;
  sku: string;
  product_name: string;
  shipping_city: string;
  unit_id: string;
  remark: string | null;
}

export const OrderSchema = new EntitySchema<OrderEntity>({
  name: 'ShopOrder',
  tableName: 'orders',
  columns: {
    // BIGINT on MySQL (returned as a string under bigNumberStrings, hence the transformer); on
    // SQLite the migration declares INTEGER so the key is the rowid itself.
    id: { type: 'bigint', primary: true, transformer: bigintNumber },
    order_no: { type: 'varchar', length: 32 },
    created_at: { type: 'datetime', precision: 3 },
    paid_at: { type: 'datetime', precision: 3, nullable: true },
    status: { type: 'smallint' },
    buyer_name: { type: 'varchar', length: 64 },
    buyer_phone: { type: 'varchar', length: 20 },
    amount: { type: 'decimal', precision: 12, scale: 2 },
    currency: { type: 'varchar', length: 3 },
    item_count: { type: 'int' },
    sku: { type: 'varchar', length: 64 },
    product_name: { type: 'varchar', length: 255 },
    shipping_city: { type: 'varchar', length: 64 },
    unit_id: { type: 'varchar', length: 64 },
    remark: { type: 'varchar', length: 500, nullable: true },
  },
  indices: [
    { name: 'idx_orders_created_at', columns: ['created_at'] },
    { name: 'idx_orders_status', columns: ['status'] },
    { name: 'idx_orders_unit_id', columns: ['unit_id', 'id'] },
  ],
  uniques: [{ name: 'uq_orders_order_no', columns: ['order_no'] }],
});

export const SHOP_ENTITIES = [OrderSchema];
