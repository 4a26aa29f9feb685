import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../../..');

/** scripts/test.mjs under CI=true: a tier whose server is not configured fails the run up front. */
describe('test runner under CI=true', () => {
  const run = (args: string[], vars: Record<string, string>) => {
    const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, CI: 'true', ...vars };
    return spawnSync(process.execPath, [path.join(ROOT, 'scripts/test.mjs'), ...args], {
      env,
      encoding: 'utf8',
    });
  };

  it('fails when no server variable is set, naming them, instead of leaving tiers out', () => {
    const r = run([], {});
    assert.equal(r.status, 1);
    assert.match(r.stderr, /TEST_MYSQL_URL, TEST_REDIS_URL, TEST_NATS_URL not set/);
  });

  it('fails a named tier whose server is missing', () => {
    const r = run(['cluster'], { TEST_MYSQL_URL: 'mysql://x', TEST_REDIS_URL: 'redis://x' });
    assert.equal(r.status, 1);
    assert.match(r.stderr, /TEST_NATS_URL not set/);
  });
});
