// One export outside the product, in its own process, for Figures 6 and 7 (bench/paper/figures.ts).
// Plain JavaScript run by node directly, so its resident memory carries no TypeScript compiler.
//
//   node bench/paper/export-child.mjs <original|bare> <xlsx|csv> <mysql-url> <idFrom> <idTo> <columns-json> <file>
//
// original: the business process of the paper's original solution: loads every row with one query,
//   builds the whole workbook (exceljs Workbook) or CSV text in memory, then writes it.
// bare: the least a streaming export can do: a mysql2 query stream straight into exceljs's
//   streaming WorkbookWriter (or csv-stringify) to the file, in one process.
// Prints one JSON line: {rows, seconds, bytes, maxRssMb}.
import fs from 'node:fs';
import { once } from 'node:events';
import ExcelJS from 'exceljs';
import mysql from 'mysql2';
import { stringify } from 'csv-stringify';

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

async function bare(conn) {
  const out = fs.createWriteStream(file);
  const stream = conn.query(sql, params).stream({ highWaterMark: 1000 });
  let n = 0;
  if (format === 'xlsx') {
    const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({
      stream: out,
      useStyles: false,
      useSharedStrings: false,
    });
    const sheet = workbook.addWorksheet('Sheet1');
    sheet.addRow(headers).commit();
    for await (const row of stream) {
      sheet.addRow(values(row)).commit();
      n++;
    }
    sheet.commit();
    await workbook.commit();
  } else {
    const csv = stringify({ cast: { date: (d) => d.toISOString() } });
    csv.pipe(out);
    csv.write(headers);
    for await (const row of stream) {
      if (!csv.write(values(row))) await once(csv, 'drain');
      n++;
    }
    csv.end();
    await once(out, 'finish');
  }
  return n;
}

const conn = mysql.createConnection({ uri: url, timezone: 'Z' });
const t0 = process.hrtime.bigint();
const rows = await (mode === 'original' ? original(conn) : bare(conn));
const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
conn.end();
const bytes = fs.statSync(file).size;
fs.rmSync(file, { force: true });
process.stdout.write(
  JSON.stringify({ rows, seconds, bytes, maxRssMb: process.resourceUsage().maxRSS / 1024 }) + '\n',
);
