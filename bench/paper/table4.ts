/**
 * The paper's Table 4: export tasks accepted per second (POST /api/exports answered 202) and
 * completed per second, for 350-row exports, beside the paper's 103/s (and its original solution's
 * 45/min). Every export selects exactly 350 orders by id range (biz type `bench_orders`), each a
 * different range, so no two requests are merged.
 *
 *   npm run bench:paper:table4 -- [--small | --scale 0.01] [--fresh]
 */
import mysql from 'mysql2/promise';
import {
  BENCH_BIZ,
  defineBenchBizType,
  ensureOrders,
  fmt,
  machine,
  mainUrl,
  mdTable,
  sampleRss,
  scaled,
  startCluster,
  waitForTasks,
  writeResults,
  type Cluster,
  type PaperOptions,
  runPart,
} from './common';
import { runLoad } from './load';

const ROWS = 350;

/** Ids of every bench_orders task (the requests' own ids are not visible to autocannon). */
async function benchTaskIds(o: PaperOptions): Promise<string[]> {
  const conn = await mysql.createConnection({ uri: mainUrl(o) });
  try {
    const [rows] = await conn.query<mysql.RowDataPacket[]>('SELECT id FROM file_tasks WHERE biz_type = ?', [
      BENCH_BIZ,
    ]);
    return rows.map((r) => String(r.id));
  } finally {
    await conn.end();
  }
}

export interface Table4Line {
  format: string;
  accepted: number;
  acceptedPerS: number;
  p95: number;
  completedPerS: number;
  failed: number;
  totalSeconds: number;
  peak: Record<string, number>;
}

/** The volumes of a run at `o`'s scale. */
export function table4Volumes(o: PaperOptions) {
  const exports = scaled(o, 2000, 20);
  const orders = Math.max(scaled(o, 1_000_000, 1000), exports * ROWS); // every request its own range
  return { exports, orders, ranges: Math.floor(orders / ROWS), connections: Math.min(100, exports) };
}

/** One line of Table 4 on a running cluster: `exports` requests of one format, then their completion. */
export async function table4Line(
  o: PaperOptions,
  cluster: Cluster,
  format: string,
  v: ReturnType<typeof table4Volumes>,
  firstRange = 0,
): Promise<Table4Line> {
  let i = firstRange;
  const earlier = new Set(await benchTaskIds(o));
  const pids = {
    gateway: cluster.gateway.child.pid!,
    core: cluster.core.child.pid!,
    export: cluster.exporters[0].child.pid!,
  };
  const rss = sampleRss(pids);
  const t0 = performance.now();
  const accepted = await runLoad({
    url: cluster.base,
    token: cluster.token,
    method: 'POST',
    connections: v.connections,
    amount: v.exports,
    next: () => {
      const from = 1 + ((i++ * 7919) % v.ranges) * ROWS;
      return {
        path: '/api/exports',
        body: JSON.stringify({
          bizType: BENCH_BIZ,
          format,
          filters: { idFrom: from, idTo: from + ROWS },
        }),
      };
    },
    ok: (s) => s === 202,
  });
  const acceptedSeconds = (performance.now() - t0) / 1000;
  const ids = (await benchTaskIds(o)).filter((id) => !earlier.has(id));
  let last = 0;
  const done = await waitForTasks(o, ids, 30 * 60_000, (n) => {
    if (n - last >= ids.length / 10) console.log(`[${format}] ${(last = n)}/${ids.length} exports ended`);
  });
  const totalSeconds = (Math.max(...done.doneAtMs.values()) - (performance.timeOrigin + t0)) / 1000;
  const peak = rss.stop();
  return {
    format,
    accepted: accepted.ok,
    acceptedPerS: accepted.ok / acceptedSeconds,
    p95: accepted.p95,
    completedPerS: (ids.length - done.failed.length) / totalSeconds,
    failed: done.failed.length,
    totalSeconds,
    peak,
  };
}

export async function table4(o: PaperOptions): Promise<string> {
  const v = table4Volumes(o);
  const { exports, orders, connections } = v;
  ensureOrders(o, orders);
  const cluster = await startCluster(o, { orders });
  const rows: (string | number)[][] = [];
  try {
    await defineBenchBizType(cluster);
    for (const format of ['csv', 'xlsx']) {
      const r = await table4Line(o, cluster, format, v);
      const peak = r.peak;
      console.log(r);
      rows.push([
        format,
        fmt(r.accepted),
        fmt(r.acceptedPerS, 1),
        fmt(r.p95),
        fmt(r.completedPerS, 1),
        fmt(r.failed),
        fmt(r.totalSeconds, 1),
        `${fmt(peak.gateway)} / ${fmt(peak.core)} / ${fmt(peak.export)}`,
        '103/s',
      ]);
    }
  } finally {
    await cluster.stop();
  }
  const md = [
    `## Table 4 — export task throughput, ${ROWS}-row exports (${new Date().toISOString().slice(0, 16)} UTC)`,
    '',
    `Machine: ${await machine()}`,
    '',
    `${fmt(exports)} exports per format, each of exactly ${ROWS} orders (its own id range) of a ${fmt(orders)}-order shop, requested as ADMIN through POST /api/exports by ${connections} concurrent connections (autocannon). One gateway, one core and one export node (default EXPORT_CONCURRENCY 2), bull queue on Redis. **accepted/s**: 202 answers per second while requesting (the task and its event are written, the job enqueued); **completed/s**: exports that ended SUCCESS per second from the first request to the last completion (observed in the database every 20 ms). The paper's 103/s is the RabbitMQ ack rate of export task creation; its original solution made 45/min.`,
    '',
    mdTable(
      [
        'format',
        'accepted',
        'accepted/s',
        'POST p95 ms',
        'completed/s',
        'failed',
        'seconds to last completion',
        'peak RSS MB gateway / core / export',
        'paper',
      ],
      rows,
    ),
    '',
  ].join('\n');
  writeResults(o, 'table4', md);
  return md;
}

if (require.main === module) runPart(table4);
