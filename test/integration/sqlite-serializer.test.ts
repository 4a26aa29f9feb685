import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { DataSource } from 'typeorm';
import { buildDataSource, initializeDataSource } from '../../mixins/database/data-source';
import { pointRead } from '../../mixins/database/point-read';

describe('SQLite access through the one shared connection', () => {
  let ds: DataSource;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ftc-sqlite-'));

  before(async () => {
    ds = await initializeDataSource(
      buildDataSource({
        config: { type: 'sqlite', file: path.join(dir, 'x.sqlite') },
        entities: [],
        migrations: [],
      }),
    );
    await ds.query('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)');
  });
  after(async () => {
    await ds.destroy();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('runs concurrent transactions one after another, each committing or rolling back alone', async () => {
    const work = (n: number) =>
      ds.transaction(async (em) => {
        await em.query('INSERT INTO t (id, v) VALUES (?, ?)', [n, 'a']);
        await new Promise((r) => setTimeout(r, 5));
        if (n % 3 === 0) throw new Error(`rollback ${n}`);
        await em.query('UPDATE t SET v = ? WHERE id = ?', ['b', n]);
      });
    const results = await Promise.allSettled(Array.from({ length: 12 }, (_, i) => work(i + 1)));
    assert.equal(results.filter((r) => r.status === 'rejected').length, 4);
    const rows = await ds.query<{ id: number; v: string }[]>(
      'SELECT id, v FROM t WHERE id <= 12 ORDER BY id',
    );
    assert.deepEqual(
      rows.map((r) => r.id),
      [1, 2, 4, 5, 7, 8, 10, 11],
    );
    assert.ok(rows.every((r) => r.v === 'b'));
  });

  it('never runs a plain query inside another flow’s transaction', async () => {
    const tx = ds.transaction(async (em) => {
      await em.query('INSERT INTO t (id, v) VALUES (100, ?)', ['tx']);
      await new Promise((r) => setTimeout(r, 20));
      throw new Error('roll back');
    });
    await new Promise((r) => setTimeout(r, 1));
    const outside = ds.query('INSERT INTO t (id, v) VALUES (101, ?)', ['outside']);
    await assert.rejects(tx);
    await outside;
    const rows = await ds.query<{ id: number }[]>('SELECT id FROM t WHERE id >= 100 ORDER BY id');
    assert.deepEqual(
      rows.map((r) => r.id),
      [101],
    );
  });

  it('answers a point read at once when the connection is free, and never with another flow’s uncommitted row', async () => {
    const read = pointRead<{ id: number; v: string }>(ds, 'SELECT id, v FROM t WHERE id = ?');
    await ds.query('INSERT INTO t (id, v) VALUES (30, ?)', ['committed']);
    assert.deepEqual(await read([30]), [{ id: 30, v: 'committed' }]);
    let inside: unknown;
    const tx = ds.transaction(async (em) => {
      await em.query('INSERT INTO t (id, v) VALUES (31, ?)', ['tx']);
      // The transaction's own read sees its own row (it holds the connection: no deadlock).
      inside = await read([31]);
      await new Promise((r) => setTimeout(r, 20));
      throw new Error('roll back');
    });
    await new Promise((r) => setTimeout(r, 5));
    // Issued while the transaction holds the connection: it waits for the rollback.
    const outside = read([31]);
    await assert.rejects(tx);
    assert.deepEqual(inside, [{ id: 31, v: 'tx' }]);
    assert.deepEqual(await outside, []);
  });

  it('builds point read rows from the values when given a row builder, with the same turns', async () => {
    const read = pointRead<{ id: number; v: string }>(ds, 'SELECT id, v FROM t WHERE id = ?', (v) => ({
      id: v[0] as number,
      v: v[1] as string,
    }));
    await ds.query('INSERT INTO t (id, v) VALUES (40, ?)', ['committed']);
    assert.deepEqual(await read([40]), [{ id: 40, v: 'committed' }]);
    assert.deepEqual(await read([41]), []);
    const tx = ds.transaction(async (em) => {
      await em.query('INSERT INTO t (id, v) VALUES (41, ?)', ['tx']);
      assert.deepEqual(await read([41]), [{ id: 41, v: 'tx' }]);
      await new Promise((r) => setTimeout(r, 20));
      throw new Error('roll back');
    });
    await new Promise((r) => setTimeout(r, 5));
    const outside = read([41]);
    await assert.rejects(tx);
    assert.deepEqual(await outside, []);
  });

  it('tracks promises (async hooks) only while a transaction holds the connection', () => {
    // In a process of its own: the test runner keeps async hooks on in this one.
    const child = spawnSync(
      process.execPath,
      ['--import', 'tsx', path.resolve(__dirname, '../support/sqlite-hooks-child.ts')],
      { encoding: 'utf8', timeout: 60_000 },
    );
    assert.equal(child.status, 0, child.stderr);
    assert.deepEqual(JSON.parse(child.stdout.trim().split('\n').pop() ?? '{}'), {
      before: false,
      during: true,
      after: false,
      rows: [[1, 'a']],
    });
  });

  it('lets a transaction nest (savepoints) without deadlocking on its own lock', async () => {
    await ds.transaction(async (em) => {
      await em.query('INSERT INTO t (id, v) VALUES (200, ?)', ['outer']);
      await em.transaction(async (inner) => {
        await inner.query('INSERT INTO t (id, v) VALUES (201, ?)', ['inner']);
      });
    });
    const rows = await ds.query<{ id: number }[]>('SELECT id FROM t WHERE id >= 200 ORDER BY id');
    assert.equal(rows.length, 2);
  });
});
