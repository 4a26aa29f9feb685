/**
 * A/B of the export writers between two checkouts of this repository (e.g. main and a branch),
 * interleaved in one run so both see the same machine load. Each run is its own process that
 * loads the cell formatter, the demo order generator and the table writer *of one tree* and
 * writes `--rows` formatted demo orders to a temp file (the harness is this file, the same for
 * both). Per round: baseline, then candidate. CPU time of the write loop (user + system, which a
 * busy shared machine disturbs far less than wall time) and wall time are reported as rows/s,
 * min and median, and the candidate / baseline ratio per round.
 *
 *   npx tsx bench/writers-ab.ts --baseline /path/to/main --candidate . [--rows 50000] [--rounds 5] [--formats xlsx,csv]
 */
import { spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';

const BATCH = 1000;

/** One export of `rows` demo orders with the modules of `root`; prints {cpu, wall} seconds. */
async function child(root: string, format: string, rows: number): Promise<void> {
  const { compileRowFormatter } = (await import(
    path.join(root, 'domain/exports/cell-format')
  )) as typeof import('../domain/exports/cell-format');
  // Checkouts from before the demo data left domain/ keep the generator at its old path.
  const generator = existsSync(path.join(root, 'mixins/demo/order-generator.ts'))
    ? 'mixins/demo/order-generator'
    : 'domain/shop/order-generator';
  const { generateOrder, ORDER_COLUMNS, ORDER_STATUS } = (await import(
    path.join(root, generator)
  )) as typeof import('../mixins/demo/order-generator');
  const { createTableWriter } = (await import(
    path.join(root, 'mixins/export-pipeline/writers/table-writer')
  )) as typeof import('../mixins/export-pipeline/writers/table-writer');
  // The columns of bench/export-writers.ts: a dictionary, a mask, a number format.
  const columns = ORDER_COLUMNS.map((c) => ({
    key: c.key,
    header: c.header,
    type: c.type,
    ...(c.key === 'status' ? { dict: Object.fromEntries(Object.entries(ORDER_STATUS)) } : {}),
    ...(c.key === 'buyer_phone' ? { mask: 'phone' as const } : {}),
    ...(c.key === 'amount' ? { format: '0.00' } : {}),
  }));
  const file = path.join(os.tmpdir(), `ftc-writers-ab-${process.pid}.${format}`);
  const out = createWriteStream(file);
  const cells = compileRowFormatter(columns);
  const writer = createTableWriter({
    format: format as 'csv' | 'xlsx',
    columns,
    out,
    createdAt: new Date(0),
  });
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  for (let from = 1; from <= rows; from += BATCH) {
    const batch = [];
    for (let id = from; id < from + BATCH && id <= rows; id++)
      batch.push(cells(generateOrder(id) as unknown as Record<string, unknown>));
    await writer.write(batch);
  }
  await writer.finish();
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu = process.cpuUsage(cpu0);
  rmSync(file, { force: true });
  process.stdout.write(JSON.stringify({ cpu: (cpu.user + cpu.system) / 1e6, wall }) + '\n');
}

const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
const median = (xs: number[]) => {
  const s = sorted(xs);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const fmt = (n: number) => Math.round(n).toLocaleString('en');
const pair = (xs: number[]) => `${fmt(sorted(xs)[0])} / ${fmt(median(xs))}`;
const ratio = (xs: number[]) => `${sorted(xs)[0].toFixed(2)}× / ${median(xs).toFixed(2)}×`;

function main(): void {
  const { values } = parseArgs({
    options: {
      baseline: { type: 'string' },
      candidate: { type: 'string', default: '.' },
      rows: { type: 'string', default: '50000' },
      rounds: { type: 'string', default: '5' },
      formats: { type: 'string', default: 'xlsx,csv' },
    },
  });
  if (!values.baseline) throw new Error('--baseline <checkout> is required');
  const trees = { baseline: path.resolve(values.baseline), candidate: path.resolve(values.candidate) };
  const rows = Number(values.rows);
  const rounds = Number(values.rounds);
  const once = (tree: string, format: string) => {
    const r = spawnSync(
      process.execPath,
      ['--import', 'tsx', __filename, '--child', tree, format, String(rows)],
      {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    const line = r.stdout.trim().split('\n').pop() ?? '';
    if (r.status !== 0 || !line.startsWith('{')) throw new Error(`${tree} ${format}: exit ${r.status}`);
    const m = JSON.parse(line) as { cpu: number; wall: number };
    return { cpu: rows / m.cpu, wall: rows / m.wall };
  };
  console.log(
    `writers A/B: ${fmt(rows)} rows, ${rounds} rounds (baseline then candidate), baseline ${trees.baseline}, candidate ${trees.candidate}; load ${os.loadavg()[0].toFixed(1)} at the start\n`,
  );
  console.log(
    '| format | baseline rows/CPU-s (min / median) | candidate rows/CPU-s | candidate / baseline, CPU (min / median of rounds) | baseline rows/s wall | candidate rows/s wall | candidate / baseline, wall |',
  );
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const format of values.formats.split(',')) {
    const a: { cpu: number; wall: number }[] = [];
    const b: { cpu: number; wall: number }[] = [];
    for (let k = 0; k < rounds; k++) {
      a.push(once(trees.baseline, format));
      b.push(once(trees.candidate, format));
      console.error(
        `${format} round ${k + 1}: baseline ${fmt(a[k].cpu)}, candidate ${fmt(b[k].cpu)} rows/CPU-s`,
      );
    }
    const cpuA = a.map((x) => x.cpu);
    const cpuB = b.map((x) => x.cpu);
    const wallA = a.map((x) => x.wall);
    const wallB = b.map((x) => x.wall);
    console.log(
      `| ${format} | ${pair(cpuA)} | ${pair(cpuB)} | ${ratio(cpuB.map((x, i) => x / cpuA[i]))} | ${pair(wallA)} | ${pair(wallB)} | ${ratio(wallB.map((x, i) => x / wallA[i]))} |`,
    );
  }
  console.log(`\nload ${os.loadavg()[0].toFixed(1)} at the end`);
}

if (process.argv[2] === '--child') {
  child(process.argv[3], process.argv[4], Number(process.argv[5])).catch((e: unknown) => {
    console.error(e);
    process.exit(1);
  });
} else main();
