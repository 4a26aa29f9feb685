/**
 * Scale-out: total export throughput (rows/s over several concurrent exports) with one and with two
 * export nodes. 4 exports of a quarter of the shop each (1,000,000 orders at full scale), csv and
 * xlsx, requested at once; the clock runs from the first request to the last SUCCESS. Then a second
 * export node is started and the same exports run again (other id ranges are not needed: every
 * export writes its own file).
 *
 *   npm run bench:paper:scale -- [--small | --scale 0.01] [--fresh]
 */
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
  const cluster = await startCluster(o, { orders, exportNodes: 1 });
  const rows: (string | number)[][] = [];
  const one: Record<string, number> = {};
  try {
    await defineBenchBizType(cluster);
    for (const nodes of [1, 2]) {
      if (nodes === 2) await cluster.addExportNode();
      for (const format of ['csv', 'xlsx']) {
        await round(o, cluster, format, 100); // warm-up of every node
        await sleep(500);
        const r = await round(o, cluster, format, perExport);
        if (nodes === 1) one[format] = r.rowsPerS;
        console.log(
          `${nodes} export node(s), ${format}: ${fmt(r.rowsPerS)} rows/s in ${r.seconds.toFixed(1)} s`,
        );
        rows.push([
          nodes,
          format,
          fmt(EXPORTS * perExport),
          fmt(r.seconds, 1),
          fmt(r.rowsPerS),
          `${(r.rowsPerS / (one[format] ?? r.rowsPerS)).toFixed(2)}×`,
          Object.values(r.peak)
            .map((v) => fmt(v))
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
    `${EXPORTS} concurrent exports of ${fmt(perExport)} orders each (different id ranges, biz type \`bench_orders\`), requested at once as ADMIN; the time runs from the first request to the last SUCCESS. One gateway and one core node; export nodes with the defaults (EXPORT_CONCURRENCY 2, EXPORT_CHUNK_ROWS 50,000${o.exportNodeOptions ? `, NODE_OPTIONS=${o.exportNodeOptions}` : ''}: the chunks of one export are read on every export node, the file is written by the node that owns the export). With two cores for everything, a second node adds processes, not CPU.`,
    '',
    mdTable(
      [
        'export nodes',
        'format',
        'rows in total',
        'seconds',
        'rows/s',
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
