/**
 * The paper's Table 3: p95, p99 and throughput of getFileTaskById, getDownloadUrl, fileTaskList and
 * searchLog at 600 concurrent connections (autocannon), through a gateway node and a core node (and
 * an export node) as separate processes, on 1,000,000 file tasks and 5,000,000 log entries, beside
 * the paper's p95 and a bare baseline (bench/paper/baseline-server.ts) in the same run.
 *
 *   npm run bench:paper:table3 -- [--small | --scale 0.01] [--seconds 20] [--connections 600] [--fresh]
 */
import { spawn } from 'node:child_process';
import mysql from 'mysql2/promise';
import { acquireMainDatabase, releaseMainDatabase } from '../../mixins/database/main-database';
import { freePort } from '../../test/support/cluster';
import { mulberry32 } from '../../domain/shared/prng';
import { loadFileTasks, makeRow, taskId, timeOf } from '../support/file-task-data';
import { DAY, loadRows, SEED, SPAN_MS, START_MS, World } from '../support/log-data';
import {
  barChart,
  fmt,
  machine,
  mainUrl,
  mdTable,
  ROOT,
  scaled,
  sleep,
  startCluster,
  writeResults,
  type PaperOptions,
  runPart,
} from './common';
import { runLoad, type LoadResult } from './load';

const PAPER_P95: Record<string, number> = {
  getFileTaskById: 160,
  getDownloadUrl: 243,
  fileTaskList: 567,
  searchLog: 743,
};

/** Loads the file tasks and the log into the main database unless it already holds them. */
export async function ensureMainData(o: PaperOptions, tasks: number, logs: number): Promise<string> {
  const config = { type: 'mysql' as const, url: mainUrl(o) };
  const count = async (table: string) => {
    const c = await mysql.createConnection({ uri: mainUrl(o) }).catch(() => null);
    if (!c) return 0;
    try {
      const [[r]] = await c.query<mysql.RowDataPacket[]>(`SELECT COUNT(*) AS n FROM ${table}`);
      return Number(r.n);
    } catch {
      return 0;
    } finally {
      await c.end();
    }
  };
  if (!o.fresh && (await count('file_tasks')) >= tasks && (await count('operation_logs')) >= logs)
    return `reused ${o.db} (≥ ${fmt(tasks)} file tasks, ≥ ${fmt(logs)} log entries)`;
  const c = await mysql.createConnection({ uri: mainUrl(o).replace(/\/[^/]*$/, '/') });
  await c.query(`DROP DATABASE IF EXISTS \`${o.db}\``);
  await c.end();
  await acquireMainDatabase(config); // the real migrations
  await releaseMainDatabase(config);
  console.log(`loading ${fmt(tasks)} file tasks into ${o.db} …`);
  const t = await loadFileTasks(mainUrl(o), tasks);
  console.log(`loading ${fmt(logs)} log entries into ${o.db} …`);
  const l = await loadRows(mainUrl(o), { load: 'infile', loadConns: 3 }, new World(mulberry32(SEED)), logs);
  const conn = await mysql.createConnection({ uri: mainUrl(o) });
  try {
    await conn.query('UPDATE log_chain_head SET seq = ?, hash = ? WHERE id = 1', [logs, l.lastHash]);
    await conn.query('ANALYZE TABLE file_tasks, operation_logs');
  } finally {
    await conn.end();
  }
  return `loaded ${fmt(tasks)} file tasks in ${t.seconds.toFixed(0)} s and ${fmt(logs)} log entries in ${l.seconds.toFixed(0)} s`;
}

async function startBaseline(o: PaperOptions) {
  const port = await freePort();
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'bench/paper/baseline-server.ts', mainUrl(o), String(port)],
    {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => d.toString().includes('ready') && resolve());
    child.once('exit', (code) => reject(new Error(`baseline server exited ${code}`)));
  });
  return {
    url: `http://127.0.0.1:${port}`,
    stop: async () => {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 5000).unref();
      await exited;
    },
  };
}

export async function table3(o: PaperOptions): Promise<string> {
  const tasks = scaled(o, 1_000_000, 1000);
  const logs = scaled(o, 5_000_000, 1000);
  const loadInfo = await ensureMainData(o, tasks, logs);
  console.log(loadInfo);
  const rnd = mulberry32(42);
  // Ids of loaded tasks (deterministic: the loader's own generator), and of those with a file.
  const anyId = () => {
    const i = Math.floor(rnd() * tasks);
    return taskId(timeOf(i, tasks), i);
  };
  const withFile: string[] = [];
  for (let k = 0; withFile.length < 20_000 && k < 200_000; k++) {
    const i = Math.floor(rnd() * tasks);
    const row = makeRow(i, tasks);
    if (row[11] !== null) withFile.push(row[0]);
  }
  const world = new World(rnd);
  const logQuery = () => {
    const days = rnd() < 0.5 ? 7 : 30;
    const to = START_MS + days * DAY + rnd() * (SPAN_MS - days * DAY);
    const from = new Date(to - days * DAY).toISOString();
    return `/api/logs?userId=${world.users[world.pickUser()]}&from=${from}&to=${new Date(to).toISOString()}`;
  };
  const shapes: [string, string, () => string][] = [
    ['getFileTaskById', 'GET /api/file-tasks/:id', () => `/api/file-tasks/${anyId()}`],
    [
      'getDownloadUrl',
      'GET /api/file-tasks/:id/download-url',
      () => `/api/file-tasks/${withFile[Math.floor(rnd() * withFile.length)]}/download-url`,
    ],
    ['fileTaskList', 'GET /api/file-tasks?limit=20', () => '/api/file-tasks?limit=20'],
    ['searchLog', 'GET /api/logs?userId=&from=&to= (7 or 30 days)', logQuery],
  ];

  const warmup = Math.min(2, o.seconds);
  const results: { name: string; what: string; r: LoadResult; paper: number | null }[] = [];
  const baseline = await startBaseline(o);
  try {
    // Warm-up (JIT, buffer pool) then the measured run, 600 connections each.
    await runLoad({
      url: baseline.url,
      connections: 50,
      seconds: warmup,
      next: () => ({ path: `/t/${anyId()}` }),
    });
    const r = await runLoad({
      url: baseline.url,
      connections: o.connections,
      seconds: o.seconds,
      next: () => ({ path: `/t/${anyId()}` }),
    });
    results.push({
      name: 'baseline',
      what: 'bare http + mysql2: SELECT * FROM file_tasks WHERE id = ?',
      r,
      paper: null,
    });
    console.log('baseline', r);
  } finally {
    await baseline.stop();
  }
  const cluster = await startCluster(o, { orders: 0 });
  try {
    for (const [name, what, next] of shapes) {
      await runLoad({
        url: cluster.base,
        token: cluster.token,
        connections: 50,
        seconds: warmup,
        next: () => ({ path: next() }),
      });
      await sleep(500);
      const r = await runLoad({
        url: cluster.base,
        token: cluster.token,
        connections: o.connections,
        seconds: o.seconds,
        next: () => ({ path: next() }),
      });
      console.log(name, r);
      results.push({ name, what, r, paper: PAPER_P95[name] ?? null });
    }
  } finally {
    await cluster.stop();
  }
  const base = results[0].r;
  const md = [
    `## Table 3 — interface response times at ${o.connections} connections (${new Date().toISOString().slice(0, 16)} UTC)`,
    '',
    `Machine: ${await machine()}`,
    '',
    `Data: ${fmt(tasks)} file tasks, ${fmt(logs)} operation log entries (${loadInfo}). ${o.connections} connections (autocannon, in the benchmark process), ${o.seconds} s per interface after a 2 s warm-up at 50 connections; ADMIN token. Nodes: gateway, core and export as separate processes (compiled dist/), NATS transporter, Redis, MariaDB. Random ids / users / windows per request.`,
    '',
    mdTable(
      [
        'interface',
        'request',
        'paper p95 ms',
        'p50 ms',
        'p95 ms',
        'p99 ms',
        'p99.9 ms',
        'max ms',
        '> 5 s',
        'req/s',
        'non-2xx/errors',
        'p95 / baseline p95',
        'req/s / baseline',
      ],
      results.map(({ name, what, r, paper }) => [
        name,
        what,
        paper ?? '-',
        fmt(r.p50),
        fmt(r.p95),
        fmt(r.p99),
        fmt(r.p999),
        fmt(r.max),
        fmt(r.over5s),
        fmt(r.rps),
        fmt(r.errors),
        `${(r.p95 / base.p95).toFixed(1)}×`,
        `${(r.rps / base.rps).toFixed(2)}`,
      ]),
      ['l', 'l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r'],
    ),
    '',
  ].join('\n');
  writeResults(o, 'table3', md, {
    latency: barChart({
      title: `Table 3: latency at ${o.connections} connections (ms)`,
      yLabel: 'ms',
      categories: results.map((x) => x.name),
      series: [
        { name: 'paper p95', values: results.map((x) => x.paper ?? NaN) },
        { name: 'p95', values: results.map((x) => x.r.p95) },
        { name: 'p99', values: results.map((x) => x.r.p99) },
      ],
    }),
  });
  return md;
}

if (require.main === module) runPart(table3);
