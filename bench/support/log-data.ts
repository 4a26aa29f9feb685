/**
 * The operation log data set of the benchmarks: a deterministic log of 2,000 users (zipf activity)
 * with real hash chaining and search text (bench/logs-search.ts, bench/paper/table3.ts), and its
 * loader (LOAD DATA LOCAL INFILE or multi-row INSERTs on several connections, with a progress bar).
 */
import { Readable } from 'node:stream';
import cliProgress from 'cli-progress';
import mysql from 'mysql2/promise';
import { chainHash, GENESIS_HASH } from '../../domain/operation-log/hash-chain';
import type { DomainEvent } from '../../domain/shared/domain-event';
import { searchTextOf } from '../../mixins/operation-log/log-relay';
import { mulberry32 } from '../../domain/shared/prng';

export interface LoadOptions {
  load: 'infile' | 'insert';
  loadConns: number;
}
// ---------------------------------------------------------------------------------------------
// Deterministic data

export const BENCH_KEY = 'bench-log-chain-key-'.padEnd(40, 'b');
export const SEED = 20260301;
export const START_MS = Date.parse('2025-03-01T00:00:00.000Z');
export const SPAN_MS = 365 * 24 * 3600 * 1000;
export const DAY = 24 * 3600 * 1000;

export const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
/** A ULID-shaped id (time prefix + random), as the real id generator makes them. */
export function ulidAt(ms: number, rnd: () => number): string {
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
export function zipf(n: number, s: number, rnd: () => number): () => number {
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

export const BIZ_TYPES = [
  'ORDER_EXPORT', 'INVOICE', 'CONTRACT', 'PRODUCT_IMAGE', 'BANK_STATEMENT', 'REFUND_REPORT',
  'SETTLEMENT', 'INVENTORY_SNAPSHOT', 'SUPPLIER_CONTRACT', 'CUSTOMER_LIST', 'SHIPMENT_MANIFEST',
  'RETURN_LABEL', 'TAX_RECEIPT', 'PAYOUT_REPORT', 'COUPON_USAGE', 'PRICE_LIST', 'WAREHOUSE_STOCK',
  'PURCHASE_ORDER', 'CREDIT_NOTE', 'AUDIT_TRAIL', 'MARKETING_ASSET', 'SKU_CATALOG', 'LOGISTICS_BILL',
  'MEMBER_POINTS', 'CHARGEBACK', 'DAILY_SALES', 'VAT_DECLARATION', 'STORE_CONTRACT', 'BRAND_LICENSE',
  'CUSTOMS_DECLARATION',
]; // prettier-ignore

export const SYLLABLES = ['ka', 'lo', 'mi', 'ren', 'tor', 'vex', 'sun', 'da', 'pi', 'qua', 'zel', 'nor', 'bri', 'ost', 'fen', 'gar']; // prettier-ignore
export const REGIONS = ['north', 'south', 'east', 'west', 'central', 'overseas'];
export const STATUSES = ['paid', 'shipped', 'refunded', 'cancelled', 'pending'];
export const EXTS: [string, string][] = [
  ['pdf', 'application/pdf'],
  ['xlsx', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'],
  ['jpg', 'image/jpeg'],
  ['png', 'image/png'],
  ['csv', 'text/csv'],
];

/** The benchmark's fixed vocabulary, shared by the loader and the measurements. */
export class World {
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

export interface Target {
  id: string;
  kind: 'FILE' | 'EXPORT';
  owner: string;
  biz: string;
  fileName: string;
}

export type Event = Omit<DomainEvent, 'occurredAt'> & { at: Date };

/** Generates the log in seq order with realistic shapes: targets are created, then acted on. */
export class LogGenerator {
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

export const COLS =
  'seq, id, at, user_id, action, target_type, target_id, biz_type, outcome, detail, request_id, prev_hash, hash, search_text';

export const mysqlDate = (d: Date) => d.toISOString().replace('T', ' ').replace('Z', '');

export function rowValues(g: ReturnType<LogGenerator['next']>): (string | number | null)[] {
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

export const tsvField = (v: string | number | null) =>
  v === null
    ? '\\N'
    : typeof v === 'number'
      ? String(v)
      : v.replace(/[\\\t\n\r]/g, (c) =>
          c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r',
        );

export class Progress {
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

export async function loadRows(
  url: string,
  o: LoadOptions,
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
