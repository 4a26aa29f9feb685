import { AsyncLocalStorage } from 'node:async_hooks';
import type BetterSqlite3 from 'better-sqlite3';
import type { DataSource, EntityManager, QueryRunner } from 'typeorm';

/**
 * TypeORM's better-sqlite3 driver runs everything on ONE shared connection and query runner. Two
 * concurrent `transaction()` calls therefore fail ("cannot start a transaction within a
 * transaction"), and worse, a plain query issued while another flow's transaction is open runs
 * inside that transaction and is rolled back with it.
 *
 * This gives the connection a FIFO lock. A transaction holds it from BEGIN to COMMIT/ROLLBACK and
 * its own queries (and nested transactions, which become savepoints) pass straight through; any
 * other query or transaction waits its turn. better-sqlite3 is synchronous, so nothing is lost by
 * serialising: SQLite has one writer anyway.
 *
 * Who is inside the transaction is known through AsyncLocalStorage, and only while a transaction
 * holds the lock: on Node 20 an enabled AsyncLocalStorage runs a promise hook for EVERY promise
 * the process makes (the front door's request path makes dozens per request: ~6 % of the embedded
 * node's CPU under load), so the storage is disabled again whenever no transaction holds the
 * connection. A plain query needs no scope (nothing runs inside it that could query again): it
 * only takes the lock.
 */
/** A read run on the shared connection (see sqliteReadOf). */
export type SqliteRead = <T>(read: (db: BetterSqlite3.Database) => T) => Promise<T>;

const reads = new WeakMap<DataSource, SqliteRead>();

/**
 * A read on the serialised connection of `ds`, outside TypeORM's query runner; null when `ds` is
 * not a serialised SQLite source. With nobody holding the connection the read runs at once:
 * better-sqlite3 is synchronous, so no other flow can begin a transaction before it has finished,
 * and it needs no turn in the queue (nor the awaits a turn costs). While a transaction holds the
 * connection it waits its turn like any other query, so it never reads another flow's
 * uncommitted writes; the transaction's own reads pass.
 */
export function sqliteReadOf(ds: DataSource): SqliteRead | null {
  return reads.get(ds) ?? null;
}

export function serializeSqliteAccess(ds: DataSource): void {
  const owner = new AsyncLocalStorage<symbol>();
  let holder: symbol | null = null;
  const waiting: (() => void)[] = [];
  /** Transactions in their scope now: the storage is enabled while this is above 0. */
  let scoped = 0;

  const acquire = async (token: symbol) => {
    while (holder !== null) await new Promise<void>((resolve) => waiting.push(resolve));
    holder = token;
  };
  const release = () => {
    holder = null;
    waiting.shift()?.();
  };
  /** True when the current flow is the transaction holding the connection. */
  const holds = () => {
    if (scoped === 0 || holder === null) return false;
    const current = owner.getStore();
    return current !== undefined && current === holder;
  };
  /** `fn` alone on the connection; `scope`: as a transaction whose own queries pass the lock. */
  const exclusive = async <T>(fn: () => Promise<T>, scope: boolean): Promise<T> => {
    if (holds()) return fn();
    const token = Symbol('sqlite-lock');
    await acquire(token);
    if (!scope) {
      try {
        return await fn();
      } finally {
        release();
      }
    }
    scoped++;
    try {
      return await owner.run(token, fn);
    } finally {
      // Stale stores left on promises of this transaction are other tokens than any later
      // holder's, so re-enabling later never lets them through.
      if (--scoped === 0) owner.disable();
      release();
    }
  };

  const runner = ds.driver.createQueryRunner('master') as QueryRunner & { query: QueryRunner['query'] };
  const query = runner.query.bind(runner);
  runner.query = ((...args: Parameters<QueryRunner['query']>) =>
    exclusive(() => query(...args), false)) as QueryRunner['query'];

  const db = (ds.driver as unknown as { databaseConnection: BetterSqlite3.Database }).databaseConnection;
  reads.set(ds, <T>(read: (conn: BetterSqlite3.Database) => T): Promise<T> => {
    if (holder === null || holds()) {
      try {
        return Promise.resolve(read(db));
      } catch (e) {
        return Promise.reject(e instanceof Error ? e : new Error(String(e)));
      }
    }
    return exclusive(() => Promise.resolve().then(() => read(db)), false);
  });

  const manager = ds.manager as EntityManager & { transaction: EntityManager['transaction'] };
  const transaction = manager.transaction.bind(manager) as (...a: unknown[]) => Promise<unknown>;
  manager.transaction = (...args: unknown[]) => exclusive(() => transaction(...args), true);
}
