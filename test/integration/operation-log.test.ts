import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DirectoryUseCases, type DirectoryDeps } from '../../domain/directory/directory.use-cases';
import { TypeormDirectoryRepository } from '../../mixins/directory/directory.repository';
import { ulidIds } from '../../mixins/auth/ulid-ids';
import { OutboxRelay } from '../../mixins/operation-log/log-relay';
import { TypeormOperationLogRepository } from '../../mixins/operation-log/log.repository';
import { parseLogSearch } from '../../domain/operation-log/log-search';
import { buildDataSource, initializeDataSource } from '../../mixins/database/data-source';
import { DIRECTORY_ENTITIES } from '../../mixins/database/schemas/directory.schema';
import { OPERATION_LOG_ENTITIES } from '../../mixins/database/schemas/operation-log.schema';
import { plainHasher, jsonTokens } from '../support/memory-directory';
import { LOG_KEY, onBothEngines, type DbTarget } from '../support/log-fixtures';

const relayOf = (t: DbTarget) =>
  new OutboxRelay(t.ds, LOG_KEY, { batchSize: 50, intervalMs: 20, onError: (e) => console.error(e) });

async function drain(relay: OutboxRelay): Promise<number> {
  let total = 0;
  for (let n = -1; n !== 0; total += n) n = await relay.deliverBatch();
  return total;
}

function depsFor(t: DbTarget, clockMs?: () => number): DirectoryDeps {
  return {
    repo: new TypeormDirectoryRepository(t.ds),
    hasher: plainHasher,
    tokens: jsonTokens,
    ids: ulidIds,
    clock: { now: () => new Date(clockMs ? clockMs() : Date.now()) },
  };
}

onBothEngines(describe, it, (make, engine) => {
  describe(`operation log (${engine})`, () => {
    let t: DbTarget;
    let logs: TypeormOperationLogRepository;
    before(async () => {
      t = await make();
      logs = new TypeormOperationLogRepository(t.ds, LOG_KEY);
    });
    after(() => t.cleanup());

    it('logs each committed change exactly once and a rolled-back change never', async () => {
      const uc = new DirectoryUseCases(depsFor(t));
      const actor = { userId: 'admin-1', requestId: 'req-9' };
      await uc.createRole({ code: 'ONCE_A', name: 'A' }, actor);
      await assert.rejects(uc.createRole({ code: 'ONCE_A', name: 'again' }, actor));
      const u = await uc.createUser({ username: 'logme', password: 'long-enough' }, actor);
      await uc.updateUser(u.id, { password: 'another-pass', displayName: 'Log Me' }, actor);
      const relay = relayOf(t);
      assert.equal(await drain(relay), 3);
      assert.equal(await drain(relay), 0);
      const all = await logs.search(parseLogSearch({ limit: 200 }));
      assert.deepEqual(all.items.map((e) => e.action).sort(), [
        'ROLE_CREATED',
        'USER_CREATED',
        'USER_UPDATED',
      ]);
      const updated = all.items.find((e) => e.action === 'USER_UPDATED')!;
      assert.deepEqual(updated.detail.changed, ['password', 'displayName']);
      assert.equal(JSON.stringify(updated).includes('another-pass'), false, 'never the password');
      assert.equal(updated.requestId, 'req-9');
      assert.deepEqual(await logs.verify(), { ok: true, checked: 3, firstBrokenId: null, reason: null });
    });

    it('searches by user, action, target, time range and free text, newest first, page by page', async () => {
      let now = Date.parse('2026-03-01T00:00:00Z');
      const uc = new DirectoryUseCases(depsFor(t, () => (now += 60_000)));
      for (let i = 0; i < 30; i++) {
        await uc.createRole(
          { code: `SEARCH_${i}`, name: i % 3 ? `Plain ${i}` : `Warehouse ${i}` },
          { userId: i % 2 ? 'alice' : 'bob', requestId: null },
        );
      }
      await drain(relayOf(t));
      const bob = await logs.search(parseLogSearch({ userId: 'bob', action: 'ROLE_CREATED', limit: 200 }));
      assert.equal(bob.items.length, 15);
      assert.ok(bob.items.every((e) => e.userId === 'bob'));
      const times = bob.items.map((e) => Date.parse(e.at));
      assert.deepEqual(
        times,
        [...times].sort((a, b) => b - a),
        'newest first',
      );
      const target = await logs.search(parseLogSearch({ targetId: 'SEARCH_7' }));
      assert.deepEqual(
        target.items.map((e) => e.targetId),
        ['SEARCH_7'],
      );
      const range = await logs.search(
        parseLogSearch({ from: '2026-03-01T00:05:00Z', to: '2026-03-01T00:09:59Z', limit: 200 }),
      );
      assert.deepEqual(range.items.map((e) => e.targetId).sort(), [
        'SEARCH_4',
        'SEARCH_5',
        'SEARCH_6',
        'SEARCH_7',
        'SEARCH_8',
      ]);
      const text = await logs.search(parseLogSearch({ q: 'warehouse', limit: 200 }));
      assert.equal(text.items.length, 10);
      // With a user the text is a row filter on the user's index (not FULLTEXT): same answer.
      const textOfBob = await logs.search(parseLogSearch({ q: 'warehouse', userId: 'bob', limit: 200 }));
      assert.deepEqual(textOfBob.items.map((e) => e.targetId).sort(), [
        'SEARCH_0',
        'SEARCH_12',
        'SEARCH_18',
        'SEARCH_24',
        'SEARCH_6',
      ]);
      const pages: string[] = [];
      let cursor: string | null = null;
      do {
        const page = await logs.search(parseLogSearch({ userId: 'alice', limit: 4, cursor }));
        pages.push(...page.items.map((e) => e.id));
        cursor = page.nextCursor;
      } while (cursor);
      assert.equal(pages.length, 15);
      assert.equal(new Set(pages).size, 15);
    });

    it('verify detects 100% of 120 random tamperings in the table and names the first broken entry', async () => {
      const rows = await t.ds.query<Record<string, unknown>[]>('SELECT * FROM operation_logs ORDER BY seq');
      assert.ok(rows.length >= 30);
      const cols = Object.keys(rows[0]);
      const restore = async () => {
        await t.ds.query('DELETE FROM operation_logs');
        for (let i = 0; i < rows.length; i += 20) {
          const chunk = rows.slice(i, i + 20);
          await t.ds.query(
            `INSERT INTO operation_logs (${cols.join(', ')}) VALUES ${chunk.map(() => `(${cols.map(() => '?').join(', ')})`).join(', ')}`,
            chunk.flatMap((r) => cols.map((c) => r[c])),
          );
        }
      };
      let seed = 7;
      const random = () => (seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32;
      const n = rows.length;
      const idAt = (seq: number) => rows[seq - 1].id as string;
      const kinds = ['update', 'delete', 'insert', 'reorder'] as const;
      for (let k = 0; k < 120; k++) {
        const kind = kinds[k % 4];
        const seq = 1 + Math.floor(random() * (n - 1)); // 1..n-1
        let expected: string | null;
        if (kind === 'update') {
          const col = ['detail', 'user_id', 'action', 'target_id', 'outcome'][k % 5];
          await t.ds.query(`UPDATE operation_logs SET ${col} = ? WHERE seq = ?`, [
            col === 'detail' ? '{"x":1}' : 'tampered',
            seq,
          ]);
          expected = idAt(seq);
        } else if (kind === 'delete') {
          await t.ds.query('DELETE FROM operation_logs WHERE seq = ?', [seq]);
          expected = idAt(seq + 1);
        } else if (kind === 'insert') {
          // Make room after `seq` and put a forged copy there, linked to its predecessor's hash.
          await t.ds.query('UPDATE operation_logs SET seq = seq + 1000000 WHERE seq > ?', [seq]);
          await t.ds.query('UPDATE operation_logs SET seq = seq - 999999 WHERE seq > 1000000');
          const src = rows[seq - 1];
          await t.ds.query(
            `INSERT INTO operation_logs (${cols.join(', ')}) VALUES (${cols.map(() => '?').join(', ')})`,
            cols.map((c) =>
              c === 'seq' ? seq + 1 : c === 'id' ? 'forged' : c === 'prev_hash' ? src.hash : src[c],
            ),
          );
          expected = 'forged';
        } else {
          await t.ds.query('UPDATE operation_logs SET seq = -1 WHERE seq = ?', [seq]);
          await t.ds.query('UPDATE operation_logs SET seq = ? WHERE seq = ?', [seq, seq + 1]);
          await t.ds.query('UPDATE operation_logs SET seq = ? WHERE seq = -1', [seq + 1]);
          expected = idAt(seq + 1);
        }
        const r = await logs.verify();
        assert.equal(r.ok, false, `${kind} at ${seq} went unnoticed`);
        assert.equal(r.firstBrokenId, expected, `${kind} at ${seq}`);
        await restore();
      }
      assert.equal((await logs.verify()).ok, true);
      // A deleted tail leaves no broken entry, only a head that points past the end.
      await t.ds.query('DELETE FROM operation_logs WHERE seq = ?', [n]);
      assert.deepEqual(await logs.verify(), {
        ok: false,
        checked: n - 1,
        firstBrokenId: null,
        reason: 'TRUNCATED',
      });
      await restore();
    });

    if (engine === 'MySQL') {
      it('relays on three nodes at once neither lose nor duplicate entries while writers run', async () => {
        const before = (await logs.verify()).checked;
        // Separate DataSources stand for separate nodes: separate pools, separate transactions.
        const nodes = await Promise.all(
          [1, 2, 3].map(() =>
            initializeDataSource(
              buildDataSource({
                config: t.config,
                entities: [...DIRECTORY_ENTITIES, ...OPERATION_LOG_ENTITIES],
                migrations: [],
              }),
            ),
          ),
        );
        const relays = nodes.map(
          (ds) =>
            new OutboxRelay(ds, LOG_KEY, { batchSize: 7, intervalMs: 5, onError: (e) => console.error(e) }),
        );
        relays.forEach((r) => r.start());
        const writers = [0, 1, 2, 3].map(async (w) => {
          const uc = new DirectoryUseCases(depsFor(t));
          for (let i = 0; i < 50; i++)
            await uc.createRole({ code: `MULTI_${w}_${i}`, name: 'x' }, { userId: `w${w}`, requestId: null });
        });
        await Promise.all(writers);
        for (let i = 0; i < 200; i++) {
          const [row] = await t.ds.query<{ n: string | number }[]>('SELECT COUNT(*) AS n FROM outbox_events');
          if (Number(row.n) === 0) break;
          await new Promise((r) => setTimeout(r, 50));
        }
        await Promise.all(relays.map((r) => r.stop()));
        await Promise.all(nodes.map((ds) => ds.destroy()));
        const [dups] = await t.ds.query<{ n: string | number }[]>(
          "SELECT COUNT(*) - COUNT(DISTINCT target_id) AS n FROM operation_logs WHERE target_id LIKE 'MULTI\\_%'",
        );
        const [count] = await t.ds.query<{ n: string | number }[]>(
          "SELECT COUNT(*) AS n FROM operation_logs WHERE target_id LIKE 'MULTI\\_%'",
        );
        assert.equal(Number(count.n), 200);
        assert.equal(Number(dups.n), 0);
        const v = await logs.verify();
        assert.deepEqual([v.ok, v.checked], [true, before + 200]);
      });
    }
  });
});

onBothEngines(describe, it, (make, engine) => {
  describe(`log retention (${engine})`, () => {
    let t: DbTarget;
    before(async () => {
      t = await make();
    });
    after(() => t.cleanup());

    it('moves entries past retention to the cold table in batches, and the chain still verifies', async () => {
      let now = Date.parse('2026-01-01T00:00:00Z');
      const uc = new DirectoryUseCases(depsFor(t, () => (now += 3_600_000)));
      for (let i = 0; i < 25; i++)
        await uc.createRole({ code: `OLD_${i}`, name: 'x' }, { userId: 'u', requestId: null });
      await drain(relayOf(t));
      const logs = new TypeormOperationLogRepository(t.ds, LOG_KEY);
      const cutoff = new Date(Date.parse('2026-01-01T00:00:00Z') + 10.5 * 3_600_000);
      assert.equal(await logs.archiveBefore(cutoff, 4, 1), 4, 'one batch at a time');
      assert.equal(await logs.archiveBefore(cutoff, 4), 6);
      assert.equal(await logs.archiveBefore(cutoff, 4), 0, 'idempotent once done');
      const [cold] = await t.ds.query<{ n: string | number }[]>(
        'SELECT COUNT(*) AS n FROM operation_logs_cold',
      );
      const [hot] = await t.ds.query<{ n: string | number }[]>('SELECT COUNT(*) AS n FROM operation_logs');
      assert.deepEqual([Number(cold.n), Number(hot.n)], [10, 15]);
      assert.deepEqual(await logs.verify(), { ok: true, checked: 25, firstBrokenId: null, reason: null });
    });
  });
});
