/**
 * Run by test/integration/sqlite-serializer.test.ts in a process of its own (the test runner keeps
 * async hooks on in its own): whether promises are tracked (an async hook on every promise) while
 * a transaction holds the serialised SQLite connection, and after it has finished. Prints JSON.
 */
import { executionAsyncResource } from 'node:async_hooks';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildDataSource, initializeDataSource } from '../../mixins/database/data-source';
import { pointRead } from '../../mixins/database/point-read';

/** With promise hooks on, the code after an await runs with its promise as the async resource. */
const tracked = async () => {
  await Promise.resolve();
  return executionAsyncResource() instanceof Promise;
};

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ftc-sqlite-hooks-'));
  try {
    const ds = await initializeDataSource(
      buildDataSource({
        config: { type: 'sqlite', file: path.join(dir, 'x.sqlite') },
        entities: [],
        migrations: [],
      }),
    );
    await ds.query('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)');
    const read = pointRead<unknown[]>(ds, 'SELECT id, v FROM t WHERE id = ?', (v) => v);
    const before = await tracked();
    let during = false;
    await ds.transaction(async (em) => {
      await em.query('INSERT INTO t (id, v) VALUES (1, ?)', ['a']);
      during = await tracked();
    });
    await ds.query('SELECT 1');
    const rows = await read([1]);
    const after = await tracked();
    await ds.destroy();
    console.log(JSON.stringify({ before, during, after, rows }));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

void main();
