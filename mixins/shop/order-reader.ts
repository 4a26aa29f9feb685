import type { DataSource, SelectQueryBuilder } from 'typeorm';
import { ORDER_COLUMN_KEYS, type OrderRow, type OrderStatus } from '../demo/order-generator';
import { OrderSchema, type OrderEntity } from './shop.schema';
import { ShopErrors } from '../../domain/shop/shop.errors';

/**
 * Filters of the order_export biz type. An absent filter does not filter; an EMPTY list matches
 * nothing, so a row scope that resolved to no units can never widen into "every unit".
 */
export interface OrderFilters {
  status?: number[];
  /** Inclusive lower bound on created_at. */
  createdFrom?: Date | string;
  /** Exclusive upper bound on created_at: [createdFrom, createdTo) tiles without overlap. */
  createdTo?: Date | string;
  unitIds?: string[];
}

export interface ReadOrdersQuery {
  /** Rows with id > afterId; 0 starts at the beginning. */
  afterId: number;
  /** Rows with id <= toId: the end of a chunk's key range. Absent: to the last row. */
  toId?: number;
  /** 1..10,000 rows per batch. */
  limit: number;
  filters?: OrderFilters;
}

export interface OrderPage {
  /** In id order, shaped exactly like the generator's rows (ISO dates, amount as "0.00" text). */
  rows: OrderRow[];
  /** The afterId of the next batch, or null when the range is exhausted. */
  nextCursor: number | null;
}

export const MAX_READ_LIMIT = 10_000;

/**
 * One keyset batch: `WHERE id > :afterId [AND filters] ORDER BY id LIMIT :limit`, never OFFSET, so
 * every batch costs the same however deep the cursor is. All values are bound parameters.
 * A batch shorter than `limit` ends the range; a full one may be followed by an empty last batch.
 */
export async function readOrders(ds: DataSource, query: ReadOrdersQuery): Promise<OrderPage> {
  const afterId = nonNegativeInt('afterId', query.afterId);
  const limit = query.limit;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_READ_LIMIT) {
    throw ShopErrors.invalidLimit(MAX_READ_LIMIT, limit);
  }
  const qb = filtered(ds, query.filters ?? {}).andWhere('o.id > :afterId', { afterId });
  if (query.toId !== undefined) qb.andWhere('o.id <= :toId', { toId: nonNegativeInt('toId', query.toId) });
  for (const key of ORDER_COLUMN_KEYS) qb.addSelect(`o.${key}`, key);
  const raw = await qb.orderBy('o.id', 'ASC').limit(limit).getRawMany<RawOrder>();
  const rows = raw.map(toOrderRow);
  return { rows, nextCursor: rows.length === limit ? rows[rows.length - 1].id : null };
}

/** How many orders match, for progress and for the export's row limit check. */
export async function countOrders(ds: DataSource, filters: OrderFilters = {}): Promise<number> {
  const row = await filtered(ds, filters).select('COUNT(*)', 'n').getRawOne<{ n: number | string }>();
  return Number(row?.n ?? 0);
}

/** The key range of the matching orders, for planning chunks by key range; null when none match. */
export async function minMaxId(
  ds: DataSource,
  filters: OrderFilters = {},
): Promise<{ min: number; max: number } | null> {
  const row = await filtered(ds, filters)
    .select('MIN(o.id)', 'min')
    .addSelect('MAX(o.id)', 'max')
    .getRawOne<{ min: number | string | null; max: number | string | null }>();
  if (row?.min === null || row?.min === undefined || row.max === null) return null;
  return { min: Number(row.min), max: Number(row.max) };
}

function filtered(ds: DataSource, f: OrderFilters): SelectQueryBuilder<OrderEntity> {
  const qb = ds.createQueryBuilder(OrderSchema, 'o').select([]);
  if (f.status !== undefined) {
    const status = f.status.map((s) => nonNegativeInt('status', s));
    if (status.length === 0) qb.andWhere('1 = 0');
    else qb.andWhere('o.status IN (:...status)', { status });
  }
  if (f.unitIds !== undefined) {
    if (f.unitIds.length === 0) qb.andWhere('1 = 0');
    else qb.andWhere('o.unit_id IN (:...unitIds)', { unitIds: f.unitIds.map(String) });
  }
  // Date parameters: each driver formats them as it stores datetimes (UTC, milliseconds).
  if (f.createdFrom !== undefined)
    qb.andWhere('o.created_at >= :createdFrom', { createdFrom: toDate('createdFrom', f.createdFrom) });
  if (f.createdTo !== undefined)
    qb.andWhere('o.created_at < :createdTo', { createdTo: toDate('createdTo', f.createdTo) });
  return qb;
}

function nonNegativeInt(name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) {
    throw ShopErrors.invalidFilter(name, `${name} must be a non-negative integer`, v);
  }
  return v;
}

function toDate(name: string, v: Date | string): Date {
  const d = v instanceof Date ? v : new Date(v);
  if (Number.isNaN(d.getTime())) {
    throw ShopErrors.invalidFilter(name, `${name} must be a date`, String(v));
  }
  return d;
}

type RawValue = string | number | Date | null;
type RawOrder = Record<string, RawValue>;

/**
 * Raw values differ by engine: mysql2 gives BIGINT and DECIMAL as strings and DATETIME as a Date;
 * SQLite gives numbers (so 12.30 arrives as 12.3) and datetimes as 'YYYY-MM-DD HH:MM:SS.SSS' text
 * in UTC. Both become the generator's shape, so the two engines read back identical rows.
 */
function toOrderRow(r: RawOrder): OrderRow {
  return {
    id: Number(r.id),
    order_no: String(r.order_no),
    created_at: isoDate(r.created_at)!,
    paid_at: isoDate(r.paid_at),
    status: Number(r.status) as OrderStatus,
    buyer_name: String(r.buyer_name),
    buyer_phone: String(r.buyer_phone),
    amount: typeof r.amount === 'number' ? r.amount.toFixed(2) : String(r.amount),
    currency: String(r.currency),
    item_count: Number(r.item_count),
    sku: String(r.sku),
    product_name: String(r.product_name),
    shipping_city: String(r.shipping_city),
    unit_id: String(r.unit_id),
    remark: r.remark === null || r.remark === undefined ? null : String(r.remark),
  };
}

function isoDate(v: RawValue | undefined): string | null {
  if (v === null || v === undefined) return null;
  if (v instanceof Date) return v.toISOString();
  const s = String(v);
  return new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(s) ? s : `${s.replace(' ', 'T')}Z`).toISOString();
}
