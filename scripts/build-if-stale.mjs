#!/usr/bin/env node
// Builds dist/ only when its inputs changed, so `npm start` does not pay a full `tsc` run (about a
// minute on a busy machine) on every start.
//   node scripts/build-if-stale.mjs
// The inputs are the .ts files under tsconfig.build.json's `include`, both tsconfig files and
// package-lock.json (a dependency's types can change the build). Their content hash is kept in
// dist/.build-stamp after a successful build; a start whose hash matches and whose dist/main.js
// exists starts at once. A stale build runs tsc incrementally (tsconfig.build.json keeps its
// .tsbuildinfo in dist/), so a one-file change re-checks only what depends on it.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const dist = path.join(root, 'dist');
const stampFile = path.join(dist, '.build-stamp');
const started = Date.now();

const tsFiles = (p) => {
  if (!existsSync(p)) return [];
  if (!statSync(p).isDirectory()) return p.endsWith('.ts') ? [p] : [];
  return readdirSync(p)
    .sort()
    .flatMap((name) => (name === 'node_modules' ? [] : tsFiles(path.join(p, name))));
};

const buildConfig = JSON.parse(readFileSync(path.join(root, 'tsconfig.build.json'), 'utf8'));
const inputs = [
  ...buildConfig.include.flatMap((entry) => tsFiles(path.join(root, entry))),
  ...['tsconfig.json', 'tsconfig.build.json', 'package-lock.json'].map((f) => path.join(root, f)),
].filter((f) => existsSync(f));

const hash = createHash('sha256');
for (const file of inputs) {
  hash.update(path.relative(root, file)).update('\0').update(readFileSync(file)).update('\0');
}
const stamp = hash.digest('hex');

const current =
  existsSync(path.join(dist, 'main.js')) &&
  existsSync(stampFile) &&
  readFileSync(stampFile, 'utf8') === stamp;
if (current) {
  console.log(`build: dist/ is current (${inputs.length} inputs checked in ${Date.now() - started} ms)`);
  process.exit(0);
}

console.log('build: sources changed since the last build, compiling to dist/ ...');
const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
const run = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
if (run.status !== 0) process.exit(run.status ?? 1);
writeFileSync(stampFile, stamp);
console.log(`build: done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
