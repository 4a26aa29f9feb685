import type BetterSqlite3 from 'better-sqlite3';
import type { DataSource } from 'typeorm';
import { sqliteReadOf } from './sqlite-serializer';

/** A connection of mysql2's callback API, as TypeORM's driver hands it out. */
interface MysqlConnection {
  query(sql: string, values: unknown[], cb: (err: Error | null, rows: unknown) => void): void;
  release(): void;
}

/**
 * A row from the statement's values in its column order, as an object literal: every row then has
 * the one shape V8 knows, and the driver builds no keyed object per row (better-sqlite3 interns
 * each column name and sets it property by property: a third of its one-row read on the front
 * door's hot path).
 */
export type FromValues<R> = (values: unknown[]) => R;

/**
 * One fixed SQL statement, read often (a row by its key on the front door's hot path), run on the
 * DataSource's own connection but outside TypeORM's query runner: its per-query work (a runner
 * per call, logger and subscriber broadcasts, a promise wrapper around the driver, a statement
 * cache lookup) is most of what a one-row read costs beside the database itself.
 *
 * - SQLite: a statement prepared once; run at once when the serialised connection is free, else in
 *   its turn (sqlite-serializer.ts).
 * - MySQL: a pool connection obtained as TypeORM obtains it (with its error listener), the query,
 *   the connection back to the pool.
 * - Anything else: `ds.query`.
 *
 * The rows are the driver's raw rows, exactly as `ds.query` returns them (on SQLite with
 * `fromValues`: built by it from the values, in the statement's column order); errors are the driver's.
 */
export function pointRead<R>(
  ds: DataSource,
  sql: string,
  fromValues?: FromValues<R>,
): (params: unknown[]) => Promise<R[]> {
  const sqlite = sqliteReadOf(ds);
  if (sqlite && fromValues) {
    let stmt: BetterSqlite3.Statement | null = null;
    return (params) =>
      sqlite((db) => {
        const rows = (stmt ??= db.prepare(sql).raw(true)).all(...params) as unknown[][];
        const out: R[] = [];
        for (const values of rows) out.push(fromValues(values));
        return out;
      });
  }
  if (sqlite) {
    let stmt: BetterSqlite3.Statement | null = null;
    return (params) => sqlite((db) => (stmt ??= db.prepare(sql)).all(...params) as R[]);
  }
  if (ds.options.type === 'mysql') {
    const driver = ds.driver as unknown as { obtainMasterConnection(): Promise<MysqlConnection> };
    return async (params) => {
      const conn = await driver.obtainMasterConnection();
      try {
        return await new Promise<R[]>((resolve, reject) => {
          conn.query(sql, params, (err, rows) => (err ? reject(err) : resolve(rows as R[])));
        });
      } finally {
        conn.release();
      }
    };
  }
  return (params) => ds.query<R[]>(sql, params);
}
