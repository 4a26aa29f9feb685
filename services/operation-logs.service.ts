import type { Context, ServiceSchema } from 'moleculer';
import type { AppConfig } from '../mixins/config/app-config';
import { errorsMixin } from '../mixins/errors/error-mapper';
import { databaseMixin } from '../mixins/lifecycle/database.mixin';
import { queueMixin } from '../mixins/lifecycle/queue.mixin';
import { startedValue } from '../mixins/lifecycle/adapter.mixin';
import { resolveSecret } from '../mixins/auth/jwt-issuer';
import { requireUser } from '../mixins/auth/principal';
import { OutboxRelay } from '../mixins/operation-log/log-relay';
import { OUTBOX_APPENDED } from '../mixins/operation-log/actor';
import { TypeormOperationLogRepository } from '../mixins/operation-log/log.repository';
import type { OperationLogRepository } from '../domain/operation-log/operation-log.ports';
import { WebhookRepository } from '../mixins/webhooks/webhook.repository';
import { fanOutToWebhooks, WEBHOOK_QUEUE } from '../mixins/webhooks/webhook-fanout';
import { busEventOf, integrationEvent } from '../domain/notifications/integration-event';
import type { DomainEvent } from '../domain/shared/domain-event';
import { parseLogSearch } from '../domain/operation-log/log-search';
import { ADMIN_ROLE, AUDITOR_ROLE, type Principal } from '../domain/shared/principal';
import { AccessErrors } from '../domain/shared/access.errors';

type Ctx<P = Record<string, unknown>> = Context<P, { user?: Principal | null }>;

function requireAuditor(ctx: Ctx): Principal {
  const user = requireUser(ctx);
  if (!user.roles.includes(ADMIN_ROLE) && !user.roles.includes(AUDITOR_ROLE)) {
    throw AccessErrors.auditorRequired();
  }
  return user;
}

/**
 * The operation log (API.md "Operation logs"): a relay moves committed domain events from the
 * outbox into a hash-chained log, which admins and auditors search and verify.
 */
export function operationLogsService(config: AppConfig): ServiceSchema {
  const database = databaseMixin(config);
  const webhookQueue = queueMixin(config, WEBHOOK_QUEUE, database);
  // Built in started() with the chain key; the relay stops in stopped(), before the queue and the
  // database it writes to.
  const repo = startedValue<OperationLogRepository>('the operation log');
  const relay = startedValue<OutboxRelay>('the outbox relay');
  return {
    name: 'operationLogs',
    // Adapters in the order they stop (the queue, then the database); they start the other way round.
    mixins: [errorsMixin, webhookQueue.mixin, database.mixin],
    settings: { rest: '/' },

    actions: {
      search: {
        rest: 'GET /logs',
        // Shapes for the API description; parseLogSearch judges the values with its own codes.
        params: {
          userId: 'any|optional',
          action: 'any|optional',
          targetId: 'any|optional',
          bizType: 'any|optional',
          from: { type: 'any', optional: true, openapi: { type: 'string', format: 'date-time' } },
          to: { type: 'any', optional: true, openapi: { type: 'string', format: 'date-time' } },
          q: 'any|optional',
          limit: { type: 'any', optional: true, openapi: { type: 'integer', minimum: 1, maximum: 200 } },
          cursor: 'any|optional',
        },
        handler(ctx: Ctx) {
          requireAuditor(ctx);
          return repo.get().search(parseLogSearch(ctx.params));
        },
      },
      verify: {
        rest: 'GET /logs/verify',
        // Walks the whole chain: allow it time on large logs.
        timeout: 10 * 60_000,
        handler(ctx: Ctx) {
          requireAuditor(ctx);
          return repo.get().verify();
        },
      },
      /** Internal: deliver what is in the outbox now (tests, and operators draining before a stop). */
      flush: {
        visibility: 'public',
        auth: 'system',
        async handler() {
          let moved = 0;
          for (let n = -1; n !== 0;) moved += n = Math.max(0, await relay.get().deliverBatch());
          let published = 0;
          for (let n = -1; n !== 0;) published += n = await relay.get().publishBatch();
          return { moved, published };
        },
      },
    },

    events: {
      [OUTBOX_APPENDED]: {
        handler() {
          // An append announced while this service starts or stops is picked up by the next tick.
          relay.peek()?.nudge();
        },
      },
    },

    async started() {
      const db = database.get();
      const key = resolveSecret(config.logs.chainKey, config.dataDir, 'log-chain-key');
      repo.set(new TypeormOperationLogRepository(db, key));
      const webhooks = new WebhookRepository(db);
      const queue = webhookQueue.get();
      const broker = this.broker;
      // The publication step of the relay (docs/integration.md "Events"): webhook deliveries are
      // stored and queued first (durable), then the event goes on the bus. A throw leaves the
      // batch in the outbox for the next tick.
      const publish = async (events: DomainEvent[]) => {
        await fanOutToWebhooks(webhooks, queue, events);
        for (const e of events) {
          const name = busEventOf(e);
          if (name) await broker.emit(name, integrationEvent(e));
        }
      };
      const outboxRelay = new OutboxRelay(db, key, {
        publish,
        batchSize: config.logs.relayBatchSize,
        intervalMs: config.logs.relayIntervalMs,
        onError: (e) =>
          this.logger.error('outbox relay failed; the batch stays in the outbox and is retried', e),
      });
      relay.set(outboxRelay).start();
    },

    async stopped() {
      repo.clear();
      await relay.clear()?.stop();
    },
  };
}
