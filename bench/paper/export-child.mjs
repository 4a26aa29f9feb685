// One export outside the product, in its own process, for Figures 6 and 7 (bench/paper/figures.ts).
// Plain JavaScript run by node directly, so its resident memory carries no TypeScript compiler.
//
//   node bench/paper/export-child.mjs <original|bare> <xlsx|csv> <mysql-url|sqlite:file> <idFrom> <idTo> <columns-json> <file>
//
// original: the business process of the paper's original solution: loads every row with one query,
//   builds the whole workbook (exceljs Workbook) or CSV text in memory, then writes it.
// bare: the least a streaming export doing the same work can do: a mysql2 query stream, each row's
//   cells made by the product's own cell formatter (dist/domain/exports/cell-format.js: types,
//   dictionaries, masks, formula neutralisation), into exceljs's streaming WorkbookWriter (one shared
//   style per formatted column, as the product writes them) or csv-stringify, in one process. It
//   respects back-pressure as the product does (waits every 500 rows while the sheet's zip entry
//   input is full), so its memory is comparable: without that exceljs buffers the file (~790 MB
//   at 1M rows; until 2026-12-04 the check read a getter archiver's stream lacks and never waited).
//   `columns-json` is the biz type's validated column list.
// Prints one JSON line: {rows, seconds, cpuSeconds, bytes, maxRssMb} (cpuSeconds: user + system, the
// whole process, start-up included).
import fs from 'node:fs';
import { once } from 'node:events';
import ExcelJS from 'exceljs';
import mysql from 'mysql2';
import { stringify } from 'csv-stringify';
import { createRequire } from 'node:module';

// The product's cell formatter, compiled (the paper benchmarks build dist/ before they run). With
// --tsx they build nothing: they start this child under tsx with FTC_CELL_FORMAT_SOURCE=1 and it
// takes the TypeScript source instead (a dist/ left from another tree would be stale or missing).
const { compileRowFormatter } = createRequire(import.meta.url)(
  process.env.FTC_CELL_FORMAT_SOURCE === '1'
    ? '../../domain/exports/cell-format.ts'
    : '../../dist/domain/exports/cell-format.js',
);

const [mode, format, url, from, to, columnsJson, file] = process.argv.slice(2);
const columns = JSON.parse(columnsJson);
const sql = `SELECT ${columns.map((c) => `\`${c.key}\``).join(', ')} FROM orders WHERE id >= ? AND id < ? ORDER BY id`;
const params = [Number(from), Number(to)];
const headers = columns.map((c) => c.header);
const values = (row) => columns.map((c) => row[c.key]);

async function original(conn) {
  const [rows] = await conn.promise().query(sql, params);
  if (format === 'xlsx') {
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('Sheet1');
    sheet.addRow(headers);
    for (const row of rows) sheet.addRow(values(row));
    fs.writeFileSync(file, Buffer.from(await workbook.xlsx.writeBuffer()));
  } else {
    const quote = (v) => {
      const s = v instanceof Date ? v.toISOString() : v === null || v === undefined ? '' : String(v);
      return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
    };
    const text = [headers, ...rows.map(values)].map((r) => r.map(quote).join(',')).join('\r\n');
    fs.writeFileSync(file, text + '\r\n');
  }
  return rows.length;
}

const DRAIN_EVERY = 500;
const NUMBER_FORMATS = { date: 'yyyy-mm-dd', datetime: 'yyyy-mm-dd hh:mm:ss' };

/** The rows in id order: a mysql2 query stream, or better-sqlite3's row iterator for `sqlite:<file>`. */
function source(conn) {
  if (conn) return conn.query(sql, params).stream({ highWaterMark: 1000 });
  const db = new (createRequire(import.meta.url)('better-sqlite3'))(url.slice('sqlite:'.length), {
    readonly: true,
  });
  return db.prepare(sql.replace(/`/g, '"')).iterate(...params);
}

async function bare(conn) {
  const out = fs.createWriteStream(file);
  const stream = source(conn);
  const cellsOf = compileRowFormatter(columns);
  let n = 0;
  if (format === 'xlsx') {
    const formats = columns.map((c) => c.format ?? NUMBER_FORMATS[c.type]);
    const useStyles = formats.some((f) => f !== undefined);
    const plain = {};
    const styles = formats.map((numFmt) => (numFmt === undefined ? plain : { numFmt }));
    const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({
      stream: out,
      useStyles,
      useSharedStrings: false,
    });
    const sheet = workbook.addWorksheet('Sheet1');
    sheet.addRow(headers).commit();
    for await (const row of stream) {
      const cells = cellsOf(row);
      const r = sheet.addRow(cells);
      if (useStyles)
        for (let i = 0; i < cells.length; i++) if (cells[i] !== null) r.getCell(i + 1).style = styles[i];
      r.commit();
      if (++n % DRAIN_EVERY === 0) {
        // exceljs's StreamBuf for the sheet pipes into archiver's input for this zip entry: a
        // readable-stream@2 PassThrough (archiver-utils), which has no `writableNeedDrain` getter,
        // so its own `_writableState.needDrain` is what says it is full (as the product's
        // output-watch.ts reads it). Checking `writableNeedDrain` alone never waited: 811 MB.
        const entry = sheet.stream.pipes?.[0];
        if (entry && (entry.writableNeedDrain ?? entry._writableState?.needDrain)) await once(entry, 'drain');
      }
    }
    sheet.commit();
    await workbook.commit();
  } else {
    const csv = stringify({ cast: { date: (d) => d.toISOString() } });
    csv.pipe(out);
    csv.write(headers);
    for await (const row of stream) {
      if (!csv.write(cellsOf(row))) await once(csv, 'drain');
      n++;
    }
    csv.end();
    await once(out, 'finish');
  }
  return n;
}

const conn = url.startsWith('sqlite:') ? null : mysql.createConnection({ uri: url, timezone: 'Z' });
const t0 = process.hrtime.bigint();
const rows = await (mode === 'original' ? original(conn) : bare(conn));
const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
conn?.end();
const bytes = fs.statSync(file).size;
fs.rmSync(file, { force: true });
process.stdout.write(
  JSON.stringify({
    rows,
    seconds,
    cpuSeconds: (process.cpuUsage().user + process.cpuUsage().system) / 1e6,
    bytes,
    maxRssMb: process.resourceUsage().maxRSS / 1024,
  }) + '\n',
);
