import type { DataSource } from 'typeorm';
import type { AppConfig } from '../config/app-config';
import { acquireMainDatabase, releaseMainDatabase } from '../database/main-database';
import { adapterMixin, type Adapter } from './adapter.mixin';

export type DatabaseAdapter = Adapter<DataSource>;

/**
 * The records database, opened (and migrated) in started() and released in stopped(). Services of
 * one process share one DataSource (mixins/database/database.registry.ts counts the users).
 */
export function databaseMixin(config: AppConfig): DatabaseAdapter {
  return adapterMixin(
    'the records database',
    () => acquireMainDatabase(config.database),
    () => releaseMainDatabase(config.database),
  );
}
