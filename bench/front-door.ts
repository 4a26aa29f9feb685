/**
 * The front door on the embedded default: `GET /api/file-tasks/:id` through the whole node
 * (`node dist/main.js` as `npm start` runs it: gateway, JWT, directory, permission check, SQLite
 * read, access log) beside a bare node:http + better-sqlite3 server reading the same row from the
 * same file (bench/front-door-baseline.ts), interleaved: warm-up, then bare, system, bare, system …
 * for `--rounds` rounds, so both see the same machine load. Reports each round and the min and
 * median of the rps ratio.
 *
 *   npm run bench:front-door -- [--rows 100000] [--seconds 10] [--rounds 3] [--connections 100]
 *     [--cpu-prof] [--tsx] [--label name] [--out bench/results] [--compare-root other-checkout]
 *
 * `--cpu-prof` runs the node(s) under `--cpu-prof` and prints where their time went (the profile's
 * own cost makes those runs slower). `--compare-root` adds a third server, another checkout's built
 * node on its own copy of the same SQLite file, interleaved in every round (bare, compared,
 * system), so a change is judged against its "before" on the same machine load.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { DateUtils } from 'typeorm/util/DateUtils';
import { acquireMainDatabase, releaseMainDatabase } from '../mixins/database/main-database';
import { freePort } from '../test/support/cluster';
import { http } from '../test/support/embedded-node';
import { mulberry32 } from '../domain/shared/prng';
import { INSERT_COLUMNS, makeRow } from './support/file-task-data';
import { summarizeProfile } from './support/cpu-profile';
import { fmt, mdTable, sleep } from './paper/common';
import { minMedian, runLoad, type LoadResult } from './paper/load';

const ROOT = path.resolve(__dirname, '..');
const { values } = parseArgs({
  options: {
    rows: { type: 'string', default: '100000' },
    seconds: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '3' },
    rounds: { type: 'string', default: '3' },
    connections: { type: 'string', default: '100' },
    'cpu-prof': { type: 'boolean', default: false },
    tsx: { type: 'boolean', default: false },
    out: { type: 'string', default: path.join(ROOT, 'bench/results') },
    label: { type: 'string', default: '' },
    /** Another checkout whose built dist/main.js is the system (e.g. the code before a change). */
    'system-root': { type: 'string' },
    /** Another checkout's built node, measured in the same rounds as the system (before / after). */
    'compare-root': { type: 'string' },
    /** Where --cpu-prof writes the profile (default: the run's temp dir, removed at the end). */
    'prof-dir': { type: 'string' },
  },
});
const ROWS = Number(values.rows);
const SECONDS = Number(values.seconds);
const ROUNDS = Number(values.rounds);
const CONNECTIONS = Number(values.connections);
const WARMUP = Number(values.warmup);

/** The file tasks, written with the real migrations' schema straight into the node's SQLite file. */
async function loadTasks(file: string): Promise<string[]> {
  const config = { type: 'sqlite' as const, file };
  await acquireMainDatabase(config);
  await releaseMainDatabase(config);
  const db = new Database(file);
  const cols = INSERT_COLUMNS.split(',').length;
  const insert = db.prepare(
    `INSERT INTO file_tasks (${INSERT_COLUMNS}) VALUES (${Array(cols).fill('?').join(',')})`,
  );
  const ids: string[] = [];
  db.transaction(() => {
    for (let i = 0; i < ROWS; i++) {
      // No task left PENDING or EXPORTING: the node would pick those up as exports to recover and
      // spend the run on them (they have no real spec), which is not what this measures.
      const made = makeRow(i, ROWS);
      if (made[5] === 'PENDING' || made[5] === 'EXPORTING') made[5] = 'CANCELLED';
      const row = made.map((v) => (v instanceof Date ? DateUtils.mixedDateToUtcDatetimeString(v) : v));
      insert.run(row);
      ids.push(row[0] as string);
    }
  })();
  db.close();
  return ids;
}

function spawnNode(name: string, args: string[], env: Record<string, string>, cwd = ROOT): ChildProcess {
  const child = spawn(process.execPath, args, {
    cwd,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env },
    // The node's stdout carries an access log line per request, as `npm start` writes it.
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let err = '';
  child.stderr?.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-4000)));
  child.once('exit', (code, signal) => {
    if (code !== 0 && signal !== 'SIGTERM') console.error(`${name} exited ${code ?? signal}\n${err}`);
  });
  return child;
}

/** CPU seconds (user + system) a process has used so far, from /proc/<pid>/stat (clock ticks of 1/100 s). */
function cpuSeconds(pid: number | undefined): number {
  if (pid === undefined) return NaN;
  try {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return NaN;
  }
}

/** A load run and the server's CPU time per 2xx response: on a shared box, the efficiency measure. */
async function measured(pid: number | undefined, run: () => Promise<LoadResult>) {
  const before = cpuSeconds(pid);
  const r = await run();
  const cpuMsPerRequest = ((cpuSeconds(pid) - before) * 1000) / Math.max(1, r.ok);
  return { ...r, cpuMsPerRequest };
}
type Measured = Awaited<ReturnType<typeof measured>>;

async function waitUp(url: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 180_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${url}: the process exited ${child.exitCode}`);
    const ok = await fetch(url)
      .then((r) => r.status < 500)
      .catch(() => false);
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`${url} did not come up`);
    await sleep(200);
  }
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  const t = setTimeout(() => child.kill('SIGKILL'), 20_000);
  await exited;
  clearTimeout(t);
}

/** An admin token; moleculer-web builds its routes a moment after the services start: retry while 404 or 503. */
async function adminToken(base: string): Promise<string> {
  let login = { status: 404, body: null as { token?: string } | null };
  for (let i = 0; i < 150 && (login.status === 404 || login.status === 503); i++) {
    if (i) await sleep(200);
    login = await http(base, 'POST', '/api/auth/login', {
      body: { username: 'admin', password: 'bench-admin-password' },
    });
  }
  if (login.status !== 200 || !login.body?.token) throw new Error(`admin login at ${base}: ${login.status}`);
  return login.body.token;
}

/** The compared checkout beside the bare server and the system, per round, as min / median. */
function comparedLines(
  rounds: { bare: Measured; system: Measured; compared?: Measured }[],
  root: string | null,
): string[] {
  const cmp = rounds.flatMap((x) => (x.compared ? [{ ...x, compared: x.compared }] : []));
  if (!root || !cmp.length) return [];
  const show = (xs: number[]) => {
    const m = minMedian(xs);
    return `min ${m.min.toFixed(2)}×, median ${m.median.toFixed(2)}× (per round: ${xs.map((x) => `${x.toFixed(2)}×`).join(', ')})`;
  };
  return [
    `Compared checkout \`${root}\`, same rounds: req/s vs bare ${show(cmp.map((x) => x.compared.rps / x.bare.rps))}; requests per CPU-second vs bare ${show(cmp.map((x) => x.bare.cpuMsPerRequest / x.compared.cpuMsPerRequest))}.`,
    '',
    `**System / compared: req/s ${show(cmp.map((x) => x.system.rps / x.compared.rps))}; requests per CPU-second ${show(cmp.map((x) => x.compared.cpuMsPerRequest / x.system.cpuMsPerRequest))}.**`,
    '',
  ];
}

async function main(): Promise<void> {
  const startedAt = new Date();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ftc-bench-front-'));
  const profDir = values['prof-dir'] ? path.resolve(values['prof-dir']) : path.join(dataDir, 'prof');
  const dbFile = path.join(dataDir, 'ftc.sqlite');
  const children: ChildProcess[] = [];
  try {
    if (!values.tsx) {
      const b = spawnSync(process.execPath, ['scripts/build-if-stale.mjs'], { cwd: ROOT, stdio: 'inherit' });
      if (b.status !== 0) throw new Error('build failed');
    }
    console.log(`loading ${fmt(ROWS)} file tasks …`);
    const ids = await loadTasks(dbFile);
    const [sysPort, barePort] = [await freePort(), await freePort()];
    const prof = values['cpu-prof'] ? ['--cpu-prof', `--cpu-prof-dir=${profDir}`] : [];
    const system = spawnNode(
      'system',
      values.tsx ? [...prof, '--import', 'tsx', 'main.ts'] : [...prof, 'dist/main.js'],
      {
        DATA_DIR: dataDir,
        PORT: String(sysPort),
        HOST: '127.0.0.1',
        ADMIN_PASSWORD: 'bench-admin-password',
        DEMO_ORDERS: '100',
      },
      values['system-root'] ? path.resolve(values['system-root']) : ROOT,
    );
    children.push(system);
    const bare = spawnNode(
      'bare',
      ['--import', 'tsx', 'bench/front-door-baseline.ts', dbFile, String(barePort)],
      {},
    );
    children.push(bare);
    const compareRoot = values['compare-root'] ? path.resolve(values['compare-root']) : null;
    let compared: ChildProcess | null = null;
    let cmpBase = '';
    if (compareRoot) {
      // Its own data directory (a copy of the loaded file): each node writes its own queue and log.
      const cmpDir = path.join(dataDir, 'compare');
      fs.mkdirSync(cmpDir);
      fs.copyFileSync(dbFile, path.join(cmpDir, 'ftc.sqlite'));
      const cmpPort = await freePort();
      const cmpProf = values['cpu-prof'] ? ['--cpu-prof', `--cpu-prof-dir=${profDir}/compare`] : [];
      compared = spawnNode(
        'compared',
        [...cmpProf, 'dist/main.js'],
        {
          DATA_DIR: cmpDir,
          PORT: String(cmpPort),
          HOST: '127.0.0.1',
          ADMIN_PASSWORD: 'bench-admin-password',
          DEMO_ORDERS: '100',
        },
        compareRoot,
      );
      children.push(compared);
      cmpBase = `http://127.0.0.1:${cmpPort}`;
    }
    const sysBase = `http://127.0.0.1:${sysPort}`;
    const bareBase = `http://127.0.0.1:${barePort}`;
    await waitUp(`${sysBase}/api/health`, system);
    await waitUp(`${bareBase}/t/x`, bare);
    if (compared) await waitUp(`${cmpBase}/api/health`, compared);
    const token = await adminToken(sysBase);
    const cmpToken = compared ? await adminToken(cmpBase) : '';
    const who = { token, ids };
    const rnd = mulberry32(7);
    const pickId = () => who.ids[Math.floor(rnd() * who.ids.length)];
    const runs = {
      bare: () =>
        runLoad({
          url: bareBase,
          connections: CONNECTIONS,
          seconds: SECONDS,
          next: () => ({ path: `/t/${pickId()}` }),
        }),
      system: () =>
        runLoad({
          url: sysBase,
          token: who.token,
          connections: CONNECTIONS,
          seconds: SECONDS,
          next: () => ({ path: `/api/file-tasks/${pickId()}` }),
        }),
      compared: () =>
        runLoad({
          url: cmpBase,
          token: cmpToken,
          connections: CONNECTIONS,
          seconds: SECONDS,
          next: () => ({ path: `/api/file-tasks/${pickId()}` }),
        }),
    };
    console.log(`warm-up ${WARMUP} s each …`);
    const warmed: [string, string][] = [
      [bareBase, ''],
      ...(compared ? [[cmpBase, cmpToken] as [string, string]] : []),
      [sysBase, who.token],
    ];
    for (const [base, tok] of warmed) {
      await runLoad({
        url: base,
        token: tok || undefined,
        connections: CONNECTIONS,
        seconds: WARMUP,
        next: () => ({ path: base === bareBase ? `/t/${pickId()}` : `/api/file-tasks/${pickId()}` }),
      });
    }
    const rounds: { bare: Measured; system: Measured; compared?: Measured }[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      const b = await measured(bare.pid, runs.bare);
      const c = compared ? await measured(compared.pid, runs.compared) : undefined;
      const s = await measured(system.pid, runs.system);
      rounds.push({ bare: b, system: s, compared: c });
      console.log(
        `round ${r + 1}: bare ${fmt(b.rps)} rps p95 ${fmt(b.p95, 1)} ms; system ${fmt(s.rps)} rps p95 ${fmt(s.p95, 1)} ms (errors ${s.errors}); ratio ${(s.rps / b.rps).toFixed(2)}×; CPU ms/request bare ${b.cpuMsPerRequest.toFixed(3)}, system ${s.cpuMsPerRequest.toFixed(3)}` +
          (c
            ? `; compared ${fmt(c.rps)} rps, ratio ${(c.rps / b.rps).toFixed(2)}×, CPU ms/request ${c.cpuMsPerRequest.toFixed(3)}`
            : ''),
      );
    }
    const load = os
      .loadavg()
      .map((x) => x.toFixed(2))
      .join(' ');
    await stop(system);
    await stop(bare);
    if (compared) await stop(compared);
    const ratios = rounds.map((x) => x.system.rps / x.bare.rps);
    const mm = minMedian(ratios);
    const cpuRatios = rounds.map((x) => x.bare.cpuMsPerRequest / x.system.cpuMsPerRequest);
    const cpu = minMedian(cpuRatios);
    const row = (name: string, r: Measured, i: number) => [
      String(i + 1),
      name,
      fmt(r.rps),
      fmt(r.p50, 1),
      fmt(r.p95, 1),
      fmt(r.p99, 1),
      fmt(r.max, 0),
      fmt(r.requests),
      r.cpuMsPerRequest.toFixed(3),
      `${r.non2xx} / ${r.timeouts} / ${r.dropped} / ${r.unfinished}`,
    ];
    const md = [
      `## Front door on the embedded default${values.label ? ` — ${values.label}` : ''} (${startedAt.toISOString().slice(0, 16)} UTC)`,
      '',
      `Machine: ${os.cpus()[0]?.model ?? '?'}, ${os.cpus().length} cores, ${Math.round(os.totalmem() / 1024 ** 3)} GiB RAM, ${os.platform()} ${os.release()}; Node ${process.version}; load average at the end ${load} (the box is shared: compare the ratios of one run, not absolute numbers).`,
      '',
      `Run: \`npm run bench:front-door -- --rows ${ROWS} --seconds ${SECONDS} --rounds ${ROUNDS} --connections ${CONNECTIONS}${values['cpu-prof'] ? ' --cpu-prof' : ''}${values.tsx ? ' --tsx' : ''}${values['compare-root'] ? ` --compare-root ${values['compare-root']}` : ''}\`. ${fmt(ROWS)} file tasks in the node's SQLite file; system = \`${values.tsx ? 'tsx main.ts' : 'node dist/main.js'}\` (embedded default, default log level: one access log line per request to stdout) with the ADMIN token (as the paper's Table 3); bare = node:http + better-sqlite3 \`SELECT * FROM file_tasks WHERE id = ?\` on the same file. autocannon (in the benchmark process) with ${CONNECTIONS} connections, random ids, ${WARMUP} s warm-up of each, then bare and system alternating, ${SECONDS} s each${values['cpu-prof'] ? '; the system node ran under --cpu-prof (slower)' : ''}.`,
      '',
      mdTable(
        [
          'round',
          'server',
          'req/s',
          'p50 ms',
          'p95 ms',
          'p99 ms',
          'max ms',
          'requests',
          'server CPU ms / request',
          'non-2xx / timeouts / dropped / unfinished',
        ],
        rounds.flatMap((x, i) => [
          row('bare', x.bare, i),
          ...(x.compared ? [row(`compared (${compareRoot ?? ''})`, x.compared, i)] : []),
          row('system', x.system, i),
        ]),
        ['r', 'l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r'],
      ),
      '',
      `**system / bare req/s: min ${mm.min.toFixed(2)}×, median ${mm.median.toFixed(2)}×** (per round: ${ratios.map((x) => `${x.toFixed(2)}×`).join(', ')}); target ≥ 0.6×.`,
      '',
      `**Requests per server CPU-second, system / bare: min ${cpu.min.toFixed(2)}×, median ${cpu.median.toFixed(2)}×** (per round: ${cpuRatios.map((x) => `${x.toFixed(2)}×`).join(', ')}). On a shared machine the req/s ratio also measures how much CPU each process got (and whether the load generator kept up); CPU time per request (utime + stime of the server process, /proc/<pid>/stat) measures what a request costs regardless.`,
      '',
      ...comparedLines(rounds, compareRoot),
    ];
    if (values['cpu-prof']) {
      for (const [who, dir] of [
        ['system', profDir],
        ...(compareRoot ? [['compared', path.join(profDir, 'compare')]] : []),
      ]) {
        const prof = fs.readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
        if (prof)
          md.push(`### Where the ${who} node spent its time`, '', summarizeProfile(path.join(dir, prof)), '');
      }
    }
    const text = md.join('\n');
    const date = new Date().toISOString().slice(0, 10);
    fs.mkdirSync(values.out, { recursive: true });
    const outFile = path.join(values.out, `front-door${values.label ? `-${values.label}` : ''}-${date}.md`);
    fs.writeFileSync(outFile, `${text}\n`);
    console.log(`\n${text}\nwritten: ${path.relative(ROOT, outFile)}`);
  } finally {
    await Promise.all(children.map(stop));
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
