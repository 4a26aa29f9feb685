import type { DataSource } from 'typeorm';
import type { DatabaseConfig } from '../config/app-config';
import { buildDataSource, initializeDataSource, migrate } from './data-source';
import { acquireDataSource, releaseDataSource } from './database.registry';
import { MAIN_ENTITIES } from './schemas';
import { MAIN_MIGRATIONS } from './migrations';
import { ensureMysqlDatabase } from './mysql-admin';

// Sorted by the timestamp in the class name, the order TypeORM records them in.
const MIGRATIONS = [...MAIN_MIGRATIONS].sort((a, b) => migrationTime(a) - migrationTime(b));

function migrationTime(m: { name: string }): number {
  return Number(/(\d{13})$/.exec(m.name)?.[1] ?? 0);
}

const key = (c: DatabaseConfig) => `main:${c.type === 'sqlite' ? c.file : c.url}`;

/** The records database (directory, file tasks, outbox, logs, queue): opened and migrated once. */
export function acquireMainDatabase(config: DatabaseConfig): Promise<DataSource> {
  return acquireDataSource(key(config), async () => {
    if (config.type === 'mysql') await ensureMysqlDatabase(config.url);
    const ds = buildDataSource({ config, entities: MAIN_ENTITIES, migrations: MIGRATIONS });
    await initializeDataSource(ds);
    try {
      await migrate(ds);
    } catch (e) {
      await ds.destroy();
      throw e;
    }
    return ds;
  });
}

export const releaseMainDatabase = (config: DatabaseConfig) => releaseDataSource(key(config));
