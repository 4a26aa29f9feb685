/**
 * Table 4 for two checkouts, interleaved: a cluster of the baseline's nodes (`--baseline <dir>`,
 * e.g. a worktree of main), then one of this checkout's, for `--rounds` rounds (A B A B …), each
 * measuring the same 350-row exports under the same load generator. Reported per format as min
 * and median of accepted/s and completed/s, and of the per-round ratio this / baseline, with the
 * load average seen during the run (absolute numbers on a shared box are noise; the ratios of one
 * interleaved run are what carries over).
 *
 *   npx tsx bench/paper/table4-ab.ts --baseline ../wt-main [--scale 0.5] [--rounds 3] [--formats csv,xlsx]
 *     [--db ftc_bench_paper] [--redis redis://127.0.0.1:6379/11]
 */
import os from 'node:os';
import path from 'node:path';
import {
  defineBenchBizType,
  ensureOrders,
  fmt,
  machine,
  mdTable,
  paperOptions,
  startCluster,
  writeResults,
  ROOT,
} from './common';
import { table4Line, table4Volumes, type Table4Line } from './table4';

const take = (argv: string[], name: string): string | undefined => {
  const at = argv.indexOf(name);
  return at >= 0 ? argv.splice(at, 2)[1] : undefined;
};
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const minMed = (xs: number[], digits = 1) => `${fmt(Math.min(...xs), digits)} / ${fmt(median(xs), digits)}`;

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const baseline = take(argv, '--baseline');
  if (!baseline) throw new Error('--baseline <checkout> is required');
  const formats = (take(argv, '--formats') ?? 'csv,xlsx').split(',');
  const o = paperOptions(argv);
  // A main database per checkout (one shop): a checkout's migrations (an index added or dropped)
  // must not change what the other one measures.
  const systems = [
    {
      name: 'baseline',
      root: path.resolve(baseline),
      o: { ...o, db: `${o.db}_baseline`, shopDb: `${o.db}_shop` },
    },
    { name: 'this', root: ROOT, o: { ...o, db: `${o.db}_this`, shopDb: `${o.db}_shop` } },
  ];
  const v = table4Volumes(o);
  ensureOrders(o, v.orders);
  const lines: Record<string, Record<string, Table4Line[]>> = { baseline: {}, this: {} };
  const loads: number[] = [];
  let offset = 0;
  for (let round = 1; round <= o.rounds; round++) {
    for (const s of systems) {
      const cluster = await startCluster({ ...s.o, systemRoot: s.root }, { orders: v.orders });
      try {
        await defineBenchBizType(cluster);
        for (const format of formats) {
          loads.push(os.loadavg()[0]);
          const r = await table4Line(s.o, cluster, format, v, offset);
          offset += v.exports;
          loads.push(os.loadavg()[0]);
          console.log(`round ${round} ${s.name} ${format}:`, JSON.stringify(r));
          (lines[s.name][format] ??= []).push(r);
        }
      } finally {
        await cluster.stop();
      }
    }
  }
  const rows = formats.flatMap((format) => {
    const a = lines.baseline[format];
    const b = lines.this[format];
    const ratio = (k: 'acceptedPerS' | 'completedPerS') => b.map((x, i) => x[k] / a[i][k]);
    return [
      [
        format,
        minMed(a.map((x) => x.acceptedPerS)),
        minMed(b.map((x) => x.acceptedPerS)),
        `${minMed(ratio('acceptedPerS'), 2)}×`,
        minMed(a.map((x) => x.completedPerS)),
        minMed(b.map((x) => x.completedPerS)),
        `${minMed(ratio('completedPerS'), 2)}×`,
        `${minMed(
          a.map((x) => x.p95),
          0,
        )} ‖ ${minMed(
          b.map((x) => x.p95),
          0,
        )}`,
        `${fmt(a.reduce((n, x) => n + x.failed, 0))} / ${fmt(b.reduce((n, x) => n + x.failed, 0))}`,
      ],
    ];
  });
  const perRound = formats.flatMap((format) =>
    lines.this[format].map((b, i) => {
      const a = lines.baseline[format][i];
      return [
        format,
        i + 1,
        fmt(a.acceptedPerS, 1),
        fmt(b.acceptedPerS, 1),
        fmt(a.completedPerS, 1),
        fmt(b.completedPerS, 1),
      ];
    }),
  );
  const md = [
    `## Table 4 A/B — ${fmt(v.exports)} exports of 350 rows per format and run (${new Date().toISOString().slice(0, 16)} UTC)`,
    '',
    `Machine: ${await machine()} Load average (1 min) seen during the runs: ${fmt(Math.min(...loads), 1)}–${fmt(Math.max(...loads), 1)}.`,
    '',
    `Baseline: ${systems[0].root}; this: ${systems[1].root} (main databases ${systems[0].o.db} and ${systems[1].o.db}, one shop). ${o.rounds} rounds, each a fresh cluster of the baseline's nodes then one of this checkout's (gateway, core, one export node; ${v.connections} connections), under one load generator. Every request counts (load.ts: none dropped from the percentiles).`,
    '',
    mdTable(
      [
        'format',
        'accepted/s baseline (min / median)',
        'accepted/s this',
        'this / baseline accepted/s (per round, min / median)',
        'completed/s baseline',
        'completed/s this',
        'this / baseline completed/s',
        'POST p95 ms (min / median) baseline ‖ this',
        'failed baseline / this',
      ],
      rows,
    ),
    '',
    mdTable(
      [
        'format',
        'round',
        'accepted/s baseline',
        'accepted/s this',
        'completed/s baseline',
        'completed/s this',
      ],
      perRound,
    ),
    '',
  ].join('\n');
  writeResults(o, 'table4-ab', md);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
