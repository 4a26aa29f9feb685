/**
 * Export throughput and the export process's peak memory (issue #6: 1,000,000 orders as xlsx and
 * csv, on the embedded default and on MySQL, peak resident memory under 200 MB), beside a bare
 * pipeline doing the same work in one process (bench/paper/export-child.mjs bare: a driver row
 * stream → the product's cell formatter → csv-stringify, or exceljs's streaming writer with
 * back-pressure), interleaved: bare, system, bare, system … for --rounds rounds.
 *
 *   npm run bench:exports -- [--rows 1000000] [--engines sqlite,mysql] [--formats xlsx,csv]
 *                            [--rounds 2] [--mysql-url mysql://root@127.0.0.1:3306/ftc_bench_export] [--keep]
 *                            [--label name]
 *
 * For each engine it seeds the demo shop to --rows orders (resumable: reruns reuse the data), starts
 * the real node as a child process (every service in one process, as the embedded default runs),
 * requests each export as ADMIN through the REST API, and samples the child's resident memory
 * (/proc/<pid>/status VmRSS) every 50 ms while the export runs. It prints a markdown table and
 * writes it to bench/results/exports-<date>.md.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { freePort } from '../test/support/cluster';
import { http, login } from '../test/support/embedded-node';
import { ORDER_EXPORT_COLUMNS } from './paper/common';
import { minMedian } from './paper/load';

interface Run {
  seconds: number;
  /** CPU-seconds (user + system) the process spent on the export: what a shared box disturbs least. */
  cpuSeconds: number;
  rows: number;
  peakMb: number;
}

/** utime + stime of a process from /proc, in CPU-seconds (USER_HZ 100). */
const cpuSecondsOf = (pid: number): number => {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / 100;
  } catch {
    return 0;
  }
};

/** One bare export (bench/paper/export-child.mjs) of every order, its own peak RSS sampled too. */
async function bareExport(source: string, format: string): Promise<Run> {
  const file = path.join(os.tmpdir(), `ftc-bench-bare-${process.pid}.${format}`);
  const child = spawn(
    process.execPath,
    [
      ...NODE_FLAGS,
      'bench/paper/export-child.mjs',
      'bare',
      format,
      source,
      '0',
      String(Number.MAX_SAFE_INTEGER),
      JSON.stringify(ORDER_EXPORT_COLUMNS),
      file,
    ],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let peak = 0;
  const sampler = setInterval(() => (peak = Math.max(peak, rssKb(child.pid!))), 50);
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  const code = await new Promise((r) => child.once('exit', r));
  clearInterval(sampler);
  if (code !== 0) throw new Error(`bare ${format} exited ${String(code)}`);
  const r = JSON.parse(out.trim().split('\n').pop()!) as {
    rows: number;
    seconds: number;
    cpuSeconds: number;
    maxRssMb: number;
  };
  return {
    seconds: r.seconds,
    cpuSeconds: r.cpuSeconds,
    rows: r.rows,
    peakMb: Math.max(peak / 1024, r.maxRssMb),
  };
}

const ROOT = path.resolve(__dirname, '..');
const { values } = parseArgs({
  options: {
    rows: { type: 'string', default: '1000000' },
    engines: { type: 'string', default: 'sqlite,mysql' },
    formats: { type: 'string', default: 'xlsx,csv' },
    'mysql-url': { type: 'string', default: 'mysql://root@127.0.0.1:3306/ftc_bench_export' },
    keep: { type: 'boolean', default: false },
    rounds: { type: 'string', default: '2' },
    // Written to bench/results/exports-<date>-<label>.md, so a day's runs do not overwrite each other.
    label: { type: 'string', default: '' },
  },
});
const ROUNDS = Number(values.rounds);
const rows = Number(values.rows.replace(/[_,]/g, ''));
const engines = values.engines.split(',') as ('sqlite' | 'mysql')[];
const formats = values.formats.split(',');
const mysqlUrl = values['mysql-url'];
if (!/^mysql:\/\/[^@]*@(127\.0\.0\.1|localhost)[:/]/.test(mysqlUrl))
  throw new Error('--mysql-url must be local');

/** The flags `npm start` and the compose file's export nodes run with (BENCH_NODE_FLAGS overrides). */
const NODE_FLAGS = (process.env.BENCH_NODE_FLAGS ?? '--max-old-space-size=160').split(' ').filter(Boolean);

const rssKb = (pid: number): number => {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
};

function envFor(engine: 'sqlite' | 'mysql', dataDir: string, port: number): Record<string, string> {
  const common = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '/tmp',
    DATA_DIR: dataDir,
    PORT: String(port),
    LOG_LEVEL: 'warn',
    DEMO_ORDERS: String(rows),
    // The export settings of the caller's environment reach the node (e.g. EXPORT_WINDOW=2 for a
    // trial), nothing else of it.
    ...Object.fromEntries(
      Object.entries(process.env).filter(
        (e): e is [string, string] => e[0].startsWith('EXPORT_') && e[1] !== undefined,
      ),
    ),
  };
  if (engine === 'sqlite') return common;
  const shop = new URL(mysqlUrl);
  shop.pathname = `${shop.pathname}_shop`;
  return {
    ...common,
    DATABASE_URL: mysqlUrl,
    SHOP_DATABASE_URL: shop.toString(),
    DEMO_DATA: 'true',
    ADMIN_PASSWORD: 'admin',
  };
}

async function benchEngine(engine: 'sqlite' | 'mysql') {
  const dataDir = path.join(os.tmpdir(), `ftc-bench-export-${engine}`);
  fs.mkdirSync(dataDir, { recursive: true });
  const port = await freePort();
  const env = envFor(engine, dataDir, port);
  console.log(`[${engine}] seeding ${rows.toLocaleString('en')} orders (resumes if present)…`);
  const seed = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/seed.ts', '--orders', String(rows)], {
    cwd: ROOT,
    env,
    stdio: 'inherit',
  });
  if (seed.status !== 0) throw new Error(`seed failed (${seed.status})`);
  // The compiled node (npm run build), as `npm start` runs it: tsx's in-memory compiler would add
  // ~60 MB of its own to the resident memory we measure.
  const child = spawn(process.execPath, [...NODE_FLAGS, 'dist/main.js'], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const base = `http://127.0.0.1:${port}`;
  try {
    const deadline = Date.now() + 120_000;
    let token = '';
    while (!token) {
      if (Date.now() > deadline || child.exitCode !== null)
        throw new Error(`node did not start\n${out.slice(-3000)}`);
      token = await login(base, 'admin', 'admin').catch(() => '');
      if (!token) await new Promise((r) => setTimeout(r, 500));
    }
    const results = [];
    const source =
      engine === 'sqlite'
        ? `sqlite:${path.join(dataDir, 'shop.sqlite')}`
        : (() => {
            const shop = new URL(mysqlUrl);
            shop.pathname = `${shop.pathname}_shop`;
            return shop.toString();
          })();
    const systemExport = async (format: string): Promise<Run & { idleMb: number; sizeMb: number }> => {
      await new Promise((r) => setTimeout(r, 2000));
      const idle = rssKb(child.pid!);
      let peak = idle;
      const sampler = setInterval(() => (peak = Math.max(peak, rssKb(child.pid!))), 50);
      const cpu0 = cpuSecondsOf(child.pid!);
      const started = Date.now();
      const r = await http(base, 'POST', '/api/exports', {
        token,
        body: { bizType: 'order_export', format },
      });
      if (r.status !== 202) throw new Error(`export refused: ${r.status} ${JSON.stringify(r.body)}`);
      let task = r.body;
      let lastLog = 0;
      while (['PENDING', 'EXPORTING'].includes(task.status)) {
        await new Promise((res) => setTimeout(res, 250));
        task = (await http(base, 'GET', `/api/file-tasks/${r.body.id}`, { token })).body;
        if (Date.now() - lastLog > 5000) {
          lastLog = Date.now();
          console.log(
            `[${engine}] ${format}: ${task.export?.progress?.rows ?? 0} / ${task.export?.progress?.total ?? '?'} rows`,
          );
        }
      }
      clearInterval(sampler);
      // The node's CPU over the export, request to SUCCESS (its idle polling included, as the bare
      // child's start-up is in its own figure).
      const cpuSeconds = cpuSecondsOf(child.pid!) - cpu0;
      if (task.status !== 'SUCCESS')
        throw new Error(`export ended ${task.status}: ${JSON.stringify(task.export)}`);
      return {
        seconds: (Date.now() - started) / 1000,
        cpuSeconds,
        rows: task.export.rowCount as number,
        peakMb: peak / 1024,
        idleMb: idle / 1024,
        sizeMb: task.file.size / 1024 / 1024,
      };
    };
    for (const format of formats) {
      const system: (Run & { idleMb: number; sizeMb: number })[] = [];
      const bare: Run[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        bare.push(await bareExport(source, format));
        system.push(await systemExport(format));
        console.log(
          `[${engine}] ${format} round ${round + 1}: bare ${bare[round].seconds.toFixed(1)} s (${bare[round].cpuSeconds.toFixed(1)} CPU-s), system ${system[round].seconds.toFixed(1)} s (${system[round].cpuSeconds.toFixed(1)} CPU-s)`,
        );
      }
      const ratios = system.map((x, i) => bare[i].seconds / x.seconds);
      const cpuRatios = system.map((x, i) => bare[i].cpuSeconds / x.cpuSeconds);
      results.push({
        engine,
        format,
        rows: system[0].rows,
        bareRows: bare[0].rows,
        system: minMedian(system.map((x) => x.seconds)),
        bare: minMedian(bare.map((x) => x.seconds)),
        ratio: minMedian(ratios),
        cpuRatio: minMedian(cpuRatios),
        systemCpu: minMedian(system.map((x) => x.cpuSeconds)),
        bareCpu: minMedian(bare.map((x) => x.cpuSeconds)),
        perRound: system.map(
          (x, i) =>
            `${bare[i].seconds.toFixed(1)} / ${x.seconds.toFixed(1)} s → ${ratios[i].toFixed(2)}×, CPU ${bare[i].cpuSeconds.toFixed(1)} / ${x.cpuSeconds.toFixed(1)} s → ${cpuRatios[i].toFixed(2)}×`,
        ),
        sizeMb: system[0].sizeMb,
        idleMb: Math.max(...system.map((x) => x.idleMb)),
        peakMb: Math.max(...system.map((x) => x.peakMb)),
        barePeakMb: Math.max(...bare.map((x) => x.peakMb)),
      });
      console.log(`[${engine}] ${format}: ${JSON.stringify(results[results.length - 1])}`);
    }
    return results;
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    if (!values.keep) fs.rmSync(path.join(dataDir, 'objects'), { recursive: true, force: true });
  }
}

const loadAtStart = os.loadavg();

async function main() {
  const build = spawnSync('npm', ['run', 'build:if-stale'], { cwd: ROOT, stdio: 'inherit' });
  if (build.status !== 0) throw new Error('npm run build failed');
  const all = [];
  for (const engine of engines) all.push(...(await benchEngine(engine)));
  const lines = [
    `## Exports of ${rows.toLocaleString('en')} demo orders — ${new Date().toISOString().slice(0, 10)}`,
    '',
    `Machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? '?'}, ${Math.round(os.totalmem() / 1024 ** 3)} GiB, Node ${process.version}; load average ${loadAtStart.map((x) => x.toFixed(1)).join(' ')} at the start, ${os
      .loadavg()
      .map((x) => x.toFixed(1))
      .join(
        ' ',
      )} at the end (a shared machine: compare within a row). System: one process runs every service, \`node ${NODE_FLAGS.join(' ')} dist/main.js\`, export requested as ADMIN through POST /api/exports, timed to SUCCESS. Bare: \`node ${NODE_FLAGS.join(' ')} bench/paper/export-child.mjs bare\` — the driver's row stream, the product's cell formatter, csv-stringify or exceljs's streaming writer with back-pressure, to a local file. ${ROUNDS} rounds, bare then system in each; seconds as min / median.`,
    '',
    '| engine | format | rows | system s | bare s | system / bare speed (min / median) | system / bare rows per CPU-second (min / median) | system CPU-s | bare CPU-s | file MB | idle RSS MB | system peak RSS MB | bare peak RSS MB |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...all.map(
      (r) =>
        `| ${r.engine} | ${r.format} | ${r.rows.toLocaleString('en')}${r.bareRows === r.rows ? '' : ` (bare ${r.bareRows.toLocaleString('en')})`} | ${r.system.min.toFixed(1)} / ${r.system.median.toFixed(1)} | ${r.bare.min.toFixed(1)} / ${r.bare.median.toFixed(1)} | ${r.ratio.min.toFixed(2)}× / ${r.ratio.median.toFixed(2)}× | ${r.cpuRatio.min.toFixed(2)}× / ${r.cpuRatio.median.toFixed(2)}× | ${r.systemCpu.min.toFixed(1)} / ${r.systemCpu.median.toFixed(1)} | ${r.bareCpu.min.toFixed(1)} / ${r.bareCpu.median.toFixed(1)} | ${r.sizeMb.toFixed(1)} | ${r.idleMb.toFixed(0)} | ${r.peakMb.toFixed(0)} | ${r.barePeakMb.toFixed(0)} |`,
    ),
    '',
    'Per round (bare / system):',
    '',
    ...all.flatMap((r) => r.perRound.map((x, i) => `- ${r.engine} ${r.format} round ${i + 1}: ${x}`)),
  ];
  const text = lines.join('\n') + '\n';
  console.log(`\n${text}`);
  fs.mkdirSync(path.join(ROOT, 'bench/results'), { recursive: true });
  fs.writeFileSync(
    path.join(
      ROOT,
      `bench/results/exports-${new Date().toISOString().slice(0, 10)}${values.label ? `-${values.label}` : ''}.md`,
    ),
    text,
  );
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
