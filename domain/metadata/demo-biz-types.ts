import { ORDER_STATUS } from '../shop/order-generator';

/**
 * The biz types the embedded default seeds (API.md "Demo shop data"): an order export over the demo
 * shop through each built-in data handler, and three kinds of uploaded files. Definitions are in
 * the admin API's shape and go through the same validation as an admin's PUT.
 */
const ORDER_COLUMNS = [
  { key: 'order_no', header: 'Order No', type: 'string' },
  { key: 'created_at', header: 'Created', type: 'datetime', format: 'yyyy-mm-dd hh:mm:ss' },
  { key: 'paid_at', header: 'Paid', type: 'datetime', format: 'yyyy-mm-dd hh:mm:ss' },
  {
    key: 'status',
    header: 'Status',
    type: 'string',
    dict: Object.fromEntries(Object.entries(ORDER_STATUS).map(([k, v]) => [k, v])),
  },
  { key: 'buyer_name', header: 'Buyer', type: 'string', mask: 'name', restricted: true },
  { key: 'buyer_phone', header: 'Phone', type: 'string', mask: 'phone', restricted: true },
  { key: 'amount', header: 'Amount', type: 'decimal', format: '0.00', restricted: true },
  { key: 'currency', header: 'Currency', type: 'string' },
  { key: 'item_count', header: 'Items', type: 'integer' },
  { key: 'sku', header: 'SKU', type: 'string' },
  { key: 'product_name', header: 'Product', type: 'string' },
  { key: 'shipping_city', header: 'City', type: 'string' },
  { key: 'unit_id', header: 'Store', type: 'string' },
  { key: 'remark', header: 'Remark', type: 'string' },
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
