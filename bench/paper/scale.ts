/**
 * Scale-out: total export throughput (rows/s over several concurrent exports) with one and with two
 * export nodes, each pinned to a core of its own with taskset (export-1 on core 0, export-2 on
 * core 1), so a second node brings a core of its own instead of competing for the first one's.
 * 4 exports of a quarter of the shop each (1,000,000 orders at full scale), csv and xlsx, requested
 * at once; the clock runs from the first request to the last SUCCESS. Interleaved: each of
 * --rounds rounds runs every format on one node, starts the second node, runs them again and stops
 * it, so both lines see the same machine (min and median of the rounds; the ratio per round too).
 *
 *   npm run bench:paper:scale -- [--small | --scale 0.01] [--fresh] [--rounds 3]
 */
import fs from 'node:fs';
import os from 'node:os';
import {
  defineBenchBizType,
  ensureOrders,
  fmt,
  machine,
  mdTable,
  requestExport,
  sampleRss,
  scaled,
  sleep,
  startCluster,
  waitForTasks,
  writeResults,
  type Cluster,
  type PaperOptions,
  runPart,
} from './common';
import { http } from '../../test/support/embedded-node';
import { minMedian } from './load';

/** One core per export node, while the machine has them. */
const coreOf = (node: number) => String((node - 1) % os.cpus().length);

const EXPORTS = 4;

const TICK_S = 0.01; // /proc counts CPU time in clock ticks of 10 ms (USER_HZ 100)

/** utime + stime of a process, in CPU-seconds (0 once it is gone). */
function cpuOf(pid: number): number {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) * TICK_S;
  } catch {
    return 0;
  }
}

/** The machine's busy CPU-seconds (every core; idle and iowait left out). */
function machineBusy(): number {
  const f = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  return (f.reduce((a, b) => a + b, 0) - f[3] - f[4]) * TICK_S;
}

/** Processes by their command name (the shared MariaDB, NATS and Redis). */
function pidsNamed(names: string[]): number[] {
  return fs
    .readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .filter((d) => {
      try {
        return names.includes(fs.readFileSync(`/proc/${d}/comm`, 'utf8').trim());
      } catch {
        return false;
      }
    })
    .map(Number);
}

/** Where the CPU went during a run: CPU-seconds per cluster process, the database, the rest. */
function cpuSplit(c: Cluster) {
  const procs: Record<string, number[]> = {
    gateway: [c.gateway.child.pid!],
    core: [c.core.child.pid!],
    ...Object.fromEntries(c.exporters.map((x) => [x.name, [x.child.pid!]])),
    mariadb: pidsNamed(['mariadbd', 'mysqld']),
    'nats+redis': pidsNamed(['nats-server', 'redis-server']),
    bench: [process.pid],
  };
  const sum = (pids: number[]) => pids.reduce((a, pid) => a + cpuOf(pid), 0);
  const before = Object.fromEntries(Object.entries(procs).map(([k, v]) => [k, sum(v)]));
  const busy0 = machineBusy();
  const load0 = os.loadavg()[0];
  return () => {
    const used: Record<string, number> = {};
    for (const [k, v] of Object.entries(procs)) used[k] = sum(v) - before[k];
    const busy = machineBusy() - busy0;
    used.others = Math.max(0, busy - Object.values(used).reduce((a, b) => a + b, 0));
    return { used, busy, load: [load0, os.loadavg()[0]] };
  };
}

/** Batches read on the coordinator's own node and elsewhere, over the exports' manifests. */
async function spreadOf(c: Cluster, ids: string[]) {
  let local = 0;
  let remote = 0;
  for (const id of ids) {
    const r = await http(c.base, 'GET', `/api/file-tasks/${id}`, { token: c.token });
    const m = r.body?.export?.manifest as { coordinator?: string; readers?: Record<string, number> } | null;
    for (const [node, n] of Object.entries(m?.readers ?? {}))
      if (node === m?.coordinator) local += n;
      else remote += n;
  }
  return { local, remote };
}

async function round(o: PaperOptions, c: Cluster, format: string, perExport: number) {
  const pids: Record<string, number> = {};
  for (const x of c.exporters) pids[x.name] = x.child.pid!;
  const rss = sampleRss(pids);
  const cpu = cpuSplit(c);
  const t0 = performance.now();
  const ids: string[] = [];
  for (let k = 0; k < EXPORTS; k++) ids.push(await requestExport(c, format, 1 + k * perExport, perExport));
  const done = await waitForTasks(o, ids, 60 * 60_000);
  const seconds = (Math.max(...done.doneAtMs.values()) - (performance.timeOrigin + t0)) / 1000;
  const peak = rss.stop();
  const split = cpu();
  if (done.failed.length) throw new Error(`${done.failed.length} exports failed`);
  return { seconds, rowsPerS: (EXPORTS * perExport) / seconds, peak, split, spread: await spreadOf(c, ids) };
}

export async function scaleOut(o: PaperOptions): Promise<string> {
  const orders = scaled(o, 1_000_000, 1000);
  const perExport = Math.floor(orders / EXPORTS);
  ensureOrders(o, orders);
  const cluster = await startCluster(o, {
    orders,
    exportNodes: 1,
    exportCpus: [coreOf(1)],
    env: o.remoteReads ? { EXPORT_REMOTE_READS: o.remoteReads } : {},
  });
  const rows: (string | number)[][] = [];
  const formats = ['csv', 'xlsx'];
  type Run = Awaited<ReturnType<typeof round>>;
  const runs: Record<string, Run[]> = {};
  const key = (nodes: number, format: string) => `${nodes}:${format}`;
  try {
    await defineBenchBizType(cluster);
    for (let k = 0; k < o.rounds; k++) {
      for (const nodes of [1, 2]) {
        if (nodes === 2) await cluster.addExportNode(coreOf(2));
        for (const format of formats) {
          await round(o, cluster, format, 100); // warm-up of every node
          await sleep(500);
          const r = await round(o, cluster, format, perExport);
          (runs[key(nodes, format)] ??= []).push(r);
          console.log(
            `round ${k + 1}, ${nodes} export node(s), ${format}: ${fmt(r.rowsPerS)} rows/s, ${JSON.stringify(r.spread)}, ${JSON.stringify(r.split)}`,
          );
        }
        if (nodes === 2) await cluster.removeExportNode();
      }
    }
  } finally {
    await cluster.stop();
  }
  for (const nodes of [1, 2])
    for (const format of formats) {
      const these = runs[key(nodes, format)] ?? [];
      const ones = runs[key(1, format)] ?? [];
      const rate = minMedian(these.map((r) => r.rowsPerS));
      // Same-round ratios: each two-node run beside the one-node run just before it.
      const ratio = minMedian(these.map((r, i) => r.rowsPerS / (ones[i]?.rowsPerS ?? r.rowsPerS)));
      rows.push([
        nodes,
        format,
        fmt(EXPORTS * perExport),
        these.map((r) => fmt(r.seconds, 1)).join(', '),
        `${fmt(rate.min)} / ${fmt(rate.median)}`,
        nodes === 1 ? '1.00×' : `${ratio.min.toFixed(2)}× / ${ratio.median.toFixed(2)}×`,
        Object.keys(these[0]?.peak ?? {})
          .map((name) => fmt(Math.max(...these.map((r) => r.peak[name] ?? 0))))
          .join(' / '),
      ]);
    }
  // Where the two cores went in each run: CPU-seconds per process over the run's wall time.
  const cpuRows: (string | number)[][] = [];
  for (const nodes of [1, 2])
    for (const format of formats)
      (runs[key(nodes, format)] ?? []).forEach((r, i) => {
        const u = r.split.used;
        const per = (x: number) => `${fmt(x, 1)} (${((100 * x) / r.seconds).toFixed(0)} %)`;
        cpuRows.push([
          `${nodes} / ${format} / ${i + 1}`,
          fmt(r.seconds, 1),
          r.split.load.map((x) => x.toFixed(1)).join(' → '),
          per(r.split.busy),
          per(u['export-1'] ?? 0),
          nodes === 2 ? per(u['export-2'] ?? 0) : '-',
          per((u.gateway ?? 0) + (u.core ?? 0)),
          per(u.mariadb ?? 0),
          per((u['nats+redis'] ?? 0) + (u.bench ?? 0)),
          per(u.others ?? 0),
          `${r.spread.local} / ${r.spread.remote}`,
        ]);
      });
  const md = [
    `## Scale-out — export throughput with one and two export nodes (${new Date().toISOString().slice(0, 16)} UTC)`,
    '',
    `Machine: ${await machine()}`,
    '',
    `${EXPORTS} concurrent exports of ${fmt(perExport)} orders each (different id ranges, biz type \`bench_orders\`), requested at once as ADMIN; the time runs from the first request to the last SUCCESS. One gateway and one core node; export nodes with the defaults (EXPORT_CONCURRENCY 2, EXPORT_CHUNK_ROWS 50,000${o.exportNodeOptions ? `, NODE_OPTIONS=${o.exportNodeOptions}` : ''}), each pinned with taskset to a core of its own (export-1: core ${coreOf(1)}, export-2: core ${coreOf(2)}); the gateway, core node, databases and the load generator are not pinned and share every core. ${o.rounds} rounds, interleaved: each round runs one node then two (seconds of each run; rows/s min / median); "vs one node" is min / median of the per-round ratios.`,
    '',
    mdTable(
      [
        'export nodes',
        'format',
        'rows in total',
        'seconds (each run)',
        'rows/s min / median',
        'vs one node (min / median)',
        'peak RSS MB per export node',
      ],
      rows,
    ),
    '',
    `Export nodes' reader policy: EXPORT_REMOTE_READS=${o.remoteReads ?? 'spare (default)'}. Where the CPU went in each run (nodes / format / round): CPU-seconds from /proc over the run, and in brackets as a share of one core over the run's wall time (200 % = both cores); "machine busy" is every process on the box (/proc/stat), "others" what no process of the run used (other engineers' work). Batches: read on the coordinator's own node / on another node (manifests).`,
    '',
    mdTable(
      [
        'run',
        'seconds',
        'load average (1 min) start → end',
        'machine busy',
        'export-1',
        'export-2',
        'gateway + core',
        'MariaDB',
        'NATS + Redis + bench',
        'others',
        'batches local / remote',
      ],
      cpuRows,
    ),
    '',
  ].join('\n');
  writeResults(o, 'scale', md);
  return md;
}

if (require.main === module) runPart(scaleOut);
