import type { Context, ServiceSchema } from 'moleculer';
import type { AppConfig } from '../mixins/config/app-config';
import { errorsMixin } from '../mixins/errors/error-mapper';
import { startedValue } from '../mixins/lifecycle/adapter.mixin';
import { databaseMixin } from '../mixins/lifecycle/database.mixin';
import { queueMixin } from '../mixins/lifecycle/queue.mixin';
import { requireAdmin } from '../mixins/auth/principal';
import { actorOf, outboxHint } from '../mixins/operation-log/actor';
import { ulidIds } from '../mixins/auth/ulid-ids';
import { WebhookRepository } from '../mixins/webhooks/webhook.repository';
import { WEBHOOK_JOB, WEBHOOK_QUEUE, type DeliveryJobData } from '../mixins/webhooks/webhook-fanout';
import { attemptDelivery, keyedLimiter, type DeliveryDeps } from '../mixins/webhooks/webhook-delivery';
import { refusedLiteral } from '../mixins/webhooks/target-guard';
import { webhookSecretBox, type SecretBox } from '../mixins/webhooks/secret-box';
import type { RestMeta } from '../mixins/http/rest-meta';
import { systemClock } from '../domain/ports/clock.port';
import {
  createWebhook,
  deleteWebhook,
  getWebhook,
  listDeliveries,
  listWebhooks,
} from '../domain/notifications/use-cases/manage-webhooks';

type Ctx<P = Record<string, unknown>> = Context<P, RestMeta>;

/**
 * Webhooks (API.md "Notifications", docs/integration.md): admins register endpoints per event and
 * biz type; the outbox relay fans published events out into deliveries (mixins/webhooks), and
 * this service sends them, one queue job per attempt, signed, retried with backoff for the retry
 * window, bounded per endpoint.
 */
export function webhooksService(config: AppConfig): ServiceSchema {
  const database = databaseMixin(config);
  const webhookQueue = queueMixin(config, WEBHOOK_QUEUE, database);
  const repo = database.derive((db) => new WebhookRepository(db));
  const secrets = startedValue<SecretBox>('the webhook secret box');

  /** The use cases' ports for one call: the outbox hint goes out from the caller's context. */
  const deps = (ctx: Context) => ({
    webhooks: repo(),
    secrets: secrets.get(),
    targets: (url: string) => refusedLiteral(url, config.webhooks.allowPrivate),
    outbox: outboxHint(ctx),
    ids: ulidIds,
    clock: systemClock,
  });

  return {
    name: 'webhooks',
    // Adapters in the order they stop (the queue, then the database); they start the other way round.
    mixins: [errorsMixin, webhookQueue.mixin, database.mixin],
    settings: { rest: '/' },

    actions: {
      create: {
        rest: 'POST /webhooks',
        successStatus: 201,
        params: {
          url: 'string|max:2048',
          events: { type: 'array', items: 'string', min: 1, max: 10 },
          bizTypes: { type: 'array', items: 'string', optional: true, max: 100 },
        },
        async handler(ctx: Ctx) {
          const created = await createWebhook(deps(ctx), requireAdmin(ctx), actorOf(ctx), ctx.params);
          ctx.meta.$location = `/api/webhooks/${created.id}`;
          return created;
        },
      },
      list: {
        rest: 'GET /webhooks',
        async handler(ctx: Ctx) {
          requireAdmin(ctx);
          return listWebhooks(deps(ctx));
        },
      },
      get: {
        rest: 'GET /webhooks/:id',
        params: { id: 'string|max:64' },
        async handler(ctx: Ctx<{ id: string }>) {
          requireAdmin(ctx);
          return getWebhook(deps(ctx), ctx.params.id);
        },
      },
      remove: {
        rest: 'DELETE /webhooks/:id',
        successStatus: 204,
        params: { id: 'string|max:64' },
        async handler(ctx: Ctx<{ id: string }>) {
          requireAdmin(ctx);
          await deleteWebhook(deps(ctx), actorOf(ctx), ctx.params.id);
          return null;
        },
      },
      deliveries: {
        rest: 'GET /webhooks/:id/deliveries',
        params: {
          id: 'string|max:64',
          limit: { type: 'number', convert: true, optional: true },
          cursor: { type: 'string', optional: true },
        },
        async handler(ctx: Ctx<{ id: string; limit?: number; cursor?: string }>) {
          requireAdmin(ctx);
          return listDeliveries(deps(ctx), ctx.params.id, ctx.params);
        },
      },
    },

    async started() {
      const queue = webhookQueue.get();
      const w = config.webhooks;
      const delivery: DeliveryDeps = {
        repo: repo(),
        queue,
        secrets: secrets.set(webhookSecretBox(config)),
        policy: { baseMs: w.retryBaseMs, maxDelayMs: w.retryMaxDelayMs, windowMs: w.retryWindowMs },
        timeoutMs: w.timeoutMs,
        allowPrivate: w.allowPrivate,
        slot: keyedLimiter(w.perEndpoint),
      };
      queue.process<DeliveryJobData>(WEBHOOK_JOB, w.concurrency, (job) =>
        attemptDelivery(delivery, job.data.deliveryId),
      );
    },

    stopped() {
      secrets.clear();
    },
  };
}
