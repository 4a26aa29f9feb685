import { ORDER_STATUS } from './order-generator';

/**
 * The biz types the embedded default seeds (API.md "Demo shop data"): an order export over the demo
 * shop through each built-in data handler, and three kinds of uploaded files. Definitions are in
 * the admin API's shape and go through the same validation as an admin's PUT. A seeded definition
 * no administrator has changed since is brought up to date on start (services/metadata.service.ts).
 */

/** Headers per locale: zh-CN and en (the plain `header` is the English one). */
const column = (key: string, en: string, zh: string, rest: Record<string, unknown>) => ({
  key,
  header: en,
  headers: { 'zh-CN': zh, en },
  ...rest,
});
const STATUS_ZH: Record<keyof typeof ORDER_STATUS, string> = {
  1: '已支付',
  2: '已发货',
  3: '已签收',
  4: '已退款',
  5: '已取消',
};
const ORDER_COLUMNS = [
  column('order_no', 'Order No', '订单号', { type: 'string' }),
  column('created_at', 'Created', '下单时间', { type: 'datetime', format: 'yyyy-mm-dd hh:mm:ss' }),
  column('paid_at', 'Paid', '支付时间', { type: 'datetime', format: 'yyyy-mm-dd hh:mm:ss' }),
  column('status', 'Status', '状态', {
    type: 'string',
    dict: Object.fromEntries(Object.entries(ORDER_STATUS).map(([k, v]) => [k, v])),
    dicts: { 'zh-CN': STATUS_ZH },
  }),
  column('buyer_name', 'Buyer', '买家', { type: 'string', mask: 'name', restricted: true }),
  column('buyer_phone', 'Phone', '手机号', { type: 'string', mask: 'phone', restricted: true }),
  column('amount', 'Amount', '金额', { type: 'decimal', format: '0.00', restricted: true }),
  column('currency', 'Currency', '币种', { type: 'string' }),
  column('item_count', 'Items', '件数', { type: 'integer' }),
  column('sku', 'SKU', 'SKU', { type: 'string' }),
  column('product_name', 'Product', '商品', { type: 'string' }),
  column('shipping_city', 'City', '城市', { type: 'string' }),
  column('unit_id', 'Store', '门店', { type: 'string' }),
  column('remark', 'Remark', '备注', { type: 'string' }),
];

const ORDER_RULES = {
  formats: ['xlsx', 'csv'],
  maxRows: 5_000_000,
  retentionDays: 7,
  columnPermission: true,
  rowScope: { column: 'unit_id' },
};

export const DEMO_BIZ_TYPES: readonly { code: string; definition: Record<string, unknown> }[] = [
  {
    code: 'order_export',
    definition: {
      name: 'Orders',
      kind: 'EXPORT',
      dataHandler: {
        type: 'sql',
        source: 'shop',
        table: 'orders',
        key: 'id',
        filters: {
          status: { column: 'status', op: 'in', type: 'number' },
          createdFrom: { column: 'created_at', op: '>=', type: 'datetime' },
          createdTo: { column: 'created_at', op: '<', type: 'datetime' },
          city: { column: 'shipping_city', op: '=', type: 'string' },
        },
      },
      columns: ORDER_COLUMNS,
      rules: ORDER_RULES,
    },
  },
  {
    code: 'order_export_api',
    definition: {
      name: 'Orders (through the shop service)',
      kind: 'EXPORT',
      dataHandler: {
        type: 'action',
        action: 'shop.exportOrders',
        filters: {
          status: { op: 'in', type: 'number' },
          createdFrom: { op: '>=', type: 'datetime' },
          createdTo: { op: '<', type: 'datetime' },
        },
      },
      columns: ORDER_COLUMNS,
      rules: ORDER_RULES,
    },
  },
  {
    code: 'invoice',
    definition: {
      name: 'Invoices',
      kind: 'FILE',
      rules: {
        maxSize: 104_857_600,
        contentTypes: ['application/pdf', 'image/png', 'image/jpeg'],
        retentionDays: 365,
      },
    },
  },
  {
    code: 'contract',
    definition: {
      name: 'Contracts',
      kind: 'FILE',
      rules: { maxSize: 52_428_800, contentTypes: ['application/pdf'] },
    },
  },
  { code: 'attachment', definition: { name: 'Attachments (any type)', kind: 'FILE', rules: {} } },
];
