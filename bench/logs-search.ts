/**
 * Operation log search benchmark on MySQL/MariaDB (issue "Operation logs"):
 * "with 5,000,000 log rows a user + time-range search answers in under 50 ms at p95 with one
 * client, and a free-text search's cost is reported".
 *
 *   npm run bench:logs -- [--rows 5000000] [--keep] [--fresh] [--db-url mysql://root@127.0.0.1:3306/ftc_bench_logs]
 *                         [--load infile|insert] [--load-conns 3] [--verify]
 *
 * The schema is the real one (the migrations, through acquireMainDatabase), the entries are
 * hash-chained with the real chainHash and carry the relay's searchTextOf, and every search goes
 * through TypeormOperationLogRepository.search + parseLogSearch. Only 127.0.0.1/localhost is accepted.
 */
import 'reflect-metadata';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import mysql from 'mysql2/promise';
import type { DataSource, Logger, QueryRunner } from 'typeorm';
import { parseLogSearch } from '../domain/operation-log/log-search';
import { acquireMainDatabase, releaseMainDatabase } from '../mixins/database/main-database';
import { dropMysqlDatabase } from '../mixins/database/mysql-admin';
import { TypeormOperationLogRepository } from '../mixins/operation-log/log.repository';
import type { DatabaseConfig } from '../mixins/config/app-config';
import { mulberry32 } from '../domain/shared/prng';
import { BENCH_KEY, BIZ_TYPES, DAY, loadRows, SEED, SPAN_MS, START_MS, World } from './support/log-data';

// ---------------------------------------------------------------------------------------------
// Options

interface Options {
  rows: number;
  keep: boolean;
  fresh: boolean;
  dbUrl: string;
  load: 'infile' | 'insert';
  loadConns: number;
  verify: boolean;
}

function parseArgs(argv: string[]): Options {
  const o: Options = {
    rows: 5_000_000,
    keep: false,
    fresh: false,
    dbUrl: 'mysql://root@127.0.0.1:3306/ftc_bench_logs',
    load: 'infile',
    loadConns: 3,
    verify: false,
  };
  let verifySet = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '--rows') o.rows = Number(value().replace(/_/g, ''));
    else if (a === '--keep') o.keep = true;
    else if (a === '--fresh') o.fresh = true;
    else if (a === '--db-url') o.dbUrl = value();
    else if (a === '--load') {
      const v = value();
      if (v !== 'infile' && v !== 'insert') throw new Error('--load is infile or insert');
      o.load = v;
    } else if (a === '--load-conns') o.loadConns = Number(value());
    else if (a === '--verify') {
      o.verify = true;
      verifySet = true;
    } else throw new Error(`unknown option ${a}`);
  }
  if (!Number.isInteger(o.rows) || o.rows < 1000 || o.rows > 50_000_000)
    throw new Error('--rows must be an integer from 1000 to 50,000,000');
  if (!Number.isInteger(o.loadConns) || o.loadConns < 1 || o.loadConns > 8)
    throw new Error('--load-conns must be 1..8');
  const u = new URL(o.dbUrl);
  if (!['127.0.0.1', 'localhost', '[::1]'].includes(u.hostname))
    throw new Error(`the benchmark only talks to a local server, not ${u.hostname}`);
  if (!/^\/[A-Za-z0-9_]+$/.test(u.pathname)) throw new Error('--db-url must name a database');
  // verify() walks the whole chain: cheap on a small table only.
  if (!verifySet) o.verify = o.rows <= 200_000;
  return o;
}

// ---------------------------------------------------------------------------------------------
// Measuring

interface Stat {
  name: string;
  n: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  rows: number;
}

const pct = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];

function stat(name: string, samples: number[], rows: number): Stat {
  const s = [...samples].sort((a, b) => a - b);
  return { name, n: s.length, p50: pct(s, 50), p95: pct(s, 95), p99: pct(s, 99), max: s[s.length - 1], rows };
}

/** Runs `once` (which returns the timed ms values and the number of rows it got) bounded by count and time. */
async function measure(
  name: string,
  once: () => Promise<{ ms: number[]; rows: number }>,
  limits: { n: number; seconds: number; warmup: number },
): Promise<Stat> {
  const warmEnd = Date.now() + 5000;
  for (let i = 0; i < limits.warmup && Date.now() < warmEnd; i++) await once();
  const samples: number[] = [];
  let rows = 0;
  let runs = 0;
  const end = Date.now() + limits.seconds * 1000;
  while (samples.length < limits.n && (samples.length === 0 || Date.now() < end)) {
    const r = await once();
    samples.push(...r.ms);
    rows += r.rows;
    runs++;
  }
  const s = stat(name, samples, Math.round(rows / runs));
  console.log(
    `  ${name.padEnd(44)} n=${String(s.n).padStart(4)} p50=${s.p50.toFixed(2)} p95=${s.p95.toFixed(2)} p99=${s.p99.toFixed(2)} max=${s.max.toFixed(2)} ms`,
  );
  return s;
}

const msSince = (t: bigint) => Number(process.hrtime.bigint() - t) / 1e6;

/** Records the SQL TypeORM sends while `capturing` is on, to EXPLAIN exactly what the repository generates. */
class CapturingLogger implements Logger {
  capturing = false;
  last: { sql: string; params: unknown[] } | null = null;
  logQuery(query: string, parameters?: unknown[], _qr?: QueryRunner): void {
    if (this.capturing && /^\s*SELECT/i.test(query)) this.last = { sql: query, params: parameters ?? [] };
  }
  logQueryError(): void {}
  logQuerySlow(): void {}
  logSchemaBuild(): void {}
  logMigration(): void {}
  log(): void {}
}

interface ExplainRow {
  id: number;
  select_type: string;
  table: string;
  type: string;
  possible_keys: string | null;
  key: string | null;
  key_len: string | null;
  rows: number | string | null;
  Extra: string | null;
}

// ---------------------------------------------------------------------------------------------
// Main

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  const runStart = Date.now();
  const config: DatabaseConfig = { type: 'mysql', url: o.dbUrl };
  const dbName = new URL(o.dbUrl).pathname.slice(1);
  if (o.fresh) {
    console.log(`dropping ${dbName} (--fresh)`);
    await dropMysqlDatabase(o.dbUrl);
  }
  const raw = await mysql.createConnection({ uri: o.dbUrl.replace(/\/[^/]*$/, '/'), timezone: 'Z' });
  await raw.query(
    `CREATE DATABASE IF NOT EXISTS \`${dbName}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`,
  );
  await raw.query(`USE \`${dbName}\``);
  const [[ver]] = await raw.query<mysql.RowDataPacket[]>(
    'SELECT VERSION() AS v, @@innodb_buffer_pool_size AS bp',
  );
  const version = String(ver.v);
  const bufferPoolMb = Math.round(Number(ver.bp) / 1024 / 1024);

  // Existing data: reuse when it already holds enough entries and a consistent head.
  let existing = 0;
  const [tables] = await raw.query<mysql.RowDataPacket[]>("SHOW TABLES LIKE 'operation_logs'");
  if (tables.length) {
    const [[m]] = await raw.query<mysql.RowDataPacket[]>('SELECT MAX(seq) AS s FROM operation_logs');
    const [[h]] = await raw.query<mysql.RowDataPacket[]>('SELECT seq FROM log_chain_head WHERE id = 1');
    existing = Number(m?.s ?? 0);
    if (existing < o.rows || Number(h?.seq) !== existing) {
      if (existing > 0)
        console.log(`${dbName} holds ${existing} entries, fewer than ${o.rows} or unfinished: reloading`);
      await raw.query(`DROP DATABASE \`${dbName}\``);
      await raw.query(`CREATE DATABASE \`${dbName}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
      await raw.query(`USE \`${dbName}\``);
      existing = 0;
    }
  }

  const ds: DataSource = await acquireMainDatabase(config);
  const logger = new CapturingLogger();
  (ds as unknown as { logger: Logger }).logger = logger;
  const md: string[] = [];
  let loadInfo = 'reused an existing load';
  let rows = existing;
  try {
    const world = new World(mulberry32(SEED));
    if (existing === 0) {
      console.log(`loading ${o.rows} entries into ${dbName} (real migrations applied)`);
      const r = await loadRows(o.dbUrl, o, world, o.rows);
      await raw.query('UPDATE log_chain_head SET seq = ?, hash = ? WHERE id = 1', [o.rows, r.lastHash]);
      rows = o.rows;
      const t = Date.now();
      await raw.query('ANALYZE TABLE operation_logs');
      loadInfo = `${o.rows.toLocaleString('en-US')} rows in ${r.seconds.toFixed(1)} s = **${Math.round(r.rate).toLocaleString('en-US')} rows/s** (${o.load === 'infile' ? 'LOAD DATA LOCAL INFILE, 10,000-row chunks' : 'multi-row INSERT, 2,000 rows each'}, ${o.loadConns} connections in parallel, all indexes incl. FULLTEXT in place); ANALYZE TABLE ${((Date.now() - t) / 1000).toFixed(1)} s`;
      console.log(loadInfo);
    } else {
      console.log(`reusing ${dbName}: ${existing} entries`);
      await raw.query('ANALYZE TABLE operation_logs');
    }
    const [[size]] = await raw.query<mysql.RowDataPacket[]>(
      `SELECT ROUND(data_length/1048576) AS data_mb, ROUND(index_length/1048576) AS index_mb
         FROM information_schema.tables WHERE table_schema = ? AND table_name = 'operation_logs'`,
      [dbName],
    );

    const repo = new TypeormOperationLogRepository(ds, BENCH_KEY);
    const rnd = mulberry32(SEED + 7);
    const q = new World(rnd); // same vocabulary, its own random stream for query parameters
    const endMs = START_MS + SPAN_MS;
    const windowOf = (days: number) => {
      const to = START_MS + days * DAY + rnd() * (SPAN_MS - days * DAY);
      return { from: new Date(to - days * DAY).toISOString(), to: new Date(to).toISOString() };
    };
    const user = () => q.users[q.pickUser()];
    const actions = [
      'FILE_UPLOADED', 'FILE_DOWNLOADED', 'DOWNLOAD_URL_ISSUED', 'EXPORT_REQUESTED', 'EXPORT_STARTED',
      'EXPORT_SUCCEEDED', 'EXPORT_FAILED', 'FILE_DELETED', 'EXPORT_CANCELLED', 'PERMISSION_CHANGED',
    ]; // prettier-ignore
    // Target ids to look up: sampled from the table (untimed).
    const targets: string[] = [];
    for (let i = 0; i < 300; i++) {
      const [r] = await raw.query<mysql.RowDataPacket[]>(
        "SELECT target_id FROM operation_logs WHERE seq = ? AND target_type = 'FILE_TASK'",
        [1 + Math.floor(rnd() * rows)],
      );
      if (r[0]) targets.push(String(r[0].target_id));
    }

    const timedSearch = async (raw: Record<string, unknown>) => {
      const t = process.hrtime.bigint();
      const r = await repo.search(parseLogSearch(raw));
      return { ms: msSince(t), r };
    };
    const one = (params: () => Record<string, unknown>) => async () => {
      const { ms, r } = await timedSearch(params());
      return { ms: [ms], rows: r.items.length };
    };

    interface Shape {
      name: string;
      params: () => Record<string, unknown>;
      slow?: boolean;
    }
    const shapes: Shape[] = [
      { name: 'user + 7 days, first page', params: () => ({ userId: user(), ...windowOf(7) }) },
      { name: 'user + 30 days, first page', params: () => ({ userId: user(), ...windowOf(30) }) },
      { name: 'user only, first page', params: () => ({ userId: user() }) },
      { name: 'action + 7 days', params: () => ({ action: actions[Math.floor(rnd() * actions.length)], ...windowOf(7) }) },
      { name: 'biz type + 30 days', params: () => ({ bizType: BIZ_TYPES[q.pickBiz()], ...windowOf(30) }) },
      { name: 'target id', params: () => ({ targetId: targets[Math.floor(rnd() * targets.length)] }) },
      { name: `q common ("${q.commonWord}")`, params: () => ({ q: q.commonWord }), slow: true },
      { name: `q medium ("${q.mediumWord}")`, params: () => ({ q: q.mediumWord }), slow: true },
      { name: `q rare ("${q.rareWord}")`, params: () => ({ q: q.rareWord }), slow: true },
      { name: `q common + 30 days`, params: () => ({ q: q.commonWord, ...windowOf(30) }), slow: true },
      { name: `q rare + 30 days`, params: () => ({ q: q.rareWord, ...windowOf(30) }), slow: true },
      { name: `q common + user`, params: () => ({ q: q.commonWord, userId: user() }), slow: true },
      { name: `q rare + user + 30 days`, params: () => ({ q: q.rareWord, userId: user(), ...windowOf(30) }), slow: true },
    ]; // prettier-ignore

    console.log(`\nmeasuring with one client (${rows} rows)`);
    const stats: Stat[] = [];
    const fast = { n: 200, seconds: 20, warmup: 20 };
    // No warm-up for free text: one common-word query can take most of a minute at 5M rows.
    const slow = { n: 50, seconds: 25, warmup: 0 };
    // (g) the baseline: a primary-key lookup through mysql2 directly.
    const baseline = await measure(
      'baseline: SELECT * … WHERE seq = ? (mysql2)',
      async () => {
        const t = process.hrtime.bigint();
        const [r] = await raw.query<mysql.RowDataPacket[]>('SELECT * FROM operation_logs WHERE seq = ?', [
          1 + Math.floor(rnd() * rows),
        ]);
        return { ms: [msSince(t)], rows: r.length };
      },
      { n: 500, seconds: 20, warmup: 50 },
    );
    stats.push(baseline);
    const explains: { name: string; rows: ExplainRow[]; sql: string }[] = [];
    const explain = async (name: string, run: () => Promise<unknown>) => {
      logger.capturing = true;
      logger.last = null;
      try {
        await run();
      } finally {
        logger.capturing = false;
      }
      if (!logger.last) return;
      const captured: { sql: string; params: unknown[] } = logger.last;
      const [ex] = await raw.query<mysql.RowDataPacket[]>(`EXPLAIN ${captured.sql}`, captured.params);
      explains.push({ name, rows: ex as unknown as ExplainRow[], sql: captured.sql });
    };
    for (const s of shapes.slice(0, 2)) {
      stats.push(await measure(s.name, one(s.params), fast));
      await explain(s.name, () => repo.search(parseLogSearch(s.params())));
    }
    // Next pages through the cursor: page 1 untimed, pages 2..5 timed.
    const pagesOf = async () => {
      const w = windowOf(30);
      const userId = q.users[q.pickUser() % 20]; // one of the 20 busiest users: several pages exist
      let r = await repo.search(parseLogSearch({ userId, ...w }));
      const ms: number[] = [];
      let got = 0;
      for (let p = 2; p <= 5 && r.nextCursor; p++) {
        const t = process.hrtime.bigint();
        r = await repo.search(parseLogSearch({ userId, ...w, cursor: r.nextCursor }));
        ms.push(msSince(t));
        got += r.items.length;
      }
      return { ms, rows: ms.length ? Math.round(got / ms.length) : 0 };
    };
    const pageName = 'user + 30 days, pages 2–5 (cursor)';
    stats.push(await measure(pageName, pagesOf, fast));
    await explain(pageName, async () => {
      const w = windowOf(30);
      const userId = q.users[0];
      const r = await repo.search(parseLogSearch({ userId, ...w }));
      logger.last = null;
      if (r.nextCursor) await repo.search(parseLogSearch({ userId, ...w, cursor: r.nextCursor }));
    });
    for (const s of shapes.slice(2)) {
      stats.push(await measure(s.name, one(s.params), s.slow ? slow : fast));
      await explain(s.name, () => repo.search(parseLogSearch(s.params())));
    }

    // How many entries each free-text word matches (context for its cost).
    const matches: string[] = [];
    for (const word of [q.commonWord, q.mediumWord, q.rareWord]) {
      const t = Date.now();
      const [[c]] = await raw.query<mysql.RowDataPacket[]>(
        'SELECT COUNT(*) AS n FROM operation_logs WHERE MATCH(search_text) AGAINST (? IN BOOLEAN MODE)',
        [`+${word}*`],
      );
      matches.push(
        `"${word}" matches ${Number(c.n).toLocaleString('en-US')} entries (${((100 * Number(c.n)) / rows).toFixed(2)}%; COUNT(*) took ${Date.now() - t} ms)`,
      );
    }

    let verifyLine = `not run (${rows.toLocaleString('en-US')} rows; pass --verify to walk the whole chain)`;
    if (o.verify) {
      const t = Date.now();
      const v = await repo.verify();
      const s = (Date.now() - t) / 1000;
      verifyLine = `${v.ok ? 'ok' : `BROKEN (${v.reason})`}: ${v.checked.toLocaleString('en-US')} entries in ${s.toFixed(1)} s = **${Math.round(v.checked / s).toLocaleString('en-US')} entries/s**`;
      console.log(`verify: ${verifyLine}`);
    }

    // ------------------------------------------------------------------ report
    const cpu = os.cpus();
    const f = (x: number) => (x < 10 ? x.toFixed(2) : x.toFixed(1));
    md.push(
      `# Operation log search benchmark — ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC`,
      '',
    );
    md.push(
      `Machine: ${cpu[0]?.model ?? 'unknown CPU'}, ${cpu.length} cores, ${Math.round(os.totalmem() / 1024 ** 3)} GB RAM, ${os.platform()} ${os.release()}; ` +
        `server ${version} on 127.0.0.1, innodb_buffer_pool_size ${bufferPoolMb} MB; Node ${process.version}.`,
      '',
    );
    md.push(
      `Data: ${rows.toLocaleString('en-US')} entries in \`operation_logs\` (data ${size.data_mb} MB, indexes ${size.index_mb} MB), ` +
        `2,000 users (zipf 1.1), 30 biz types, 12 actions, \`at\` over 12 months (${new Date(START_MS).toISOString().slice(0, 10)} … ${new Date(endMs).toISOString().slice(0, 10)}), real hash chain and search_text.`,
      '',
      `Load: ${loadInfo}.`,
      '',
    );
    md.push(
      '| query (one client, TypeormOperationLogRepository.search) | n | rows/page | p50 ms | p95 ms | p99 ms | max ms | p95 / baseline p95 |',
      '|---|---:|---:|---:|---:|---:|---:|---:|',
    );
    for (const s of stats) {
      md.push(
        `| ${s.name} | ${s.n} | ${s.rows} | ${f(s.p50)} | ${f(s.p95)} | ${f(s.p99)} | ${f(s.max)} | ${(s.p95 / baseline.p95).toFixed(1)}× |`,
      );
    }
    const target = stats.filter((s) => s.name.startsWith('user + '));
    const worst = Math.max(...target.map((s) => s.p95));
    md.push(
      '',
      `Requirement "user + time range under 50 ms at p95": worst p95 ${f(worst)} ms → **${worst < 50 ? 'met' : 'NOT met'}**.`,
      '',
      `Free text: ${matches.join('; ')}.`,
      '',
      `verify(): ${verifyLine}.`,
      '',
      '## EXPLAIN of the SQL the repository generated',
      '',
      '| query | table access | key | rows (estimate) | Extra |',
      '|---|---|---|---:|---|',
    );
    for (const e of explains) {
      for (const r of e.rows) {
        md.push(
          `| ${e.name} | ${r.type} | ${r.key ?? '—'} | ${r.rows ?? ''} | ${(r.Extra ?? '').replace(/\|/g, '\\|')} |`,
        );
      }
    }
    md.push('', 'SQL of the user + time range shape:', '', '```sql', explains[0]?.sql ?? '', '```', '');
    const text = md.join('\n');
    console.log(`\n${text}`);
    const dir = path.join(__dirname, 'results');
    fs.mkdirSync(dir, { recursive: true });
    const file = path.join(dir, `logs-search-${new Date().toISOString().slice(0, 10)}.md`);
    fs.writeFileSync(file, text);
    console.log(
      `written to ${path.relative(process.cwd(), file)} (total ${((Date.now() - runStart) / 1000).toFixed(0)} s)`,
    );
  } finally {
    await raw.end();
    await releaseMainDatabase(config);
    if (!o.keep) {
      console.log(`dropping ${dbName} (pass --keep to reuse the load next time)`);
      await dropMysqlDatabase(o.dbUrl);
    }
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
