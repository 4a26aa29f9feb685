import type { Context, ServiceSchema } from 'moleculer';
import type { AppConfig } from '../mixins/config/app-config';
import { databaseMixin } from '../mixins/lifecycle/database.mixin';
import { principalOfToken } from '../mixins/auth/token-principal';
import { ulidIds } from '../mixins/auth/ulid-ids';
import { outboxHint } from '../mixins/operation-log/actor';
import { logEvents } from '../mixins/operation-log/outbox';
import { toMoleculerError } from '../mixins/errors/error-mapper';
import { requestExportByEvent } from '../domain/notifications/use-cases/request-export-by-event';
import { systemClock } from '../domain/ports/clock.port';

export const EXPORTS_REQUESTED = 'exports.requested';

/**
 * Exports requested by event (API.md "Notifications", docs/integration.md): a business service
 * emits `exports.requested`; one node running this service takes it (Moleculer balances an event
 * over the instances of one service), resolves the token to its owner and calls exports.create as
 * them with `requestId` as the idempotency key, so a repeated event makes no second task. The
 * outcome comes back as exports.succeeded|failed from the outbox; a request that cannot become a
 * task is answered at once with exports.failed carrying `requestId` and `error` (never silence).
 */
export function exportRequestsService(config: AppConfig): ServiceSchema {
  const database = databaseMixin(config);

  return {
    name: 'exportRequests',
    mixins: [database.mixin],

    events: {
      [EXPORTS_REQUESTED]: {
        async handler(ctx: Context<unknown>) {
          await requestExportByEvent(
            {
              ownerOf: (token) => principalOfToken(ctx, token),
              // The token too: a callee on another node resolves it itself (meta.user stays here).
              requestExport: (request, user, token) =>
                ctx.call('exports.create', request, { meta: { user, token } }),
              logEvents: (events) => logEvents(database.get(), events),
              describe: (e) => {
                const err = toMoleculerError(e);
                return { status: err.code, code: err.type, message: err.message };
              },
              ids: ulidIds,
              clock: systemClock,
              outbox: outboxHint(ctx),
              logger: this.logger,
            },
            ctx.params,
            ctx.requestID ?? null,
          );
        },
      },
    },
  };
}
