import type { DataSource } from 'typeorm';
import type { DatabaseConfig } from '../config/app-config';
import { buildDataSource, initializeDataSource, migrate } from '../database/data-source';
import { ensureMysqlDatabase } from '../database/mysql-admin';
import { ShopOrders1764000000101 } from './migrations/1764000000101-ShopOrders';
import { SHOP_ENTITIES } from './shop.schema';

export { SHOP_ENTITIES } from './shop.schema';
export const SHOP_MIGRATIONS = [ShopOrders1764000000101];

/** Its own lock: the shop and records databases may live on one server and migrate at once. */
const SHOP_MIGRATION_LOCK = 'ftc_shop_migrations';

/**
 * Opens the demo shop database (SHOP_DATABASE_URL, or <DATA_DIR>/shop.sqlite) and brings its schema
 * up to date. On MySQL the database is created first when missing (utf8mb4, for the Chinese and
 * emoji text of the demo data). The caller owns the DataSource and destroys it when done.
 */
export async function openShopDatabase(config: DatabaseConfig): Promise<DataSource> {
  if (config.type === 'mysql') await ensureMysqlDatabase(config.url);
  const ds = buildDataSource({ config, entities: SHOP_ENTITIES, migrations: SHOP_MIGRATIONS });
  await initializeDataSource(ds);
  try {
    await migrate(ds, SHOP_MIGRATION_LOCK);
  } catch (e) {
    await ds.destroy();
    throw e;
  }
  return ds;
}
