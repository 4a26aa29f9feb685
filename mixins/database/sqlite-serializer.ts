import { AsyncLocalStorage } from 'node:async_hooks';
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

  const manager = ds.manager as EntityManager & { transaction: EntityManager['transaction'] };
  const transaction = manager.transaction.bind(manager) as (...a: unknown[]) => Promise<unknown>;
  manager.transaction = (...args: unknown[]) => exclusive(() => transaction(...args));
}
