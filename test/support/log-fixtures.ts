import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { DataSource } from 'typeorm';
import type { DatabaseConfig } from '../../mixins/config/app-config';
import { acquireMainDatabase, releaseMainDatabase } from '../../mixins/database/main-database';
import { servers } from './servers';
import { tempMysqlDatabase } from './mysql';

export const LOG_KEY = 'test-log-chain-key-'.padEnd(40, 'x');

export interface DbTarget {
  engine: 'SQLite' | 'MySQL';
  config: DatabaseConfig;
  ds: DataSource;
  cleanup: () => Promise<void>;
}

/** A fresh main database on SQLite (always) or MySQL (when TEST_MYSQL_URL answers). */
export async function freshSqlite(): Promise<DbTarget> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ftc-logs-'));
  const config: DatabaseConfig = { type: 'sqlite', file: path.join(dir, 'ftc.sqlite') };
  const ds = await acquireMainDatabase(config);
  return {
    engine: 'SQLite',
    config,
    ds,
    cleanup: async () => {
      await releaseMainDatabase(config);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function freshMysql(baseUrl: string): Promise<DbTarget> {
  const db = await tempMysqlDatabase(baseUrl, 'ftc_test_logs');
  const config: DatabaseConfig = { type: 'mysql', url: db.url };
  const ds = await acquireMainDatabase(config);
  return {
    engine: 'MySQL',
    config,
    ds,
    cleanup: async () => {
      await releaseMainDatabase(config);
      await db.drop();
    },
  };
}

/** Calls `suite` for SQLite, and for MySQL when it is configured (a skip, or under CI a failure, otherwise). */
export function onBothEngines(
  describeFn: (name: string, fn: () => void | Promise<void>) => unknown,
  itFn: (name: string, opts: { skip: string }, fn: () => void) => unknown,
  suite: (make: () => Promise<DbTarget>, engine: 'SQLite' | 'MySQL') => void,
): void {
  describeFn('on SQLite', () => suite(freshSqlite, 'SQLite'));
  describeFn('on MySQL', async () => {
    const s = await servers('mysql');
    if (s.skip) {
      itFn('needs MySQL', { skip: s.skip }, () => {});
      return;
    }
    suite(() => freshMysql(s.url.mysql), 'MySQL');
  });
}
