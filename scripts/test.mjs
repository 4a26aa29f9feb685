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

const filesOf = (t) => [
  ...find(path.join(root, 'test', t)).sort(),
  ...(t === 'unit' ? find(path.join(root, 'web', 'src')).sort() : []),
];
const files = tiers.flatMap(filesOf);
if (files.length === 0) {
  console.error(`no test files for tiers: ${tiers.join(', ')}`);
  process.exit(1);
}
console.log(`test tiers: ${tiers.join(', ')} (${files.length} files)`);
// Unit and service files share nothing (each service test runs its nodes in its own process on a
// temp data dir on free ports, with no server), so they run two at a time: one per core.
// Integration, cluster and e2e suites share real servers and ports: one file at a time. Every group
// runs even when an earlier one failed, so one run reports every failure.
const TEST_CONCURRENCY = { unit: 2, service: 2 };
const groups = [];
for (const t of tiers) {
  const concurrency = TEST_CONCURRENCY[t] ?? 1;
  const last = groups[groups.length - 1];
  if (last && last.concurrency === concurrency) last.files.push(...filesOf(t));
  else groups.push({ concurrency, files: filesOf(t) });
}
let status = 0;
for (const g of groups) {
  if (g.files.length === 0) continue;
  const args = [
    '--import',
    'tsx',
    '--test',
    `--test-concurrency=${g.concurrency}`,
    '--test-reporter=spec',
    ...g.files,
  ];
  const r = spawnSync(process.execPath, args, { stdio: 'inherit', cwd: root, env });
  if (r.status !== 0) status = r.status ?? 1;
}
process.exit(status);
