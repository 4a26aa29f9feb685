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
 * through OperationLogRepository.search + parseLogSearch. Only 127.0.0.1/localhost is accepted.
 */
import 'reflect-metadata';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import cliProgress from 'cli-progress';
import mysql from 'mysql2/promise';
import type { DataSource, Logger, QueryRunner } from 'typeorm';
import { chainHash, GENESIS_HASH } from '../domain/operation-log/hash-chain';
import { parseLogSearch } from '../domain/operation-log/log-search';
import type { DomainEvent } from '../domain/shared/domain-event';
import { acquireMainDatabase, releaseMainDatabase } from '../mixins/database/main-database';
import { dropMysqlDatabase } from '../mixins/database/mysql-admin';
import { searchTextOf } from '../mixins/operation-log/log-relay';
import { OperationLogRepository } from '../mixins/operation-log/log.repository';
import type { DatabaseConfig } from '../mixins/config/app-config';
import { mulberry32 } from '../domain/shared/prng';

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
// Deterministic data

const BENCH_KEY = 'bench-log-chain-key-'.padEnd(40, 'b');
const SEED = 20260301;
const START_MS = Date.parse('2025-03-01T00:00:00.000Z');
const SPAN_MS = 365 * 24 * 3600 * 1000;
const DAY = 24 * 3600 * 1000;

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
/** A ULID-shaped id (time prefix + random), as the real id generator makes them. */
function ulidAt(ms: number, rnd: () => number): string {
  let s = '';
  let t = ms;
  for (let i = 0; i < 10; i++) {
    s = CROCKFORD[t % 32] + s;
    t = Math.floor(t / 32);
  }
  for (let i = 0; i < 16; i++) s += CROCKFORD[Math.floor(rnd() * 32)];
  return s;
}

/** Samples ranks 0..n-1 with P(k) ~ 1/(k+1)^s. */
function zipf(n: number, s: number, rnd: () => number): () => number {
  const cdf = new Float64Array(n);
  let sum = 0;
  for (let k = 0; k < n; k++) cdf[k] = sum += 1 / Math.pow(k + 1, s);
  for (let k = 0; k < n; k++) cdf[k] /= sum;
  return () => {
    const u = rnd();
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cdf[mid] < u) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
}

const BIZ_TYPES = [
  'ORDER_EXPORT', 'INVOICE', 'CONTRACT', 'PRODUCT_IMAGE', 'BANK_STATEMENT', 'REFUND_REPORT',
  'SETTLEMENT', 'INVENTORY_SNAPSHOT', 'SUPPLIER_CONTRACT', 'CUSTOMER_LIST', 'SHIPMENT_MANIFEST',
  'RETURN_LABEL', 'TAX_RECEIPT', 'PAYOUT_REPORT', 'COUPON_USAGE', 'PRICE_LIST', 'WAREHOUSE_STOCK',
  'PURCHASE_ORDER', 'CREDIT_NOTE', 'AUDIT_TRAIL', 'MARKETING_ASSET', 'SKU_CATALOG', 'LOGISTICS_BILL',
  'MEMBER_POINTS', 'CHARGEBACK', 'DAILY_SALES', 'VAT_DECLARATION', 'STORE_CONTRACT', 'BRAND_LICENSE',
  'CUSTOMS_DECLARATION',
]; // prettier-ignore

const SYLLABLES = ['ka', 'lo', 'mi', 'ren', 'tor', 'vex', 'sun', 'da', 'pi', 'qua', 'zel', 'nor', 'bri', 'ost', 'fen', 'gar']; // prettier-ignore
const REGIONS = ['north', 'south', 'east', 'west', 'central', 'overseas'];
const STATUSES = ['paid', 'shipped', 'refunded', 'cancelled', 'pending'];
const EXTS: [string, string][] = [
  ['pdf', 'application/pdf'],
  ['xlsx', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'],
  ['jpg', 'image/jpeg'],
  ['png', 'image/png'],
  ['csv', 'text/csv'],
];

/** The benchmark's fixed vocabulary, shared by the loader and the measurements. */
class World {
  readonly users: string[];
  readonly customers: string[];
  readonly pickUser: () => number;
  readonly pickCustomer: () => number;
  readonly pickBiz: () => number;
  /** The word searched as "common" (an export filter value on ~1 in 6 entries) and "rare". */
  readonly commonWord = 'xlsx';
  readonly mediumWord = 'paid';
  readonly rareWord: string;

  constructor(readonly rnd: () => number) {
    const ur = mulberry32(SEED + 1);
    this.users = Array.from({ length: 2000 }, (_, i) => ulidAt(START_MS - DAY * 400 + i * 60_000, ur));
    const seen = new Set<string>();
    this.customers = [];
    while (this.customers.length < 800) {
      const w = Array.from({ length: 3 }, () => SYLLABLES[Math.floor(ur() * SYLLABLES.length)]).join('');
      // Unique and not a prefix of another name, so a prefix search finds one customer only.
      if (!seen.has(w)) {
        seen.add(w);
        this.customers.push(`${w}co`);
      }
    }
    this.pickUser = zipf(this.users.length, 1.1, rnd);
    this.pickCustomer = zipf(this.customers.length, 1.0, rnd);
    this.pickBiz = zipf(BIZ_TYPES.length, 0.8, rnd);
    this.rareWord = this.customers[700];
  }
}

interface Target {
  id: string;
  kind: 'FILE' | 'EXPORT';
  owner: string;
  biz: string;
  fileName: string;
}

type Event = Omit<DomainEvent, 'occurredAt'> & { at: Date };

/** Generates the log in seq order with realistic shapes: targets are created, then acted on. */
class LogGenerator {
  private readonly ring: Target[] = [];
  private ringPos = 0;
  private seq = 0;
  private prevHash = GENESIS_HASH;

  constructor(
    private readonly w: World,
    private readonly total: number,
  ) {}

  get lastHash(): string {
    return this.prevHash;
  }

  private chance(p: number): boolean {
    return this.w.rnd() < p;
  }

  private pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.w.rnd() * xs.length)];
  }

  private newTarget(atMs: number): Target {
    const w = this.w;
    const biz = BIZ_TYPES[w.pickBiz()];
    const kind = this.chance(0.55) ? 'FILE' : 'EXPORT';
    const customer = w.customers[w.pickCustomer()];
    const month = new Date(atMs).toISOString().slice(0, 7);
    const ext = kind === 'EXPORT' ? 'xlsx' : this.pick(EXTS)[0];
    const t: Target = {
      id: ulidAt(atMs, w.rnd),
      kind,
      owner: w.users[w.pickUser()],
      biz,
      fileName: `${biz.toLowerCase().replace(/_/g, '-')}-${month}-${customer}.${ext}`,
    };
    if (this.ring.length < 20_000) this.ring.push(t);
    else this.ring[this.ringPos++ % this.ring.length] = t;
    return t;
  }

  next(): { e: Event; seq: number; prevHash: string; hash: string } {
    const w = this.w;
    const seq = ++this.seq;
    // Strictly increasing with seq, ~6 s apart at 5M rows, over 12 months.
    const atMs = START_MS + Math.floor(((seq - 1) * SPAN_MS) / this.total);
    const at = new Date(atMs);
    const r = w.rnd();
    let e: Omit<Event, 'id' | 'at' | 'requestId' | 'outcome'> & { outcome?: 'SUCCESS' | 'FAILURE' };
    if (r < 0.03) {
      const biz = BIZ_TYPES[w.pickBiz()];
      e = {
        type: this.chance(0.5) ? 'PERMISSION_CHANGED' : 'METADATA_UPDATED',
        userId: w.users[w.pickUser() % 50],
        targetType: 'BIZ_TYPE',
        targetId: biz,
        bizType: biz,
        detail: { changed: ['columns', 'roles'].slice(0, 1 + Math.floor(w.rnd() * 2)), note: 'admin change' },
      };
    } else if (r < 0.36 || this.ring.length < 100) {
      const t = this.newTarget(atMs);
      const customer = t.fileName.split('-').pop()!.split('.')[0];
      e =
        t.kind === 'FILE'
          ? {
              type: 'FILE_UPLOADED',
              userId: t.owner,
              targetType: 'FILE_TASK',
              targetId: t.id,
              bizType: t.biz,
              detail: {
                fileName: t.fileName,
                size: Math.floor(w.rnd() * 20_000_000),
                contentType: EXTS.find(([x]) => t.fileName.endsWith(x))![1],
                customer,
              },
            }
          : {
              type: 'EXPORT_REQUESTED',
              userId: t.owner,
              targetType: 'FILE_TASK',
              targetId: t.id,
              bizType: t.biz,
              detail: {
                format: 'xlsx',
                fileName: t.fileName,
                filters: {
                  status: this.pick(STATUSES),
                  region: this.pick(REGIONS),
                  month: t.fileName.split('-').slice(-3, -1).join('-'),
                  customer,
                },
              },
            };
    } else {
      const t = this.ring[Math.floor(w.rnd() * this.ring.length)];
      const byOwner = this.chance(0.8) ? t.owner : w.users[w.pickUser()];
      const rr = w.rnd();
      let type: string;
      let userId: string | null = byOwner;
      let detail: Record<string, unknown> = { fileName: t.fileName };
      let outcome: 'SUCCESS' | 'FAILURE' = 'SUCCESS';
      if (t.kind === 'FILE') {
        if (rr < 0.5) type = 'FILE_DOWNLOADED';
        else if (rr < 0.95) {
          type = 'DOWNLOAD_URL_ISSUED';
          detail = { fileName: t.fileName, ttlSeconds: 300 };
        } else type = 'FILE_DELETED';
      } else if (rr < 0.2) {
        type = 'EXPORT_STARTED';
        userId = null;
        detail = { fileName: t.fileName, attempt: 1, node: `export-${Math.floor(w.rnd() * 4)}` };
      } else if (rr < 0.45) {
        type = 'EXPORT_SUCCEEDED';
        userId = null;
        detail = { fileName: t.fileName, rows: Math.floor(w.rnd() * 2_000_000), format: 'xlsx' };
      } else if (rr < 0.5) {
        type = 'EXPORT_FAILED';
        userId = null;
        outcome = 'FAILURE';
        detail = { fileName: t.fileName, reason: 'data source timeout', attempt: 1 };
      } else if (rr < 0.75) {
        type = 'DOWNLOAD_URL_ISSUED';
        detail = { fileName: t.fileName, ttlSeconds: 300 };
      } else if (rr < 0.97) type = 'FILE_DOWNLOADED';
      else if (rr < 0.99) type = 'EXPORT_CANCELLED';
      else {
        type = 'EXPORT_EXPIRED';
        userId = null;
      }
      e = { type, userId, targetType: 'FILE_TASK', targetId: t.id, bizType: t.biz, detail, outcome };
    }
    const full: Event = {
      id: ulidAt(atMs, w.rnd),
      at,
      outcome: e.outcome ?? 'SUCCESS',
      requestId: e.userId && this.chance(0.9) ? `req-${ulidAt(atMs, w.rnd).slice(10)}` : null,
      type: e.type,
      userId: e.userId,
      targetType: e.targetType,
      targetId: e.targetId,
      bizType: e.bizType,
      detail: e.detail,
    };
    const prevHash = this.prevHash;
    const hash = chainHash(BENCH_KEY, prevHash, {
      id: full.id,
      seq,
      at,
      userId: full.userId,
      action: full.type,
      targetType: full.targetType,
      targetId: full.targetId,
      bizType: full.bizType,
      outcome: full.outcome,
      detail: full.detail,
      requestId: full.requestId,
    });
    this.prevHash = hash;
    return { e: full, seq, prevHash, hash };
  }
}

// ---------------------------------------------------------------------------------------------
// Loading

const COLS =
  'seq, id, at, user_id, action, target_type, target_id, biz_type, outcome, detail, request_id, prev_hash, hash, search_text';

const mysqlDate = (d: Date) => d.toISOString().replace('T', ' ').replace('Z', '');

function rowValues(g: ReturnType<LogGenerator['next']>): (string | number | null)[] {
  const e = g.e;
  return [
    g.seq,
    e.id,
    mysqlDate(e.at),
    e.userId,
    e.type,
    e.targetType,
    e.targetId,
    e.bizType,
    e.outcome,
    JSON.stringify(e.detail),
    e.requestId,
    g.prevHash,
    g.hash,
    searchTextOf({ ...e, occurredAt: e.at }),
  ];
}

const tsvField = (v: string | number | null) =>
  v === null
    ? '\\N'
    : typeof v === 'number'
      ? String(v)
      : v.replace(/[\\\t\n\r]/g, (c) =>
          c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r',
        );

class Progress {
  private bar: cliProgress.SingleBar | null = null;
  private lastLine = 0;
  private readonly t0 = Date.now();

  constructor(
    private readonly total: number,
    private readonly label: string,
  ) {
    if (process.stdout.isTTY) {
      this.bar = new cliProgress.SingleBar(
        {
          format: `${label} [{bar}] {percentage}% {value}/{total} rows | {rate} rows/s | ETA {eta_formatted}`,
        },
        cliProgress.Presets.shades_classic,
      );
      this.bar.start(total, 0, { rate: 0 });
    }
  }

  update(done: number): void {
    const rate = Math.round(done / Math.max(0.001, (Date.now() - this.t0) / 1000));
    if (this.bar) this.bar.update(done, { rate });
    else if (Date.now() - this.lastLine > 10_000 || done === this.total) {
      this.lastLine = Date.now();
      console.log(
        `${this.label}: ${done}/${this.total} (${((100 * done) / this.total).toFixed(1)}%), ${rate} rows/s`,
      );
    }
  }

  stop(): void {
    this.bar?.stop();
  }
}

async function loadRows(
  url: string,
  o: Options,
  w: World,
  rows: number,
): Promise<{ seconds: number; rate: number; lastHash: string }> {
  const gen = new LogGenerator(w, rows);
  const chunkRows = o.load === 'infile' ? 10_000 : 2_000;
  let produced = 0;
  let loaded = 0;
  const progress = new Progress(rows, `load (${o.load}, ${o.loadConns} conns)`);
  const t0 = Date.now();
  // Generation is synchronous and sequential (the hash chain); while one connection waits on the
  // server, the next chunk is generated for another one.
  const nextChunk = (): (string | number | null)[][] | null => {
    if (produced >= rows) return null;
    const n = Math.min(chunkRows, rows - produced);
    const out: (string | number | null)[][] = new Array<(string | number | null)[]>(n);
    for (let i = 0; i < n; i++) out[i] = rowValues(gen.next());
    produced += n;
    return out;
  };
  const deadline = Date.now() + 60 * 60 * 1000;
  const worker = async () => {
    const conn = await mysql.createConnection({ uri: url, timezone: 'Z', charset: 'utf8mb4_unicode_ci' });
    try {
      await conn.query('SET SESSION unique_checks = 0, foreign_key_checks = 0');
      for (;;) {
        if (Date.now() > deadline) throw new Error('load took over an hour: stopped');
        const chunk = nextChunk();
        if (!chunk) break;
        if (o.load === 'infile') {
          const body = chunk.map((r) => r.map(tsvField).join('\t')).join('\n') + '\n';
          await conn.query({
            sql: `LOAD DATA LOCAL INFILE 'bench-chunk' INTO TABLE operation_logs CHARACTER SET utf8mb4
                  FIELDS TERMINATED BY '\\t' ESCAPED BY '\\\\' LINES TERMINATED BY '\\n' (${COLS})`,
            infileStreamFactory: () => Readable.from([Buffer.from(body, 'utf8')]),
          });
        } else {
          await conn.query(`INSERT INTO operation_logs (${COLS}) VALUES ?`, [chunk]);
        }
        loaded += chunk.length;
        progress.update(loaded);
      }
    } finally {
      await conn.end();
    }
  };
  try {
    await Promise.all(Array.from({ length: o.loadConns }, worker));
  } finally {
    progress.stop();
  }
  const seconds = (Date.now() - t0) / 1000;
  return { seconds, rate: rows / seconds, lastHash: gen.lastHash };
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

    const repo = new OperationLogRepository(ds, BENCH_KEY);
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
      '| query (one client, OperationLogRepository.search) | n | rows/page | p50 ms | p95 ms | p99 ms | max ms | p95 / baseline p95 |',
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
