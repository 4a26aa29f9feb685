import type { Context, ServiceSchema } from 'moleculer';
import type { AppConfig } from '../mixins/config/app-config';
import { databaseMixin } from '../mixins/lifecycle/database.mixin';
import { principalOfToken } from '../mixins/auth/token-principal';
import { ulidIds } from '../mixins/auth/ulid-ids';
import { OUTBOX_APPENDED } from '../mixins/operation-log/actor';
import { logEvents } from '../mixins/operation-log/outbox';
import { toMoleculerError } from '../mixins/errors/error-mapper';
import { parseExportRequested } from '../domain/notifications/export-request-event';
import { domainEvent } from '../domain/shared/domain-event';

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
          const parsed = parseExportRequested(ctx.params);
          let userId: string | null = null;
          try {
            if (!parsed.ok) throw parsed.error;
            const user = await principalOfToken(ctx, parsed.envelope.token);
            userId = user.id;
            await ctx.call(
              'exports.create',
              { ...parsed.envelope.request, idempotencyKey: parsed.requestId },
              // The token too: a callee on another node resolves it itself (meta.user stays here).
              { meta: { user, token: parsed.envelope.token } },
            );
          } catch (e) {
            const err = toMoleculerError(e);
            if (err.code >= 500) this.logger.error(`exports.requested ${parsed.requestId ?? '?'} failed`, e);
            const rejected = domainEvent(
              {
                type: 'EXPORT_REQUEST_REJECTED',
                userId,
                targetType: 'EXPORT_REQUEST',
                bizType: parsed.bizType,
                outcome: 'FAILURE',
                detail: { requestId: parsed.requestId, code: err.type, message: err.message },
                requestId: ctx.requestID ?? null,
              },
              ulidIds.next(),
              new Date(),
            );
            rejected.subject = {
              task: null,
              ...(parsed.requestId ? { requestId: parsed.requestId } : {}),
              // A dependency that was down (5xx) is worth sending again with the same requestId.
              error: { code: err.type, message: err.message, retryable: err.code >= 500 },
            };
            await logEvents(database.get(), [rejected]);
            ctx.emit(OUTBOX_APPENDED).catch(() => undefined);
          }
        },
      },
    },
  };
}
