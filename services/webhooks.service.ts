import type { Context, ServiceSchema } from 'moleculer';
import type { AppConfig } from '../mixins/config/app-config';
import { errorsMixin } from '../mixins/errors/error-mapper';
import { acquireMainDatabase, releaseMainDatabase } from '../mixins/database/main-database';
import { createJobQueue } from '../mixins/queue/queue.factory';
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
import type { JobQueue } from '../domain/ports/job-queue.port';
import type { WebhookRepository as Webhooks } from '../domain/notifications/webhook.ports';
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
  let repo: Webhooks | null = null;
  let queue: JobQueue | null = null;
  let secrets: SecretBox | null = null;

  /** The use cases' ports for one call: the outbox hint goes out from the caller's context. */
  const deps = (ctx: Context) => ({
    webhooks: repo!,
    secrets: secrets!,
    targets: (url: string) => refusedLiteral(url, config.webhooks.allowPrivate),
    outbox: outboxHint(ctx),
    ids: ulidIds,
    clock: systemClock,
  });

  return {
    name: 'webhooks',
    mixins: [errorsMixin],
    settings: { rest: '/' },

    actions: {
      create: {
        rest: 'POST /webhooks',
        params: {
          url: 'string|max:2048',
          events: { type: 'array', items: 'string', min: 1, max: 10 },
          bizTypes: { type: 'array', items: 'string', optional: true, max: 100 },
        },
        async handler(ctx: Ctx) {
          const created = await createWebhook(deps(ctx), requireAdmin(ctx), actorOf(ctx), ctx.params);
          ctx.meta.$statusCode = 201;
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
        params: { id: 'string|max:64' },
        async handler(ctx: Ctx<{ id: string }>) {
          requireAdmin(ctx);
          await deleteWebhook(deps(ctx), actorOf(ctx), ctx.params.id);
          ctx.meta.$statusCode = 204;
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
      const db = await acquireMainDatabase(config.database);
      const webhooks = new WebhookRepository(db);
      repo = webhooks;
      secrets = webhookSecretBox(config);
      queue = createJobQueue(config, WEBHOOK_QUEUE, db);
      await queue.start();
      const w = config.webhooks;
      const delivery: DeliveryDeps = {
        repo: webhooks,
        queue,
        secrets,
        policy: { baseMs: w.retryBaseMs, maxDelayMs: w.retryMaxDelayMs, windowMs: w.retryWindowMs },
        timeoutMs: w.timeoutMs,
        allowPrivate: w.allowPrivate,
        slot: keyedLimiter(w.perEndpoint),
      };
      queue.process<DeliveryJobData>(WEBHOOK_JOB, w.concurrency, (job) =>
        attemptDelivery(delivery, job.data.deliveryId),
      );
    },

    async stopped() {
      await queue?.stop();
      await releaseMainDatabase(config.database);
    },
  };
}
