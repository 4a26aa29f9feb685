#!/usr/bin/env node
// The web console's steps as run from the root package (web/ has its own package.json and lock).
//   node scripts/web.mjs build      build web/dist unless it was built from the same sources
//   node scripts/web.mjs lint       eslint of web/
//   node scripts/web.mjs typecheck  tsc of web/
// web/node_modules comes from the root postinstall (npm ci --prefix web). Where it is missing
// (a worktree whose node_modules was copied), build installs it; lint and typecheck say so and
// skip, except under CI=true, where they fail.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const web = path.join(root, 'web');
const step = process.argv[2];
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

const run = (args) => {
  const r = spawnSync(npm, args, { cwd: web, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
};

const installed = existsSync(path.join(web, 'node_modules', '.bin', 'vite'));

/** A hash of everything the build reads: a rebuilt console only when one of these changed. */
function sourceHash() {
  const h = createHash('sha256');
  const walk = (p) => {
    if (statSync(p).isDirectory()) for (const n of readdirSync(p).sort()) walk(path.join(p, n));
    else h.update(path.relative(web, p)).update('\0').update(readFileSync(p));
  };
  for (const p of ['src', 'public', 'index.html', 'vite.config.ts', 'tsconfig.json', 'package-lock.json'])
    if (existsSync(path.join(web, p))) walk(path.join(web, p));
  return h.digest('hex');
}

if (step === 'build') {
  if (!installed) run(['ci', '--no-audit', '--no-fund']);
  const stamp = path.join(web, 'dist', '.source-hash');
  const hash = sourceHash();
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === hash && !process.argv.includes('--force')) {
    console.log('web console: web/dist is up to date');
    process.exit(0);
  }
  run(['run', 'build']);
  writeFileSync(stamp, hash);
} else if (step === 'lint' || step === 'typecheck') {
  if (!installed) {
    const msg = `web/: dependencies are not installed (run: npm ci --prefix web); web ${step} skipped`;
    if (process.env.CI === 'true') {
      console.error(msg.replace('skipped', 'cannot run'));
      process.exit(1);
    }
    console.warn(msg);
    process.exit(0);
  }
  run(['run', step]);
} else {
  console.error('usage: node scripts/web.mjs build|lint|typecheck [--force]');
  process.exit(2);
}
