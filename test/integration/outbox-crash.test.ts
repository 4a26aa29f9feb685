import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { OutboxRelay } from '../../mixins/operation-log/log-relay';
import { TypeormOperationLogRepository } from '../../mixins/operation-log/log.repository';
import { LOG_KEY, onBothEngines, type DbTarget } from '../support/log-fixtures';

const ROOT = path.resolve(__dirname, '../..');

/** Changes each child commits before its kill is timed: a loaded machine slows the child, not the test's meaning. */
const MIN_CHANGES = 4;

/**
 * Starts the child, waits until it has committed MIN_CHANGES changes, lets it run `ms` more, then
 * kills it with SIGKILL (anywhere in a change, its outbox write or the relay).
 */
async function runAndKill(db: string, prefix: string, ms: number): Promise<void> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/support/outbox-crash-child.ts'], {
    cwd: ROOT,
    env: { ...process.env, CRASH_DB: db, CRASH_PREFIX: prefix, CRASH_KEY: LOG_KEY },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    let dots = 0;
    child.stdout.on('data', (chunk: Buffer) => {
      dots += chunk.toString().split('.').length - 1;
      if (dots >= MIN_CHANGES) resolve();
    });
    child.once('exit', (code) => reject(new Error(`child exited early with ${code}`)));
  });
  await new Promise((r) => setTimeout(r, ms));
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGKILL');
  await exited;
}

onBothEngines(describe, it, (make, engine) => {
  describe(`crashes between a change and its delivery, and during relay (${engine})`, () => {
    let t: DbTarget;
    before(async () => {
      t = await make();
    });
    after(() => t.cleanup());

    it('leaves every committed change with exactly one log entry, and rolled-back ones with none', async () => {
      const db = t.config.type === 'mysql' ? t.config.url : t.config.file;
      const kills = 8;
      for (let k = 0; k < kills; k++) await runAndKill(db, `CRASH${k}`, 150 + ((k * 97) % 400));
      // What the killed processes left in the outbox is delivered by the next relay to run.
      const relay = new OutboxRelay(t.ds, LOG_KEY, {
        batchSize: 100,
        intervalMs: 10,
        onError: (e) => console.error(e),
      });
      for (let n = -1; n !== 0;) n = await relay.deliverBatch();
      const roles = await t.ds.query<{ code: string }[]>("SELECT code FROM roles WHERE code LIKE 'CRASH%'");
      const logged = await t.ds.query<{ target_id: string; n: string | number }[]>(
        "SELECT target_id, COUNT(*) AS n FROM operation_logs WHERE action = 'ROLE_CREATED' AND target_id LIKE 'CRASH%' GROUP BY target_id",
      );
      assert.ok(
        roles.length >= kills * MIN_CHANGES,
        `the children made too few changes (${roles.length}) to mean anything`,
      );
      const counts = new Map(logged.map((r) => [r.target_id, Number(r.n)]));
      const committed = new Set(roles.map((r) => r.code));
      for (const code of committed) assert.equal(counts.get(code), 1, `${code} committed: exactly one entry`);
      for (const code of counts.keys())
        assert.ok(committed.has(code), `${code} was never committed but is logged`);
      const v = await new TypeormOperationLogRepository(t.ds, LOG_KEY).verify();
      assert.equal(v.ok, true, JSON.stringify(v));
    });
  });
});
