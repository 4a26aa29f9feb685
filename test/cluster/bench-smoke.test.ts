import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { servers } from '../support/servers';

const ROOT = path.resolve(__dirname, '../..');

/** The run's own Redis database: the one the tests were given (1..15), flushed by the benchmark. */
function benchRedis(url: string): string {
  const u = new URL(url);
  if (!/^\/([1-9]|1[0-5])$/.test(u.pathname)) u.pathname = '/12';
  return u.toString();
}

/**
 * Smoke run of the paper benchmarks (npm run bench) on tiny volumes: Table 3, Table 4, the figures
 * (with their original and bare baselines) and scale-out, one round each, on one shared cluster
 * started through tsx (no build), each writing its markdown. The benchmarks themselves are not part
 * of npm test; this proves they still run and that every export they request ends SUCCESS.
 */
describe('bench: paper benchmarks on tiny volumes', async () => {
  const s = await servers('mysql', 'redis', 'nats');
  if (s.skip) {
    it('needs MySQL, Redis and NATS', { skip: s.skip }, () => {});
    return;
  }

  it(
    'runs Table 3, Table 4, the figures and scale-out and writes their results',
    { timeout: 330_000 },
    () => {
      const out = fs.mkdtempSync(path.join(os.tmpdir(), 'ftc-bench-smoke-'));
      const db = `ftc_bench_smoke_${crypto.randomBytes(3).toString('hex')}`;
      try {
        const r = spawnSync(
          process.execPath,
          [
            '--import',
            'tsx',
            'bench/paper/all.ts',
            // Every part in `npm run bench`'s order: Table 4 after Table 3 (whose data set once
            // held PENDING and EXPORTING exports that stalled Table 4; table3.ts retires them).
            ...[
              '--scale',
              '0.0001',
              '--seconds',
              '1',
              '--connections',
              '20',
              '--sizes',
              '100',
              '--rounds',
              '1',
            ],
            ...['--tsx', '--share-cluster', '--drop', '--db', db, '--out', out],
            ...['--nats', s.url.nats, '--redis', benchRedis(s.url.redis)],
          ],
          // SIGTERM at the budget: the benchmark stops its nodes before it exits.
          { cwd: ROOT, encoding: 'utf8', env: { ...process.env, CI: '' }, timeout: 320_000 },
        );
        assert.equal(r.status, 0, `${r.stdout.slice(-3000)}\n${r.stderr.slice(-3000)}`);
        const files = fs.readdirSync(out).sort();
        const md = (part: string) => {
          const f = files.find((x) => x.startsWith(`${part}-`) && x.endsWith('.md'));
          assert.ok(f, `${part}: ${files.join(', ')}`);
          return fs.readFileSync(path.join(out, f), 'utf8');
        };
        const t3 = md('table3');
        for (const name of ['getFileTaskById', 'getDownloadUrl', 'fileTaskList', 'searchLog'])
          assert.match(t3, new RegExp(`\\| ${name} \\|`));
        assert.doesNotMatch(t3, /\| NaN|\| - \| - \|/);
        // Table 4: both formats, every request accepted and no export failed (the run waits for all).
        const t4 = md('table4');
        for (const format of ['csv', 'xlsx'])
          assert.match(
            t4,
            new RegExp(`\\| ${format} \\| 20 \\| [\\d.,]+ \\| [\\d,]+ \\| [\\d.,]+ \\| 0 \\|`),
          );
        // Figures: the system and both baselines ran for both formats (an "exit 1" or NaN would show).
        const fig = md('figures');
        for (const format of ['xlsx', 'csv'])
          assert.match(fig, new RegExp(`\\| ${format} \\| 100 \\| [\\d.]+ \\| [\\d.]+ \\| [\\d.]+ \\|`));
        assert.doesNotMatch(fig, /NaN|exit \d|out of memory|killed/);
        assert.ok(files.some((f) => f.startsWith('figures-fig6-memory-xlsx')));
        const scale = md('scale');
        for (const nodes of [1, 2])
          for (const format of ['csv', 'xlsx'])
            assert.match(scale, new RegExp(`\\| ${nodes} \\| ${format} \\| 1,000 \\|`));
      } finally {
        fs.rmSync(out, { recursive: true, force: true });
      }
    },
  );
});
