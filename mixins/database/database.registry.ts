import type { DataSource } from 'typeorm';

/**
 * Services that run in one process share one DataSource (one pool) per database. The first
 * service to start opens it (and runs migrations); the last to stop closes it.
 */
const open = new Map<string, { ds: Promise<DataSource>; refs: number }>();

export async function acquireDataSource(key: string, opener: () => Promise<DataSource>): Promise<DataSource> {
  let entry = open.get(key);
  if (!entry) {
    entry = { ds: opener(), refs: 0 };
    open.set(key, entry);
    entry.ds.catch(() => open.delete(key));
  }
  entry.refs++;
  return entry.ds;
}

export async function releaseDataSource(key: string): Promise<void> {
  const entry = open.get(key);
  if (!entry) return;
  entry.refs--;
  if (entry.refs > 0) return;
  open.delete(key);
  const ds = await entry.ds;
  if (ds.isInitialized) await ds.destroy();
}
