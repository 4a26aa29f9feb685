import type { Context, ServiceSchema } from 'moleculer';
import type { AppConfig } from '../mixins/config/app-config';
import { errorsMixin } from '../mixins/errors/error-mapper';
import { openShopDatabase } from '../mixins/shop/shop-database';
import { adapterMixin } from '../mixins/lifecycle/adapter.mixin';
import { seedOrders } from '../mixins/shop/order-seeder';
import { countOrders, readOrders } from '../mixins/shop/order-reader';
import type { ActionBatchParams } from '../mixins/export-pipeline/data-handlers/action.handler';

interface OrdersParams {
  afterId?: number;
  limit?: number;
  filters?: { status?: number[]; createdFrom?: string; createdTo?: string; unitIds?: string[] };
}

/**
 * The demo shop: a business service with its own database, as a real e-commerce system would be.
 * Its `orders` action answers batches by cursor ({rows, nextCursor}), the shape the export
 * pipeline's `action` data handler consumes. On the first start of the embedded default it
 * generates the demo orders (DEMO_ORDERS, default 100,000).
 */
export function shopService(config: AppConfig): ServiceSchema {
  // The shop's own database (not the records database): opened here, closed when the service stops.
  const shopDb = adapterMixin(
    'the shop database',
    () => openShopDatabase(config.shopDatabase),
    async (db) => {
      if (db.isInitialized) await db.destroy();
    },
  );
  return {
    name: 'shop',
    mixins: [errorsMixin, shopDb.mixin],
    settings: { rest: '/' },
    // The demo business system's raw data (buyer names and phones unmasked, any row scope the
    // caller names): only File Task Center's own export work reads it, as the system principal.

    actions: {
      orders: {
        visibility: 'public',
        auth: 'system',
        params: {
          afterId: { type: 'number', integer: true, min: 0, optional: true, convert: true },
          limit: { type: 'number', integer: true, min: 1, max: 10_000, optional: true, convert: true },
          filters: {
            type: 'object',
            optional: true,
            strict: 'remove',
            props: {
              status: { type: 'array', items: 'number|integer', optional: true, max: 20 },
              createdFrom: { type: 'date', convert: true, optional: true },
              createdTo: { type: 'date', convert: true, optional: true },
              unitIds: { type: 'array', items: 'string|max:64', optional: true, max: 1000 },
            },
          },
        },
        handler(ctx: Context<OrdersParams>) {
          return readOrders(shopDb.get(), {
            afterId: ctx.params.afterId ?? 0,
            limit: ctx.params.limit ?? 1000,
            filters: ctx.params.filters ?? {},
          });
        },
      },
      /**
       * The `action` data handler protocol (order_export_api): one batch by cursor, with the
       * requester's row scope applied here by the business service that owns the data.
       */
      exportOrders: {
        visibility: 'public',
        auth: 'system',
        async handler(ctx: Context<ActionBatchParams>) {
          const p = ctx.params;
          const f = p.filters;
          const page = await readOrders(shopDb.get(), {
            afterId: p.cursor === null ? 0 : Number(p.cursor),
            ...(p.to === null ? {} : { toId: Number(p.to) }),
            limit: Math.min(Math.max(1, Math.floor(p.limit)), 10_000),
            filters: {
              ...(Array.isArray(f.status) ? { status: f.status as number[] } : {}),
              ...(typeof f.createdFrom === 'string' ? { createdFrom: f.createdFrom } : {}),
              ...(typeof f.createdTo === 'string' ? { createdTo: f.createdTo } : {}),
              ...(p.rowScope ? { unitIds: p.rowScope.unitIds } : {}),
            },
          });
          return { rows: page.rows, nextCursor: page.nextCursor };
        },
      },
      stats: {
        visibility: 'public',
        auth: 'system',
        async handler() {
          return { orders: await countOrders(shopDb.get(), {}) };
        },
      },
    },

    async started() {
      if (!config.demo.enabled || config.demo.orders === 0) return;
      const started = Date.now();
      let lastLog = 0;
      const result = await seedOrders(shopDb.get(), {
        orders: config.demo.orders,
        onProgress: (done: number, total: number) => {
          if (Date.now() - lastLog < 1000) return;
          lastLog = Date.now();
          this.logger.info(`Generating demo orders: ${done.toLocaleString()} / ${total.toLocaleString()}`);
        },
      });
      if (result.inserted > 0) {
        this.logger.info(
          `Generated ${result.inserted.toLocaleString()} demo orders in ${((Date.now() - started) / 1000).toFixed(1)} s.`,
        );
      }
    },
  };
}
