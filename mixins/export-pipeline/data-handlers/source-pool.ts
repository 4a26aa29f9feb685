import type { DataSource } from 'typeorm';
import type { DatabaseConfig } from '../../config/app-config';
import { buildDataSource, initializeDataSource } from '../../database/data-source';
import { ExportErrors } from '../../../domain/exports/export.errors';

/**
 * The named data sources `sql` handlers read (EXPORT_SOURCES). A biz type names a source, never a
 * connection string, so an admin's metadata can reach only what operations configured. Each is
 * opened on first use and kept for the node's life.
 */
export class SourcePool {
  private readonly open = new Map<string, Promise<DataSource>>();

  constructor(
    private readonly sources: Record<string, DatabaseConfig>,
    private readonly onError?: (source: string, e: unknown) => void,
  ) {}

  has(name: string): boolean {
    return Object.hasOwn(this.sources, name);
  }

  get(name: string): Promise<DataSource> {
    const config = this.has(name) ? this.sources[name] : undefined;
    if (!config) throw ExportErrors.unknownSource(name);
    let ds = this.open.get(name);
    if (!ds) {
      ds = initializeDataSource(buildDataSource({ config, entities: [], migrations: [], poolSize: 4 })).catch(
        (e: unknown) => {
          this.open.delete(name);
          // The cause goes to the node's log, not into a message users see (it names hosts).
          this.onError?.(name, e);
          throw ExportErrors.sourceUnavailable(`export data source "${name}" is unreachable`);
        },
      );
      this.open.set(name, ds);
    }
    return ds;
  }

  async close(): Promise<void> {
    const all = [...this.open.values()];
    this.open.clear();
    for (const p of all) {
      const ds = await p.catch(() => null);
      if (ds?.isInitialized) await ds.destroy();
    }
  }
}
