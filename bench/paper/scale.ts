/**
 * Scale-out: total export throughput (rows/s over several concurrent exports) with one and with two
 * export nodes, each pinned to a core of its own with taskset (export-1 on core 0, export-2 on
 * core 1), so a second node brings a core of its own instead of competing for the first one's.
 * 4 exports of a quarter of the shop each (1,000,000 orders at full scale), csv and xlsx, requested
 * at once; the clock runs from the first request to the last SUCCESS. --rounds runs of each (min
 * and median); then the second export node is started and the same exports run again.
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
  const one: Record<string, number> = {};
  try {
    await defineBenchBizType(cluster);
    for (const nodes of [1, 2]) {
      if (nodes === 2) await cluster.addExportNode(coreOf(2));
      for (const format of ['csv', 'xlsx']) {
        await round(o, cluster, format, 100); // warm-up of every node
        await sleep(500);
        const runs: Awaited<ReturnType<typeof round>>[] = [];
        for (let k = 0; k < o.rounds; k++) runs.push(await round(o, cluster, format, perExport));
        const rate = minMedian(runs.map((r) => r.rowsPerS));
        if (nodes === 1) one[format] = rate.median;
        console.log(
          `${nodes} export node(s), ${format}: ${runs.map((r) => fmt(r.rowsPerS)).join(', ')} rows/s`,
        );
        rows.push([
          nodes,
          format,
          fmt(EXPORTS * perExport),
          runs.map((r) => fmt(r.seconds, 1)).join(', '),
          `${fmt(rate.min)} / ${fmt(rate.median)}`,
          `${(rate.median / (one[format] ?? rate.median)).toFixed(2)}×`,
          Object.keys(runs[0].peak)
            .map((k) => fmt(Math.max(...runs.map((r) => r.peak[k] ?? 0))))
            .join(' / '),
        ]);
      }
    }
  } finally {
    await cluster.stop();
  }
  const md = [
    `## Scale-out — export throughput with one and two export nodes (${new Date().toISOString().slice(0, 16)} UTC)`,
    '',
    `Machine: ${await machine()}`,
    '',
    `${EXPORTS} concurrent exports of ${fmt(perExport)} orders each (different id ranges, biz type \`bench_orders\`), requested at once as ADMIN; the time runs from the first request to the last SUCCESS. One gateway and one core node; export nodes with the defaults (EXPORT_CONCURRENCY 2, EXPORT_CHUNK_ROWS 50,000${o.exportNodeOptions ? `, NODE_OPTIONS=${o.exportNodeOptions}` : ''}), each pinned with taskset to a core of its own (export-1: core ${coreOf(1)}, export-2: core ${coreOf(2)}); the gateway, core node, databases and the load generator are not pinned and share every core. ${o.rounds} runs per line (seconds of each; rows/s min / median); "vs one node" compares medians.`,
    '',
    mdTable(
      [
        'export nodes',
        'format',
        'rows in total',
        'seconds (each run)',
        'rows/s min / median',
        'vs one node',
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
