/**
 * Shared pieces of the paper benchmarks (bench/paper/*.ts): options, the three-node cluster
 * (gateway, core, export as separate processes on MariaDB + Redis + NATS), the data sets, peak RSS
 * sampling, markdown and SVG output.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import Redis from 'ioredis';
import mysql from 'mysql2/promise';
import { DEMO_BIZ_TYPES } from '../../mixins/demo/demo-biz-types';
import { validateExportColumns } from '../../domain/metadata/export-column';
import { freePort } from '../../test/support/cluster';
import { http } from '../../test/support/embedded-node';
import { BENCH_KEY } from '../support/log-data';

export const ROOT = path.resolve(__dirname, '../..');
const SERVER = 'mysql://root@127.0.0.1:3306';

export interface PaperOptions {
  /** Multiplies every volume (rows loaded, orders, export sizes, durations stay). */
  scale: number;
  /** Seconds per autocannon run. */
  seconds: number;
  /** Main database name; the shop is `<db>_shop` unless shopDb names another. */
  db: string;
  /** The shop's database when not `<db>_shop` (table4-ab: one shop, a main database per checkout). */
  shopDb?: string;
  fresh: boolean;
  /** Drop both databases at the end (smoke runs). */
  drop: boolean;
  /** Directory for the .md and .svg results. */
  out: string;
  /** Run the nodes through tsx instead of the compiled dist/ (no build needed; +~60 MB RSS). */
  tsx: boolean;
  connections: number;
  /** Measured runs per line (baselines interleaved with them where there is one); min and median reported. */
  rounds: number;
  /** Figures: only these export sizes (default: the paper's and 100,000 / 1,000,000 up to the shop). */
  sizes: number[] | null;
  /** NODE_OPTIONS of the export nodes, e.g. `--max-old-space-size=160` as docs/operations.md advises. */
  exportNodeOptions: string;
  nats: string;
  redis: string;
  /**
   * One cluster for every part of the run instead of one each (smoke runs: a node's start-up under
   * tsx on a busy box costs more than the parts measure). Export node 1 is then not pinned, so the
   * scale-out figures are not comparable with a normal run.
   */
  shareCluster: boolean;
  /**
   * The checkout whose dist/ the nodes run (`--system-root`, default this one): A/B runs measure two
   * checkouts' nodes under one load generator (bench/paper/table4-ab.ts).
   */
  systemRoot: string;
  /** EXPORT_REMOTE_READS of the export nodes (`--remote-reads`; null: the product's default). */
  remoteReads: string | null;
}

export function paperOptions(argv = process.argv.slice(2)): PaperOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      small: { type: 'boolean', default: false },
      scale: { type: 'string' },
      seconds: { type: 'string' },
      db: { type: 'string', default: 'ftc_bench_paper' },
      fresh: { type: 'boolean', default: false },
      drop: { type: 'boolean', default: false },
      out: { type: 'string', default: path.join(ROOT, 'bench/results') },
      tsx: { type: 'boolean', default: false },
      connections: { type: 'string', default: '600' },
      rounds: { type: 'string', default: '3' },
      sizes: { type: 'string' },
      // As shipped (npm start, the compose file's export nodes); '' measures V8's default heap.
      'export-node-options': {
        type: 'string',
        default: process.env.BENCH_EXPORT_NODE_OPTIONS ?? '--max-old-space-size=160',
      },
      nats: { type: 'string', default: process.env.TEST_NATS_URL ?? 'nats://127.0.0.1:4222' },
      redis: { type: 'string', default: 'redis://127.0.0.1:6379/11' },
      'share-cluster': { type: 'boolean', default: false },
      'system-root': { type: 'string', default: ROOT },
      'remote-reads': { type: 'string' },
    },
  });
  const scale = Number(values.scale ?? (values.small ? '0.01' : '1'));
  if (!(scale > 0 && scale <= 1)) throw new Error('--scale: (0, 1]');
  if (!/^[a-z0-9_]+$/.test(values.db)) throw new Error('--db: [a-z0-9_]+');
  return {
    scale,
    seconds: Number(values.seconds ?? (scale < 0.05 ? '5' : '20')),
    db: values.db,
    fresh: values.fresh,
    drop: values.drop,
    out: values.out,
    tsx: values.tsx,
    connections: Number(values.connections),
    rounds: Math.max(1, Number(values.rounds)),
    sizes: values.sizes ? values.sizes.split(',').map((x) => Number(x.replace(/_/g, ''))) : null,
    exportNodeOptions: values['export-node-options'],
    nats: values.nats,
    redis: values.redis,
    shareCluster: values['share-cluster'],
    systemRoot: path.resolve(values['system-root']),
    remoteReads: values['remote-reads'] ?? null,
  };
}

/** A volume at this scale, never below `min`. */
export const scaled = (o: PaperOptions, n: number, min = 100) => Math.max(min, Math.round(n * o.scale));
export const mainUrl = (o: PaperOptions) => `${SERVER}/${o.db}`;
export const shopUrl = (o: PaperOptions) => `${SERVER}/${o.shopDb ?? `${o.db}_shop`}`;
export const fmt = (n: number, digits = 0) =>
  Number.isFinite(n)
    ? n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })
    : '-';
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function dropDatabases(o: PaperOptions): Promise<void> {
  const c = await mysql.createConnection({ uri: `${SERVER}/` });
  try {
    await c.query(`DROP DATABASE IF EXISTS \`${o.db}\``);
    await c.query(`DROP DATABASE IF EXISTS \`${o.db}_shop\``);
  } finally {
    await c.end();
  }
}

// ---------------------------------------------------------------------------------------------
// Machine and results

export async function machine(): Promise<string> {
  const c = await mysql.createConnection({ uri: `${SERVER}/` });
  try {
    const [[v]] = await c.query<mysql.RowDataPacket[]>(
      'SELECT VERSION() AS v, @@innodb_buffer_pool_size AS bp',
    );
    return `${os.cpus()[0]?.model ?? '?'}, ${os.cpus().length} cores, ${Math.round(os.totalmem() / 1024 ** 3)} GiB RAM, ${os.platform()} ${os.release()}; ${String(v.v)} (innodb_buffer_pool_size ${Math.round(Number(v.bp) / 1024 ** 2)} MB), Redis and NATS on the same box; Node ${process.version}. Load generator, gateway, core, export node(s) and database share the ${os.cpus().length} cores.`;
  } finally {
    await c.end();
  }
}

export function mdTable(head: string[], rows: (string | number)[][], align?: ('l' | 'r')[]): string {
  const a = align ?? head.map((_, i) => (i === 0 ? 'l' : 'r'));
  return [
    `| ${head.join(' | ')} |`,
    `| ${a.map((x) => (x === 'r' ? '---:' : '---')).join(' | ')} |`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ].join('\n');
}

/** Prints the markdown and writes it (and the SVGs) to `<out>/<part>-<date>.md|.svg`. */
export function writeResults(o: PaperOptions, part: string, md: string, svgs: Record<string, string> = {}) {
  const date = new Date().toISOString().slice(0, 10);
  const suffix = o.scale === 1 ? '' : `-scale${o.scale}`;
  fs.mkdirSync(o.out, { recursive: true });
  const file = path.join(o.out, `${part}${suffix}-${date}.md`);
  fs.writeFileSync(file, md.endsWith('\n') ? md : `${md}\n`);
  const written = [file];
  for (const [name, svg] of Object.entries(svgs)) {
    const f = path.join(o.out, `${part}-${name}${suffix}-${date}.svg`);
    fs.writeFileSync(f, svg);
    written.push(f);
  }
  console.log(`\n${md}\n\nwritten: ${written.map((f) => path.relative(ROOT, f)).join(', ')}`);
  return written;
}

// ---------------------------------------------------------------------------------------------
// Memory

export function rssKb(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

/** Samples the resident memory of some processes every 50 ms; `stop()` gives each one's peak in MB. */
export function sampleRss(pids: Record<string, number>) {
  const peak: Record<string, number> = {};
  const tick = () => {
    for (const [name, pid] of Object.entries(pids)) peak[name] = Math.max(peak[name] ?? 0, rssKb(pid));
  };
  tick();
  const timer = setInterval(tick, 50);
  return {
    stop(): Record<string, number> {
      clearInterval(timer);
      tick();
      return Object.fromEntries(Object.entries(peak).map(([k, v]) => [k, v / 1024]));
    },
  };
}

// ---------------------------------------------------------------------------------------------
// The cluster

export interface Proc {
  name: string;
  child: ChildProcess;
  output: () => string;
}

export interface Cluster {
  base: string;
  token: string;
  gateway: Proc;
  core: Proc;
  exporters: Proc[];
  /** Starts one more export node, pinned to `cpus` (taskset) when given. */
  addExportNode(cpus?: string): Promise<Proc>;
  /** Stops the newest export node (SIGTERM, a graceful stop) and waits until the others see it gone. */
  removeExportNode(): Promise<void>;
  stop(): Promise<void>;
}

const built = new Set<string>();
export function ensureBuilt(o: PaperOptions): void {
  if (o.tsx || built.has(o.systemRoot)) return;
  // Only when the sources changed: an A/B run starts a cluster of each checkout several times.
  console.log(`build if stale (${o.systemRoot}) …`);
  const r = spawnSync(process.execPath, ['scripts/build-if-stale.mjs'], {
    cwd: o.systemRoot,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  if (r.status !== 0) throw new Error('build failed');
  built.add(o.systemRoot);
}

/**
 * Nodes still running. A benchmark that is stopped (a test's time budget, Ctrl-C) takes them with
 * it: orphaned nodes would keep their NATS namespace, Redis connections and CPU on a shared box.
 */
const live = new Set<ChildProcess>();
const killLive = () => live.forEach((c) => c.kill('SIGKILL'));
process.once('exit', killLive);
for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.once(signal, () => {
    killLive();
    process.exit(130);
  });

/** `cpus` (a taskset list such as "0" or "1") pins the process to those cores. */
function startProc(o: PaperOptions, name: string, env: Record<string, string>, cpus?: string): Proc {
  // BENCH_NODE_ARGS: extra node flags for every node, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`.
  const extra = (process.env.BENCH_NODE_ARGS ?? '').split(/\s+/).filter(Boolean);
  const nodeArgs = [...extra, ...(o.tsx ? ['--import', 'tsx', 'main.ts'] : ['dist/main.js'])];
  const [cmd, args] =
    cpus === undefined
      ? [process.execPath, nodeArgs]
      : ['taskset', ['-c', cpus, process.execPath, ...nodeArgs]];
  const child = spawn(cmd, args, {
    cwd: o.systemRoot,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  live.add(child);
  child.once('exit', () => live.delete(child));
  let out = '';
  // BENCH_LOG_DIR keeps every node's whole output (<dir>/<name>-<pid>.log) for a post-mortem.
  const file = process.env.BENCH_LOG_DIR
    ? path.join(process.env.BENCH_LOG_DIR, `${name}-${child.pid}.log`)
    : null;
  const keep = (d: Buffer) => {
    out = (out + d.toString()).slice(-20_000);
    if (file) fs.appendFileSync(file, d);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  return { name, child, output: () => out };
}

async function stopProc(p: Proc): Promise<void> {
  if (p.child.exitCode !== null || p.child.signalCode !== null) return;
  const exited = new Promise((r) => p.child.once('exit', r));
  p.child.kill('SIGTERM');
  const timer = setTimeout(() => p.child.kill('SIGKILL'), 20_000);
  await exited;
  clearTimeout(timer);
}

export const ADMIN_PASSWORD = 'bench-admin-password';

/**
 * Starts a gateway node, a core node and `exportNodes` export nodes as separate processes on one
 * NATS namespace, waits until the gateway sees the export workers and admin can log in.
 */
export async function startCluster(
  o: PaperOptions,
  p: { orders: number; exportNodes?: number; exportCpus?: string[]; env?: Record<string, string> },
): Promise<Cluster> {
  if (!o.shareCluster) return newCluster(o, p);
  shared ??= await newCluster(o, p);
  // The parts stop their cluster when done; the shared one ends with stopSharedCluster().
  return { ...shared, stop: async () => {} };
}

let shared: Cluster | null = null;

/** Stops the cluster --share-cluster kept for every part. */
export async function stopSharedCluster(): Promise<void> {
  const c = shared;
  shared = null;
  await c?.stop();
}

async function newCluster(
  o: PaperOptions,
  p: { orders: number; exportNodes?: number; exportCpus?: string[]; env?: Record<string, string> },
): Promise<Cluster> {
  ensureBuilt(o);
  const redis = new Redis(o.redis, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  // A database of its own (11 by default): stale bull queues of an earlier run must go. Never db 0.
  if (!/\/([1-9]|1[0-5])$/.test(o.redis))
    throw new Error('--redis must name a database 1..15 (it is flushed)');
  await redis.flushdb();
  redis.disconnect();
  const port = await freePort();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ftc-bench-paper-'));
  const env: Record<string, string> = {
    NAMESPACE: `bench${crypto.randomBytes(3).toString('hex')}`,
    TRANSPORTER: o.nats,
    DATABASE_URL: mainUrl(o),
    SHOP_DATABASE_URL: shopUrl(o),
    REDIS_URL: o.redis,
    JWT_SECRET: crypto.randomBytes(32).toString('hex'),
    LOG_CHAIN_KEY: BENCH_KEY,
    ADMIN_PASSWORD,
    DATA_DIR: dataDir,
    LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'warn',
    PORT: String(port),
    HOST: '127.0.0.1',
    DEMO_DATA: 'true',
    DEMO_ORDERS: String(p.orders),
    // Every benchmark export is the admin's: the per-user cap of fair scheduling (default 2 running
    // at once) would measure the cap, not the nodes (scale-out's 4 exports on 2 nodes, Table 4).
    EXPORT_USER_CONCURRENCY: '100',
    ...p.env,
  };
  const procs: Proc[] = [];
  const gateway = startProc(o, 'gateway', { ...env, SERVICES: 'gateway', NODE_ID: 'gateway-1' });
  const core = startProc(o, 'core', { ...env, SERVICES: 'core', NODE_ID: 'core-1' });
  procs.push(gateway, core);
  const exporters: Proc[] = [];
  const base = `http://127.0.0.1:${port}`;
  const waitFor = async <T>(what: string, check: () => Promise<T | null>): Promise<T> => {
    const deadline = Date.now() + 180_000;
    for (;;) {
      const dead = procs.find((x) => x.child.exitCode !== null);
      if (dead)
        throw new Error(`${dead.name} exited while waiting for ${what}\n${dead.output().slice(-3000)}`);
      const v = await check().catch(() => null);
      if (v !== null) return v;
      if (Date.now() > deadline)
        throw new Error(
          `timed out waiting for ${what}\n${procs.map((x) => `--- ${x.name}\n${x.output().slice(-2000)}`).join('\n')}`,
        );
      await sleep(250);
    }
  };
  const login = async (): Promise<string | null> => {
    const r = await http(base, 'POST', '/api/auth/login', {
      body: { username: 'admin', password: ADMIN_PASSWORD },
    });
    return r.status === 200 ? (r.body.token as string) : null;
  };
  // /api/health names services and their nodes to an ADMIN only.
  const waitExportNodes = (n: number) =>
    waitFor(`${n} export nodes`, async () => {
      if (!cluster.token) cluster.token = (await login()) ?? '';
      if (!cluster.token) return null;
      const r = await http(base, 'GET', '/api/health', { token: cluster.token });
      const w = r.body?.services?.find((x: { name: string }) => x.name === 'exportWorker');
      return w?.nodes.length === n ? true : null;
    });
  const addExportNode = async (cpus?: string) => {
    const n = exporters.length + 1;
    const x = startProc(
      o,
      `export-${n}`,
      {
        ...env,
        SERVICES: 'export',
        NODE_ID: `export-${n}`,
        ...(o.exportNodeOptions ? { NODE_OPTIONS: o.exportNodeOptions } : {}),
      },
      cpus,
    );
    exporters.push(x);
    procs.push(x);
    await waitExportNodes(n);
    return x;
  };
  const removeExportNode = async () => {
    const x = exporters.pop();
    if (!x) return;
    procs.splice(procs.indexOf(x), 1);
    await stopProc(x);
    await waitExportNodes(exporters.length);
  };
  const cluster: Cluster = {
    base,
    token: '',
    gateway,
    core,
    exporters,
    addExportNode,
    removeExportNode,
    stop: async () => {
      await Promise.all(procs.map(stopProc));
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
  try {
    for (let i = 0; i < (p.exportNodes ?? 1); i++) await addExportNode(p.exportCpus?.[i]);
    cluster.token ||= await waitFor('admin login', login);
  } catch (e) {
    await cluster.stop();
    throw e;
  }
  return cluster;
}

// ---------------------------------------------------------------------------------------------
// Orders and the bench biz type

/** Grows the demo shop to `orders` orders with scripts/seed.ts (progress bar; resumes). */
export function ensureOrders(o: PaperOptions, orders: number): void {
  console.log(`shop: ${fmt(orders)} orders in ${o.shopDb ?? `${o.db}_shop`} (seeding what is missing) …`);
  const r = spawnSync(
    process.execPath,
    ['--import', 'tsx', 'scripts/seed.ts', '--orders', String(orders), '--batch-size', '5000'],
    {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '/tmp',
        DATABASE_URL: mainUrl(o),
        SHOP_DATABASE_URL: shopUrl(o),
        DATA_DIR: os.tmpdir(),
        LOG_LEVEL: 'warn',
      },
      stdio: 'inherit',
    },
  );
  if (r.status !== 0) throw new Error(`seed failed (${r.status})`);
}

export const BENCH_BIZ = 'bench_orders';
const orderExport = DEMO_BIZ_TYPES.find((b) => b.code === 'order_export')!.definition;

/** The columns every export variant writes: the order_export columns, validated as the product reads them. */
export const ORDER_EXPORT_COLUMNS = validateExportColumns(orderExport.columns);

/**
 * `bench_orders`: the demo order export with an id range filter (`idFrom` ≤ id < `idTo`), so an
 * export selects exactly the rows asked for.
 */
export async function defineBenchBizType(c: Cluster): Promise<void> {
  const handler = orderExport.dataHandler as Record<string, unknown>;
  const r = await http(c.base, 'PUT', `/api/biz-types/${BENCH_BIZ}`, {
    token: c.token,
    body: {
      ...orderExport,
      name: 'Orders by id range (benchmark)',
      dataHandler: {
        ...handler,
        filters: {
          idFrom: { column: 'id', op: '>=', type: 'number' },
          idTo: { column: 'id', op: '<', type: 'number' },
        },
      },
    },
  });
  if (r.status !== 200 && r.status !== 201)
    throw new Error(`PUT /api/biz-types/${BENCH_BIZ}: ${r.status} ${JSON.stringify(r.body)}`);
}

/** Requests an export of orders [from, from + rows) and resolves with its task id. */
export async function requestExport(c: Cluster, format: string, from: number, rows: number) {
  const r = await http(c.base, 'POST', '/api/exports', {
    token: c.token,
    body: { bizType: BENCH_BIZ, format, filters: { idFrom: from, idTo: from + rows } },
  });
  if (r.status !== 202) throw new Error(`export refused: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body.id as string;
}

/** Polls the main database (not the API: no load on the gateway) until the tasks have ended. */
export async function waitForTasks(
  o: PaperOptions,
  ids: string[],
  timeoutMs: number,
  onProgress?: (done: number) => void,
): Promise<{ doneAtMs: Map<string, number>; failed: string[] }> {
  const conn = await mysql.createConnection({ uri: mainUrl(o) });
  const doneAtMs = new Map<string, number>();
  const failed: string[] = [];
  const deadline = Date.now() + timeoutMs;
  try {
    while (doneAtMs.size < ids.length) {
      if (Date.now() > deadline) throw new Error(`exports still running after ${timeoutMs} ms`);
      const open = ids.filter((id) => !doneAtMs.has(id));
      for (let i = 0; i < open.length; i += 1000) {
        const [rows] = await conn.query<mysql.RowDataPacket[]>(
          "SELECT id, status FROM file_tasks WHERE id IN (?) AND status NOT IN ('PENDING', 'EXPORTING')",
          [open.slice(i, i + 1000)],
        );
        for (const r of rows) {
          doneAtMs.set(String(r.id), Date.now());
          if (r.status !== 'SUCCESS') failed.push(String(r.id));
        }
      }
      onProgress?.(doneAtMs.size);
      if (doneAtMs.size < ids.length) await sleep(20);
    }
  } finally {
    await conn.end();
  }
  return { doneAtMs, failed };
}

// ---------------------------------------------------------------------------------------------
// Charts (plain SVG, no dependency)

const COLORS = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948'];
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');

/**
 * Grouped bars: one group per category, one bar per series; `log` uses a log10 axis (for values
 * spanning orders of magnitude). Missing values (NaN) leave a gap.
 */
export function barChart(p: {
  title: string;
  yLabel: string;
  categories: string[];
  series: { name: string; values: number[] }[];
  log?: boolean;
}): string {
  const W = 900;
  const H = 460;
  const m = { l: 70, r: 20, t: 40, b: 90 };
  const all = p.series.flatMap((s) => s.values).filter((v) => Number.isFinite(v) && v > 0);
  const maxV = Math.max(...all, 1e-9);
  const minV = p.log ? Math.pow(10, Math.floor(Math.log10(Math.min(...all, maxV)))) : 0;
  const top = p.log ? Math.pow(10, Math.ceil(Math.log10(maxV))) : maxV * 1.1;
  const y = (v: number) => {
    const f = p.log ? (Math.log10(v) - Math.log10(minV)) / (Math.log10(top) - Math.log10(minV)) : v / top;
    return m.t + (H - m.t - m.b) * (1 - Math.max(0, Math.min(1, f)));
  };
  const gw = (W - m.l - m.r) / p.categories.length;
  const bw = (gw * 0.8) / p.series.length;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${W / 2}" y="22" text-anchor="middle" font-size="15">${esc(p.title)}</text>`,
    `<text transform="translate(16 ${(H - m.b + m.t) / 2}) rotate(-90)" text-anchor="middle">${esc(p.yLabel)}</text>`,
  ];
  const ticks = p.log
    ? Array.from(
        { length: Math.round(Math.log10(top) - Math.log10(minV)) + 1 },
        (_, i) => minV * Math.pow(10, i),
      )
    : Array.from({ length: 6 }, (_, i) => (top * i) / 5);
  for (const t of ticks) {
    out.push(
      `<line x1="${m.l}" x2="${W - m.r}" y1="${y(t || minV).toFixed(1)}" y2="${y(t || minV).toFixed(1)}" stroke="#ddd"/>`,
      `<text x="${m.l - 6}" y="${(y(t || minV) + 4).toFixed(1)}" text-anchor="end">${t >= 100 ? fmt(t) : Number(t.toPrecision(3))}</text>`,
    );
  }
  p.categories.forEach((c, ci) => {
    const x0 = m.l + ci * gw + gw * 0.1;
    p.series.forEach((s, si) => {
      const v = s.values[ci];
      if (!Number.isFinite(v) || v <= 0) return;
      const yy = y(v);
      out.push(
        `<rect x="${(x0 + si * bw).toFixed(1)}" y="${yy.toFixed(1)}" width="${(bw - 1).toFixed(1)}" height="${(H - m.b - yy).toFixed(1)}" fill="${COLORS[si % COLORS.length]}"><title>${esc(`${s.name} ${c}: ${v}`)}</title></rect>`,
      );
    });
    out.push(`<text x="${x0 + gw * 0.4}" y="${H - m.b + 16}" text-anchor="middle">${esc(c)}</text>`);
  });
  p.series.forEach((s, si) => {
    const x = m.l + si * 200;
    out.push(
      `<rect x="${x}" y="${H - 40}" width="12" height="12" fill="${COLORS[si % COLORS.length]}"/>`,
      `<text x="${x + 18}" y="${H - 30}">${esc(s.name)}</text>`,
    );
  });
  out.push(`<line x1="${m.l}" x2="${m.l}" y1="${m.t}" y2="${H - m.b}" stroke="#333"/>`, '</svg>');
  return out.join('\n') + '\n';
}

/** A part run as a script: its options from argv, the databases dropped after with --drop, exit 1 on failure. */
export function runPart(part: (o: PaperOptions) => Promise<unknown>): void {
  const o = paperOptions();
  part(o)
    .then(async () => {
      if (o.drop) await dropDatabases(o);
    })
    .catch((e: unknown) => {
      console.error(e);
      process.exit(1);
    });
}
