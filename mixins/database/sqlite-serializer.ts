import { AsyncLocalStorage } from 'node:async_hooks';
import type BetterSqlite3 from 'better-sqlite3';
import type { DataSource, EntityManager, QueryRunner } from 'typeorm';

/**
 * TypeORM's better-sqlite3 driver runs everything on ONE shared connection and query runner. Two
 * concurrent `transaction()` calls therefore fail ("cannot start a transaction within a
 * transaction"), and worse, a plain query issued while another flow's transaction is open runs
 * inside that transaction and is rolled back with it.
 *
 * This gives the connection a FIFO lock that knows who holds it through AsyncLocalStorage: a
 * transaction holds the lock from BEGIN to COMMIT/ROLLBACK and its own queries (and nested
 * transactions, which become savepoints) pass straight through; any other query or transaction
 * waits its turn. better-sqlite3 is synchronous, so nothing is lost by serialising: SQLite has one
 * writer anyway.
 */
/** A read run on the shared connection (see sqliteReadOf). */
export type SqliteRead = <T>(read: (db: BetterSqlite3.Database) => T) => Promise<T>;

const reads = new WeakMap<DataSource, SqliteRead>();

/**
 * A read on the serialised connection of `ds`, outside TypeORM's query runner; null when `ds` is
 * not a serialised SQLite source. With nobody holding the connection the read runs at once:
 * better-sqlite3 is synchronous, so no other flow can begin a transaction before it has finished,
 * and it needs no turn in the queue (nor the AsyncLocalStorage scope and the awaits a turn costs).
 * While a transaction holds the connection it waits its turn like any other query, so it never
 * reads another flow's uncommitted writes.
 */
export function sqliteReadOf(ds: DataSource): SqliteRead | null {
  return reads.get(ds) ?? null;
}

export function serializeSqliteAccess(ds: DataSource): void {
  const owner = new AsyncLocalStorage<symbol>();
  let holder: symbol | null = null;
  const waiting: (() => void)[] = [];

  const acquire = async (token: symbol) => {
    while (holder !== null) await new Promise<void>((resolve) => waiting.push(resolve));
    holder = token;
  };
  const release = () => {
    holder = null;
    waiting.shift()?.();
  };
  const exclusive = async <T>(fn: () => Promise<T>): Promise<T> => {
    const current = owner.getStore();
    if (current !== undefined && current === holder) return fn();
    const token = Symbol('sqlite-lock');
    await acquire(token);
    try {
      return await owner.run(token, fn);
    } finally {
      release();
    }
  };

  const runner = ds.driver.createQueryRunner('master') as QueryRunner & { query: QueryRunner['query'] };
  const query = runner.query.bind(runner);
  runner.query = ((...args: Parameters<QueryRunner['query']>) =>
    exclusive(() => query(...args))) as QueryRunner['query'];

  const db = (ds.driver as unknown as { databaseConnection: BetterSqlite3.Database }).databaseConnection;
  reads.set(ds, <T>(read: (conn: BetterSqlite3.Database) => T): Promise<T> => {
    const current = owner.getStore();
    if (holder === null || (current !== undefined && current === holder)) {
      try {
        return Promise.resolve(read(db));
      } catch (e) {
        return Promise.reject(e instanceof Error ? e : new Error(String(e)));
      }
    }
    return exclusive(() => Promise.resolve().then(() => read(db)));
  });

  const manager = ds.manager as EntityManager & { transaction: EntityManager['transaction'] };
  const transaction = manager.transaction.bind(manager) as (...a: unknown[]) => Promise<unknown>;
  manager.transaction = (...args: unknown[]) => exclusive(() => transaction(...args));
}
