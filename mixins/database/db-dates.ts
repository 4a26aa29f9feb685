import type { DataSource } from 'typeorm';
import { DateUtils } from 'typeorm/util/DateUtils';

/**
 * Raw queries bypass TypeORM's conversion: better-sqlite3 binds no Date, and TypeORM keeps SQLite
 * datetimes as UTC text; mysql2 converts a Date itself (timezone 'Z').
 */
export const dbDate = (ds: DataSource, d: Date): Date | string =>
  ds.options.type === 'mysql' ? d : DateUtils.mixedDateToUtcDatetimeString(d);

/** SQLite returns UTC text without a zone; MySQL returns Date objects. */
export const asDate = (v: Date | string): Date =>
  v instanceof Date ? v : new Date(v.includes('T') ? v : `${v.replace(' ', 'T')}Z`);

/** `?, ?, ?` for an IN list. */
export const marks = (n: number) => Array.from({ length: n }, () => '?').join(', ');
