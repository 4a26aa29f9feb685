import fs from 'node:fs';
import path from 'node:path';
import { DataSource, type DataSourceOptions, type EntitySchema, type MixedList } from 'typeorm';
import type { DatabaseConfig } from '../config/app-config';
import { serializeSqliteAccess } from './sqlite-serializer';

export interface DataSourceSpec {
  config: DatabaseConfig;
  entities: MixedList<EntitySchema>;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  migrations: MixedList<Function>;
  /** Pool size for MySQL; SQLite has one connection. */
  poolSize?: number;
}

/**
 * Builds (not initializes) a TypeORM DataSource. SQLite runs in WAL mode so readers do not block
 * the writer; MySQL gets a bounded pool, UTC dates and exact decimals.
 * `synchronize` is never on: the schema comes from migrations on both engines.
 */
export function buildDataSource(spec: DataSourceSpec): DataSource {
  const common = {
    entities: spec.entities,
    migrations: spec.migrations,
    migrationsRun: false,
    synchronize: false,
    // Not 'error': a failed query already surfaces as an exception where it is handled, and
    // expected failures (a duplicate key meaning "exists already") would read as faults in logs.
    logging: ['warn', 'migration'] as ('warn' | 'migration')[],
  };
  let options: DataSourceOptions;
  if (spec.config.type === 'sqlite') {
    const file = spec.config.file;
    if (file !== ':memory:') fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    options = {
      ...common,
      type: 'better-sqlite3',
      database: file,
      enableWAL: true,
      prepareDatabase: (db: { pragma(sql: string): unknown }) => {
        db.pragma('busy_timeout = 5000');
        db.pragma('foreign_keys = ON');
        db.pragma('synchronous = NORMAL');
      },
    };
  } else {
    options = {
      ...common,
      type: 'mysql',
      url: spec.config.url,
      timezone: 'Z',
      charset: 'utf8mb4_unicode_ci',
      supportBigNumbers: true,
      bigNumberStrings: true,
      poolSize: spec.poolSize ?? 10,
      extra: { connectionLimit: spec.poolSize ?? 10, waitForConnections: true, enableKeepAlive: true },
    };
  }
  return new DataSource(options);
}

/** The name the migrations lock uses; also the MySQL database name a URL points to. */
const MIGRATION_LOCK = 'ftc_migrations';

/**
 * Runs pending migrations once even when several nodes start at the same time: on MySQL the run
 * holds a named lock (GET_LOCK), so the second node waits and then finds nothing to do.
 */
export async function migrate(ds: DataSource, lockName = MIGRATION_LOCK): Promise<void> {
  if (ds.options.type !== 'mysql') {
    await ds.runMigrations({ transaction: 'each' });
    return;
  }
  const runner = ds.createQueryRunner();
  await runner.connect();
  try {
    const [row] = (await runner.query('SELECT GET_LOCK(?, 120) AS got', [lockName])) as { got: number }[];
    if (Number(row?.got) !== 1) throw new Error(`could not take the migration lock ${lockName} within 120 s`);
    try {
      await ds.runMigrations({ transaction: 'each' });
    } finally {
      await runner.query('SELECT RELEASE_LOCK(?)', [lockName]);
    }
  } finally {
    await runner.release();
  }
}

/**
 * Initializes a DataSource built by buildDataSource. On SQLite it also serialises access to the
 * one shared connection (see sqlite-serializer.ts): always initialize through here.
 */
export async function initializeDataSource(ds: DataSource): Promise<DataSource> {
  await ds.initialize();
  if (ds.options.type === 'better-sqlite3') serializeSqliteAccess(ds);
  return ds;
}
