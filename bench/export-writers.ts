/**
 * Export writers benchmark: N demo orders through formatRow and each writer into a file under the
 * OS temp directory, beside two bare baselines, each variant in its own process so peak RSS is its
 * own.
 *
 *   npx tsx bench/export-writers.ts [rows]      (default 1,000,000)
 *
 * Variants: xlsx and csv (compileRowFormatter + createTableWriter, what an export node runs);
 * xlsx-bare (exceljs streaming writer, no formatting, no drain); csv-bare (values joined with commas
 * and written with fs, no quoting). Every variant generates its orders the same way, so generation
 * cost is in all four.
 */
import { spawnSync } from 'node:child_process';
import { createWriteStream, rmSync, statSync } from 'node:fs';
import { once } from 'node:events';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { compileRowFormatter, type Cell } from '../domain/exports/cell-format';
import type { ExportColumn } from '../domain/metadata/export-column';
import { generateOrder, ORDER_COLUMNS, ORDER_STATUS } from '../mixins/demo/order-generator';
import { createTableWriter } from '../mixins/export-pipeline/writers/table-writer';

const VARIANTS = ['xlsx', 'csv', 'xlsx-bare', 'csv-bare'] as const;
type Variant = (typeof VARIANTS)[number];
const BATCH = 1000;

const COLUMNS: ExportColumn[] = ORDER_COLUMNS.map((c): ExportColumn => {
  const column: ExportColumn = { key: c.key, header: c.header, type: c.type };
  if (c.key === 'status') column.dict = Object.fromEntries(Object.entries(ORDER_STATUS));
  if (c.key === 'buyer_phone') column.mask = 'phone';
  if (c.key === 'amount') column.format = '0.00';
  return column;
});

async function run(variant: Variant, rows: number, file: string): Promise<void> {
  const out = createWriteStream(file);
  if (variant === 'xlsx' || variant === 'csv') {
    const format = compileRowFormatter(COLUMNS);
    const writer = createTableWriter({ format: variant, columns: COLUMNS, out, createdAt: new Date(0) });
    for (let from = 1; from <= rows; from += BATCH) {
      const batch: Cell[][] = [];
      for (let id = from; id < from + BATCH && id <= rows; id++) {
        batch.push(format(generateOrder(id) as unknown as Record<string, unknown>));
      }
      await writer.write(batch);
    }
    await writer.finish();
  } else if (variant === 'xlsx-bare') {
    const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({
      stream: out,
      useStyles: false,
      useSharedStrings: false,
    });
    const sheet = workbook.addWorksheet('Sheet1');
    sheet.addRow(COLUMNS.map((c) => c.header)).commit();
    for (let id = 1; id <= rows; id++) sheet.addRow(Object.values(generateOrder(id))).commit();
    sheet.commit();
    await workbook.commit();
  } else {
    out.write(COLUMNS.map((c) => c.header).join(',') + '\n');
    for (let id = 1; id <= rows; id++) {
      if (!out.write(Object.values(generateOrder(id)).join(',') + '\n')) await once(out, 'drain');
    }
    out.end();
    await once(out, 'finish');
  }
}

async function child(variant: Variant, rows: number): Promise<void> {
  const file = path.join(
    os.tmpdir(),
    `ftc-bench-${process.pid}.${variant.startsWith('xlsx') ? 'xlsx' : 'csv'}`,
  );
  const start = process.hrtime.bigint();
  await run(variant, rows, file);
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const bytes = statSync(file).size;
  rmSync(file, { force: true });
  const peakRss = process.resourceUsage().maxRSS * 1024;
  process.stdout.write(JSON.stringify({ variant, rows, seconds, bytes, peakRss }) + '\n');
}

function main(): void {
  const rows = Number((process.argv[2] ?? '1000000').replace(/[_,]/g, ''));
  if (!Number.isSafeInteger(rows) || rows < 1) {
    console.error('usage: npx tsx bench/export-writers.ts [rows]');
    process.exit(2);
  }
  console.log(
    `export writers: ${rows.toLocaleString('en')} demo orders, ${COLUMNS.length} columns, node ${process.version}`,
  );
  console.log('variant     rows/s     seconds   file MB   peak RSS MB');
  for (const variant of VARIANTS) {
    const r = spawnSync(process.execPath, ['--import', 'tsx', __filename, '--child', variant, String(rows)], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const line = r.stdout.trim().split('\n').pop() ?? '';
    if (r.status !== 0 || !line.startsWith('{')) {
      console.log(`${variant.padEnd(10)}  failed (exit ${r.status})`);
      continue;
    }
    const m = JSON.parse(line) as { seconds: number; bytes: number; peakRss: number };
    console.log(
      `${variant.padEnd(10)}  ${Math.round(rows / m.seconds)
        .toLocaleString('en')
        .padStart(9)}  ${m.seconds.toFixed(1).padStart(8)}  ${(m.bytes / 1e6).toFixed(1).padStart(8)}  ${(
        m.peakRss / 1e6
      )
        .toFixed(0)
        .padStart(11)}`,
    );
  }
}

if (process.argv[2] === '--child') {
  child(process.argv[3] as Variant, Number(process.argv[4])).catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
} else {
  main();
}
