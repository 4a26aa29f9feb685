import crypto from 'node:crypto';
import { dropMysqlDatabase, ensureMysqlDatabase } from '../../mixins/database/mysql-admin';

/** A fresh, uniquely named database on the test server; `drop` removes it. */
export async function tempMysqlDatabase(
  baseUrl: string,
  prefix: string,
): Promise<{ url: string; drop: () => Promise<void> }> {
  const u = new URL(baseUrl);
  u.pathname = `/${prefix}_${crypto.randomBytes(4).toString('hex')}`;
  const url = u.toString();
  await ensureMysqlDatabase(url);
  return { url, drop: () => dropMysqlDatabase(url) };
}
