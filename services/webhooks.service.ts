import type { Context, ServiceSchema } from 'moleculer';
import type { AppConfig } from '../mixins/config/app-config';
import { errorsMixin } from '../mixins/errors/error-mapper';
import { acquireMainDatabase, releaseMainDatabase } from '../mixins/database/main-database';
import { createJobQueue } from '../mixins/queue/queue.factory';
import { requireAdmin } from '../mixins/auth/principal';
import { actorEvent, withOutboxHint } from '../mixins/operation-log/actor';
import { logEvents } from '../mixins/operation-log/outbox';
import { ulidIds } from '../mixins/auth/ulid-ids';
import { WebhookRepository } from '../mixins/webhooks/webhook.repository';
import { WEBHOOK_JOB, WEBHOOK_QUEUE, type DeliveryJobData } from '../mixins/webhooks/webhook-fanout';
import { attemptDelivery, keyedLimiter, type DeliveryDeps } from '../mixins/webhooks/webhook-delivery';
import { refusedLiteral } from '../mixins/webhooks/target-guard';
import { webhookSecretBox, type SecretBox } from '../mixins/webhooks/secret-box';
import { newWebhookSecret, parseWebhookSpec } from '../domain/notifications/webhook';
import { decodeCursor, encodeCursor, pageLimit } from '../domain/shared/pagination';
import type { JobQueue } from '../domain/ports/job-queue.port';
import type { WebhookDeliveryRow, WebhookRow } from '../mixins/database/schemas/webhook.schema';
import type { RestMeta } from '../mixins/http/rest-meta';
import type { DataSource } from 'typeorm';
import { NotificationErrors } from '../domain/notifications/notification.errors';

type Ctx<P = Record<string, unknown>> = Context<P, RestMeta>;

const view = (w: WebhookRow) => ({
  id: w.id,
  url: w.url,
  events: w.events,
  bizTypes: w.bizTypes,
  createdBy: w.createdBy,
  createdAt: w.createdAt.toISOString(),
});

const deliveryView = (d: WebhookDeliveryRow) => ({
  id: d.id,
  event: d.event,
  eventId: d.eventId,
  status: d.status,
  attempts: d.attempts,
  lastStatusCode: d.lastStatusCode,
  lastError: d.lastError,
  nextAttemptAt: d.nextAttemptAt ? d.nextAttemptAt.toISOString() : null,
  createdAt: d.createdAt.toISOString(),
  updatedAt: d.updatedAt.toISOString(),
});

const missing = NotificationErrors.webhookNotFound;

/**
 * Webhooks (API.md "Notifications", docs/integration.md): admins register endpoints per event and
 * biz type; the outbox relay fans published events out into deliveries (mixins/webhooks), and
 * this service sends them, one queue job per attempt, signed, retried with backoff for the retry
 * window, bounded per endpoint.
 */
export function webhooksService(config: AppConfig): ServiceSchema {
  let db: DataSource | null = null;
  let repo: WebhookRepository | null = null;
  let queue: JobQueue | null = null;
  let secrets: SecretBox | null = null;

  const changed = (ctx: Ctx, id: string, detail: Record<string, unknown>) =>
    withOutboxHint(ctx, () =>
      logEvents(db!, [
        actorEvent(ctx, { type: 'WEBHOOK_CHANGED', targetType: 'WEBHOOK', targetId: id, detail }),
      ]),
    );

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
          const user = requireAdmin(ctx);
          const spec = parseWebhookSpec(ctx.params);
          const refused = refusedLiteral(spec.url, config.webhooks.allowPrivate);
          if (refused) throw NotificationErrors.targetForbidden(refused);
          const secret = newWebhookSecret();
          const row: WebhookRow = {
            id: ulidIds.next(),
            ...spec,
            secret: secrets!.seal(secret),
            createdBy: user.id,
            createdAt: new Date(),
          };
          await repo!.create(row);
          await changed(ctx, row.id, {
            op: 'CREATED',
            url: row.url,
            events: row.events,
            bizTypes: row.bizTypes,
          });
          ctx.meta.$statusCode = 201;
          ctx.meta.$location = `/api/webhooks/${row.id}`;
          // The only time the secret is shown: the receiver needs it to verify signatures.
          return { ...view(row), secret };
        },
      },
      list: {
        rest: 'GET /webhooks',
        async handler(ctx: Ctx) {
          requireAdmin(ctx);
          return { items: (await repo!.list()).map(view), nextCursor: null };
        },
      },
      get: {
        rest: 'GET /webhooks/:id',
        params: { id: 'string|max:64' },
        async handler(ctx: Ctx<{ id: string }>) {
          requireAdmin(ctx);
          const w = await repo!.find(ctx.params.id);
          if (!w) throw missing(ctx.params.id);
          return view(w);
        },
      },
      remove: {
        rest: 'DELETE /webhooks/:id',
        params: { id: 'string|max:64' },
        async handler(ctx: Ctx<{ id: string }>) {
          requireAdmin(ctx);
          if (!(await repo!.delete(ctx.params.id))) throw missing(ctx.params.id);
          await changed(ctx, ctx.params.id, { op: 'DELETED' });
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
          if (!(await repo!.find(ctx.params.id))) throw missing(ctx.params.id);
          const limit = pageLimit(ctx.params.limit);
          const after = decodeCursor<{ id: string }>(ctx.params.cursor, { id: 'string' });
          const rows = await repo!.deliveries(ctx.params.id, after?.id ?? null, limit + 1);
          const page = rows.slice(0, limit);
          return {
            items: page.map(deliveryView),
            nextCursor: rows.length > limit ? encodeCursor({ id: page[page.length - 1].id }) : null,
          };
        },
      },
    },

    async started() {
      db = await acquireMainDatabase(config.database);
      repo = new WebhookRepository(db);
      secrets = webhookSecretBox(config);
      queue = createJobQueue(config, WEBHOOK_QUEUE, db);
      await queue.start();
      const w = config.webhooks;
      const deps: DeliveryDeps = {
        repo,
        queue,
        secrets,
        policy: { baseMs: w.retryBaseMs, maxDelayMs: w.retryMaxDelayMs, windowMs: w.retryWindowMs },
        timeoutMs: w.timeoutMs,
        allowPrivate: w.allowPrivate,
        slot: keyedLimiter(w.perEndpoint),
      };
      queue.process<DeliveryJobData>(WEBHOOK_JOB, w.concurrency, (job) =>
        attemptDelivery(deps, job.data.deliveryId),
      );
    },

    async stopped() {
      await queue?.stop();
      await releaseMainDatabase(config.database);
    },
  };
}
