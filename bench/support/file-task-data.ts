/**
 * The file task data set of the benchmarks: a deterministic, skewed, realistic-looking set of file
 * tasks (bench/file-tasks-list.ts, bench/paper/table3.ts) and its loader (multi-row INSERTs on
 * several connections, with a progress bar).
 */
import cliProgress from 'cli-progress';
import mysql from 'mysql2/promise';
import { mulberry32 } from '../../domain/shared/prng';

const CHUNK = 2000;
export const LOAD_CONNECTIONS = 3;
export const LOAD_CHUNK = CHUNK;
// ---------------------------------------------------------------------------------------------
// The data: a deterministic, skewed, realistic-looking set of file tasks.

export const BIZ_NAMES = [
  'order_export',
  'invoice',
  'contract',
  'payment_export',
  'refund_export',
  'receipt',
  'delivery_note',
  'inventory_export',
  'price_list',
  'member_export',
  'coupon_export',
  'purchase_order',
  'supplier_contract',
  'tax_report',
  'payroll_export',
  'expense_claim',
  'store_report',
  'audit_report',
  'return_export',
  'stock_take',
  'promotion_plan',
  'marketing_asset',
  'training_doc',
  'hr_contract',
  'legal_notice',
  'insurance_policy',
  'asset_register',
  'budget_plan',
  'board_minutes',
  'compliance_cert',
];
// Zipf-like popularity (s = 1.2), with the last biz type made rare on purpose (~0.03 %).
export const BIZ_WEIGHTS = BIZ_NAMES.map((_, i) =>
  i === BIZ_NAMES.length - 1 ? 0.0012 : 1 / (i + 1) ** 1.2,
);
export const BIZ_DOMAIN: Record<string, string> = Object.fromEntries(
  BIZ_NAMES.map((b, i) => [b, ['trade', 'finance', 'hr', 'legal', 'ops'][i % 5] ?? 'trade']),
);
export const isExportBiz = (b: string) => b.endsWith('_export') || b.endsWith('_report');

export const cumulative = (w: readonly number[]) => {
  const total = w.reduce((s, x) => s + x, 0);
  let acc = 0;
  return w.map((x) => (acc += x / total));
};
export const BIZ_CUM = cumulative(BIZ_WEIGHTS);
export const pick = <T>(items: readonly T[], cum: readonly number[], r: number): T => {
  let lo = 0;
  let hi = cum.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (r < (cum[mid] ?? 1)) hi = mid;
    else lo = mid + 1;
  }
  return items[lo];
};

export const FILE_STATUSES = ['SUCCESS', 'EXPIRED'] as const;
export const FILE_STATUS_CUM = cumulative([92, 8]);
export const EXPORT_STATUSES = ['SUCCESS', 'EXPIRED', 'FAILED', 'CANCELLED', 'PENDING', 'EXPORTING'] as const;
export const EXPORT_STATUS_CUM = cumulative([70, 12, 8, 5, 3, 2]);

export const WORDS = [
  'monthly',
  'weekly',
  'daily',
  'quarterly',
  'annual',
  'summary',
  'detail',
  'north',
  'south',
  'east',
  'west',
  'central',
  'draft',
  'final',
  'signed',
  'revised',
  'urgent',
  'archive',
  'q1',
  'q2',
  'q3',
  'q4',
  'customer',
  'vendor',
  'branch',
  'online',
  'offline',
  'wholesale',
  'retail',
  'promo',
  'holiday',
  'backup',
  'scan',
  'copy',
  'original',
  'batch',
  'audit',
  'review',
  'approved',
  'pending',
];

/** 1 root, 8 regions, 60 stores (7-8 per region): `/u-root/u-rN/u-rN-sMM/`. */
export interface Unit {
  id: string;
  path: string;
}
export const ROOT: Unit = { id: 'u-root', path: '/u-root/' };
export const REGIONS: Unit[] = Array.from({ length: 8 }, (_, i) => ({
  id: `u-r${i + 1}`,
  path: `/u-root/u-r${i + 1}/`,
}));
export const STORES: Unit[] = Array.from({ length: 60 }, (_, i) => {
  const r = REGIONS[i % 8];
  const id = `${r.id}-s${String(Math.floor(i / 8) + 1).padStart(2, '0')}`;
  return { id, path: `${r.path}${id}/` };
});
export const UNITS = [ROOT, ...REGIONS, ...STORES];
export const UNIT_PATHS = new Map(UNITS.map((u) => [u.id, u.path]));

/** 5,000 creators: 2 % at the root, 8 % in regions, 90 % in stores. */
export const CREATORS = 5000;
export const creatorId = (i: number) => `user-${String(i).padStart(5, '0')}`;
export const creatorUnit = (i: number): Unit => {
  const r = mulberry32(1_000_003 + i)();
  if (r < 0.02) return ROOT;
  if (r < 0.1) return REGIONS[i % REGIONS.length];
  return STORES[i % STORES.length];
};

export const START = Date.parse('2025-01-01T00:00:00Z');
export const SPAN_MS = 365 * 24 * 3600 * 1000;
/** 26 characters, increasing with time: 13 digits of ms since epoch + 13 digits of sequence. */
export const taskId = (ms: number, seq: number) =>
  `${String(ms).padStart(13, '0')}${String(seq).padStart(13, '0')}`;
export const timeOf = (i: number, n: number) => START + Math.floor((i * SPAN_MS) / n);

export type Row = [
  string,
  string,
  string,
  string,
  string,
  string,
  string,
  string,
  string,
  Date,
  Date,
  string | null,
  number | null,
  string | null,
  string | null,
  number,
];
export const INSERT_COLUMNS =
  'id, kind, biz_type, biz_domain, name, status, created_by, unit_id, unit_path, created_at, updated_at, storage_key, size, sha256, content_type, version';

export function makeRow(i: number, n: number): Row {
  const rnd = mulberry32(i * 2654435761);
  const ms = timeOf(i, n);
  const biz = pick(BIZ_NAMES, BIZ_CUM, rnd());
  const exportKind = isExportBiz(biz);
  // Creator activity skewed: a few very active users, a long tail (density ~ 1/sqrt(rank)).
  const c = Math.min(CREATORS - 1, Math.floor(CREATORS * rnd() ** 2));
  const unit = creatorUnit(c);
  const status = exportKind
    ? pick(EXPORT_STATUSES, EXPORT_STATUS_CUM, rnd())
    : pick(FILE_STATUSES, FILE_STATUS_CUM, rnd());
  const w = () => WORDS[Math.floor(rnd() * WORDS.length)] ?? 'file';
  const month = new Date(ms).toISOString().slice(0, 7);
  const ext = exportKind ? 'xlsx' : ['pdf', 'docx', 'png', 'zip'][Math.floor(rnd() * 4)];
  const name = `${w()} ${w()} ${biz} ${month}.${ext}`;
  const id = taskId(ms, i);
  const hasFile = status === 'SUCCESS';
  const created = new Date(ms);
  return [
    id,
    exportKind ? 'EXPORT' : 'FILE',
    biz,
    BIZ_DOMAIN[biz] ?? 'trade',
    name,
    status,
    creatorId(c),
    unit.id,
    unit.path,
    created,
    new Date(ms + Math.floor(rnd() * 120_000)),
    hasFile ? `tasks/${month}/${id}` : null,
    hasFile ? 1000 + Math.floor(rnd() * 5_000_000) : null,
    hasFile ? (id + id + id).slice(0, 64).padEnd(64, '0') : null,
    hasFile
      ? exportKind
        ? 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'
        : 'application/pdf'
      : null,
    status === 'SUCCESS' || status === 'EXPIRED' ? 3 : 1,
  ];
}

// ---------------------------------------------------------------------------------------------
// Loading.

export async function loadFileTasks(
  url: string,
  n: number,
): Promise<{ seconds: number; rowsPerSecond: number }> {
  const tty = process.stdout.isTTY;
  const bar = tty
    ? new cliProgress.SingleBar(
        { format: 'loading [{bar}] {percentage}% | {value}/{total} rows | {speed} rows/s | eta {eta}s' },
        cliProgress.Presets.shades_classic,
      )
    : null;
  bar?.start(n, 0, { speed: 0 });
  const started = performance.now();
  let next = 0;
  let done = 0;
  let lastLogged = 0;
  const conns = await Promise.all(
    Array.from({ length: LOAD_CONNECTIONS }, () =>
      mysql.createConnection({ uri: url, timezone: 'Z', charset: 'utf8mb4_unicode_ci' }),
    ),
  );
  try {
    await Promise.all(
      conns.map(async (conn) => {
        await conn.query('SET SESSION unique_checks = 0');
        while (next < n) {
          const from = next;
          const to = Math.min(n, from + CHUNK);
          next = to;
          const rows: Row[] = [];
          for (let i = from; i < to; i++) rows.push(makeRow(i, n));
          await conn.query(`INSERT INTO file_tasks (${INSERT_COLUMNS}) VALUES ?`, [rows]);
          done += to - from;
          const speed = Math.round(done / ((performance.now() - started) / 1000));
          if (bar) bar.update(done, { speed });
          else if (done - lastLogged >= n / 10 || done === n) {
            lastLogged = done;
            console.log(`loaded ${done}/${n} rows (${speed} rows/s)`);
          }
        }
      }),
    );
  } finally {
    bar?.stop();
    await Promise.all(conns.map((c) => c.end()));
  }
  const seconds = (performance.now() - started) / 1000;
  return { seconds, rowsPerSecond: Math.round(n / seconds) };
}
