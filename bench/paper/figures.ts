/**
 * The paper's Figures 6 and 7: peak memory (Fig. 6) and duration (Fig. 7) of exports of 100 …
 * 1,000,000 orders, xlsx and csv, three ways, each in its own processes:
 *
 * - system: POST /api/exports through the gateway, core and export node (separate processes); the
 *   duration is request → task SUCCESS (the file stored), the memory the export node's peak RSS.
 * - original: the paper's original solution, in the business process: load every row, build the
 *   workbook (or CSV text) in memory, write it (bench/paper/export-child.mjs original).
 * - bare: a mysql2 query stream straight into exceljs's streaming writer / csv-stringify, in one
 *   process (bench/paper/export-child.mjs bare). The ratio system / bare is the figure to watch.
 *
 *   npm run bench:paper:figures -- [--small | --scale 0.01] [--fresh]
 */
import { spawn } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import {
  barChart,
  BENCH_BIZ,
  defineBenchBizType,
  ensureOrders,
  fmt,
  machine,
  mdTable,
  ORDER_EXPORT_COLUMNS,
  requestExport,
  ROOT,
  rssKb,
  sampleRss,
  scaled,
  shopUrl,
  sleep,
  startCluster,
  waitForTasks,
  writeResults,
  type Cluster,
  type PaperOptions,
  runPart,
} from './common';

export const SIZES = [100, 500, 1000, 2000, 5000, 10_000, 100_000, 1_000_000];
const FORMATS = ['xlsx', 'csv'] as const;
const CHILD_TIMEOUT_MS = 15 * 60_000;
/** Heap for the original solution, so that it shows its memory rather than Node's default limit. */
const ORIGINAL_HEAP_MB = 8192;

interface Run {
  seconds: number;
  peakMb: number;
  error?: string;
}

async function child(o: PaperOptions, mode: 'original' | 'bare', format: string, rows: number): Promise<Run> {
  const file = path.join(os.tmpdir(), `ftc-bench-${mode}-${process.pid}.${format}`);
  const args = [
    ...(mode === 'original' ? [`--max-old-space-size=${ORIGINAL_HEAP_MB}`] : []),
    // No dist/ with --tsx: the child loads the cell formatter's TypeScript source through tsx.
    ...(o.tsx ? ['--import', 'tsx'] : []),
    'bench/paper/export-child.mjs',
    mode,
    format,
    shopUrl(o),
    '1',
    String(1 + rows),
    JSON.stringify(ORDER_EXPORT_COLUMNS),
    file,
  ];
  const p = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { ...process.env, ...(o.tsx ? { FTC_CELL_FORMAT_SOURCE: '1' } : {}) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  p.stdout.on('data', (d: Buffer) => (out += d.toString()));
  p.stderr.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-2000)));
  let peakKb = 0;
  const timer = setInterval(() => (peakKb = Math.max(peakKb, rssKb(p.pid!))), 50);
  const kill = setTimeout(() => p.kill('SIGKILL'), CHILD_TIMEOUT_MS);
  const code = await new Promise<number | null>((r) => p.once('exit', r));
  clearInterval(timer);
  clearTimeout(kill);
  const line = out.trim().split('\n').pop() ?? '';
  if (code !== 0 || !line.startsWith('{')) {
    const why =
      code === null ? 'killed (timeout)' : /heap out of memory/i.test(err) ? 'out of memory' : `exit ${code}`;
    return { seconds: NaN, peakMb: peakKb / 1024, error: why };
  }
  const r = JSON.parse(line) as { rows: number; seconds: number; maxRssMb: number };
  if (r.rows !== rows) throw new Error(`${mode} ${format}: ${r.rows} rows, expected ${rows}`);
  return { seconds: r.seconds, peakMb: Math.max(r.maxRssMb, peakKb / 1024) };
}

async function system(o: PaperOptions, c: Cluster, format: string, rows: number) {
  const pids = { gateway: c.gateway.child.pid!, core: c.core.child.pid!, export: c.exporters[0].child.pid! };
  const idle = rssKb(pids.export) / 1024;
  const rss = sampleRss(pids);
  const t0 = performance.now();
  const id = await requestExport(c, format, 1, rows);
  const done = await waitForTasks(o, [id], 60 * 60_000);
  const seconds = (done.doneAtMs.get(id)! - (performance.timeOrigin + t0)) / 1000;
  const peak = rss.stop();
  if (done.failed.length) return { seconds: NaN, peakMb: peak.export, idle, peak, error: 'export failed' };
  return { seconds, peakMb: peak.export, idle, peak };
}

const SKIPPED: Run = { seconds: NaN, peakMb: NaN, error: 'not run' };

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export async function figures(o: PaperOptions): Promise<string> {
  const orders = scaled(o, 1_000_000, 1000);
  const sizes = (o.sizes ?? SIZES).filter((s) => s <= orders);
  // BENCH_SKIP=original (or bare): leave a variant out, e.g. to rerun the system alone.
  const skip = new Set((process.env.BENCH_SKIP ?? '').split(',').filter(Boolean));
  ensureOrders(o, orders);
  const cluster = await startCluster(o, { orders });
  type Row = {
    format: string;
    rows: number;
    system: Run & { idle: number; peak: Record<string, number> };
    original: Run;
    bare: Run;
  };
  const results: Row[] = [];
  try {
    await defineBenchBizType(cluster);
    // Warm-up: the first export of a node pays for lazy loading (exceljs, the handler, the queue).
    for (const format of FORMATS) await system(o, cluster, format, 100);
    for (const rows of sizes) {
      for (const format of FORMATS) {
        const repeats = rows <= 10_000 ? o.rounds : 1;
        const runs = { system: [] as Row['system'][], original: [] as Run[], bare: [] as Run[] };
        for (let k = 0; k < repeats; k++) {
          await sleep(300);
          runs.system.push(await system(o, cluster, format, rows));
          for (const mode of ['original', 'bare'] as const)
            runs[mode].push(skip.has(mode) ? SKIPPED : await child(o, mode, format, rows));
        }
        const pick = <T extends Run>(rs: T[]): T => ({
          ...rs[0],
          seconds: median(rs.map((r) => r.seconds)),
          peakMb: Math.max(...rs.map((r) => r.peakMb)),
          error: rs.find((r) => r.error)?.error,
        });
        const row: Row = {
          format,
          rows,
          system: pick(runs.system),
          original: pick(runs.original),
          bare: pick(runs.bare),
        };
        results.push(row);
        console.log(
          `${format} ${fmt(rows)}: system ${row.system.seconds.toFixed(2)} s / ${fmt(row.system.peakMb)} MB, original ${row.original.seconds.toFixed(2)} s / ${fmt(row.original.peakMb)} MB${row.original.error ? ` (${row.original.error})` : ''}, bare ${row.bare.seconds.toFixed(2)} s / ${fmt(row.bare.peakMb)} MB`,
        );
      }
    }
  } finally {
    await cluster.stop();
  }
  const secs = (r: Run) =>
    r.error === SKIPPED.error
      ? '-'
      : r.error
        ? r.error
        : r.seconds < 10
          ? fmt(r.seconds, 2)
          : fmt(r.seconds, 1);
  const mb = (r: Run) => (r.error === SKIPPED.error ? '-' : fmt(r.peakMb) + (r.error ? ` (${r.error})` : ''));
  const md = [
    `## Figures 6 and 7 — export memory and duration (${new Date().toISOString().slice(0, 16)} UTC)`,
    '',
    `Machine: ${await machine()}`,
    '',
    `Exports of the first N orders of a ${fmt(orders)}-order shop (biz type \`${BENCH_BIZ}\`: the demo order export, ${ORDER_EXPORT_COLUMNS.length} columns, by id range), as ADMIN. **system**: POST /api/exports → task SUCCESS with the file stored (local disk), through a gateway, a core and an export node as separate processes (compiled dist/, defaults: EXPORT_CHUNK_ROWS 50,000, EXPORT_BATCH_ROWS 1,000${o.exportNodeOptions ? `, export node NODE_OPTIONS=${o.exportNodeOptions}` : ''}); memory = the export node's peak RSS (idle before the export in brackets). **original**: load every row with one mysql2 query and build the whole workbook / CSV text in memory, then write it (own process, --max-old-space-size=${ORIGINAL_HEAP_MB}). **bare**: mysql2 query stream → exceljs streaming WorkbookWriter / csv-stringify → file (own process). Peak RSS sampled every 50 ms from /proc (and the process's own maxRSS for the one-shot processes). Sizes up to 10,000: median duration of ${o.rounds} runs, max peak; larger: one run.`,
    '',
    mdTable(
      [
        'format',
        'rows',
        'system s',
        'original s',
        'bare s',
        'system / bare (time)',
        'system peak MB (idle)',
        'original peak MB',
        'bare peak MB',
        'system / bare (memory)',
        'gateway / core peak MB',
      ],
      results.map((r) => [
        r.format,
        fmt(r.rows),
        secs(r.system),
        secs(r.original),
        secs(r.bare),
        `${(r.system.seconds / r.bare.seconds).toFixed(1)}×`,
        `${mb(r.system)} (${fmt(r.system.idle)})`,
        mb(r.original),
        mb(r.bare),
        `${(r.system.peakMb / r.bare.peakMb).toFixed(1)}×`,
        `${fmt(r.system.peak.gateway)} / ${fmt(r.system.peak.core)}`,
      ]),
    ),
    '',
  ].join('\n');
  const svgs: Record<string, string> = {};
  for (const format of FORMATS) {
    const rs = results.filter((r) => r.format === format);
    const categories = rs.map((r) => fmt(r.rows));
    svgs[`fig6-memory-${format}`] = barChart({
      title: `Figure 6: peak memory of an export, ${format} (MB)`,
      yLabel: 'peak RSS MB',
      categories,
      series: [
        { name: 'system (export node)', values: rs.map((r) => r.system.peakMb) },
        { name: 'original solution', values: rs.map((r) => (r.original.error ? NaN : r.original.peakMb)) },
        { name: 'bare baseline', values: rs.map((r) => r.bare.peakMb) },
      ],
      log: true,
    });
    svgs[`fig7-duration-${format}`] = barChart({
      title: `Figure 7: export duration, ${format} (s, log scale)`,
      yLabel: 'seconds',
      categories,
      series: [
        { name: 'system', values: rs.map((r) => r.system.seconds) },
        { name: 'original solution', values: rs.map((r) => r.original.seconds) },
        { name: 'bare baseline', values: rs.map((r) => r.bare.seconds) },
      ],
      log: true,
    });
  }
  writeResults(o, 'figures', md, svgs);
  return md;
}

if (require.main === module) runPart(figures);
