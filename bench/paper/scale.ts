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
import { minMedian } from './load';

/** One core per export node, while the machine has them. */
const coreOf = (node: number) => String((node - 1) % os.cpus().length);

const EXPORTS = 4;

async function round(o: PaperOptions, c: Cluster, format: string, perExport: number) {
  const pids: Record<string, number> = {};
  for (const x of c.exporters) pids[x.name] = x.child.pid!;
  const rss = sampleRss(pids);
  const t0 = performance.now();
  const ids: string[] = [];
  for (let k = 0; k < EXPORTS; k++) ids.push(await requestExport(c, format, 1 + k * perExport, perExport));
  const done = await waitForTasks(o, ids, 60 * 60_000);
  const seconds = (Math.max(...done.doneAtMs.values()) - (performance.timeOrigin + t0)) / 1000;
  const peak = rss.stop();
  if (done.failed.length) throw new Error(`${done.failed.length} exports failed`);
  return { seconds, rowsPerS: (EXPORTS * perExport) / seconds, peak };
}

export async function scaleOut(o: PaperOptions): Promise<string> {
  const orders = scaled(o, 1_000_000, 1000);
  const perExport = Math.floor(orders / EXPORTS);
  ensureOrders(o, orders);
  const cluster = await startCluster(o, { orders, exportNodes: 1, exportCpus: [coreOf(1)] });
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
          console.log(`round ${k + 1}, ${nodes} export node(s), ${format}: ${fmt(r.rowsPerS)} rows/s`);
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
  ].join('\n');
  writeResults(o, 'scale', md);
  return md;
}

if (require.main === module) runPart(scaleOut);
