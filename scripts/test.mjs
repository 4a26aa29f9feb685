#!/usr/bin/env node
// Runs the test tiers with node's own test runner (TypeScript through tsx).
//   node scripts/test.mjs [unit|service|integration|cluster|e2e ...]
// With no tier named: unit and service always; integration when TEST_MYSQL_URL or TEST_REDIS_URL is
// set; cluster when TEST_NATS_URL is set as well. .ci/run sets all three. e2e (the web console in
// headless Chromium) when chromium is installed. Under CI=true every tier runs and a missing server
// fails: the run stops at once when a tier's variable (TEST_MYSQL_URL, TEST_REDIS_URL, TEST_NATS_URL)
// is not set, instead of leaving the tier out and passing green; a missing browser fails e2e.
// The unit tier also runs the web console's own unit tests (web/src/**/*.test.ts).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const env = process.env;
let tiers = process.argv.slice(2);
const ci = env.CI === 'true';
if (tiers.length === 0) {
  tiers = ['unit', 'service'];
  if (ci || env.TEST_MYSQL_URL || env.TEST_REDIS_URL) tiers.push('integration');
  if (ci || env.TEST_NATS_URL) tiers.push('cluster');
  if (ci || existsSync(env.CHROMIUM_PATH ?? '/usr/bin/chromium')) tiers.push('e2e');
}

/** The servers each tier's suites need (test/support/servers.ts reads the same variables). */
const NEEDS = {
  integration: ['TEST_MYSQL_URL', 'TEST_REDIS_URL'],
  cluster: ['TEST_MYSQL_URL', 'TEST_REDIS_URL', 'TEST_NATS_URL'],
};
if (ci) {
  const missing = [...new Set(tiers.flatMap((t) => (NEEDS[t] ?? []).filter((v) => !env[v])))];
  if (missing.length > 0) {
    console.error(
      `CI=true: ${missing.join(', ')} not set; the ${tiers.filter((t) => NEEDS[t]).join(' and ')} tier(s) cannot run`,
    );
    process.exit(1);
  }
}

const find = (dir) =>
  readdirSync(dir).flatMap((name) => {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) return find(p);
    return name.endsWith('.test.ts') ? [p] : [];
  });

const files = tiers.flatMap((t) => [
  ...find(path.join(root, 'test', t)).sort(),
  ...(t === 'unit' ? find(path.join(root, 'web', 'src')).sort() : []),
]);
if (files.length === 0) {
  console.error(`no test files for tiers: ${tiers.join(', ')}`);
  process.exit(1);
}
console.log(`test tiers: ${tiers.join(', ')} (${files.length} files)`);
// One file at a time: integration and cluster suites share real servers and ports.
const args = ['--import', 'tsx', '--test', '--test-concurrency=1', '--test-reporter=spec', ...files];
const r = spawnSync(process.execPath, args, { stdio: 'inherit', cwd: root, env });
process.exit(r.status ?? 1);
