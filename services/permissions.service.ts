import type { Context, ServiceSchema } from 'moleculer';
import type { AppConfig } from '../mixins/config/app-config';
import { errorsMixin } from '../mixins/errors/error-mapper';
import { acquireMainDatabase, releaseMainDatabase } from '../mixins/database/main-database';
import { requireAdmin } from '../mixins/auth/principal';
import { actorOf, withOutboxHint } from '../mixins/operation-log/actor';
import { ulidIds } from '../mixins/auth/ulid-ids';
import { GrantRepository } from '../mixins/permissions/grant.repository';
import { parseGrant, type Grant } from '../domain/permissions/grant';
import { domainEvent } from '../domain/shared/domain-event';
import { notFound, validationError } from '../domain/shared/errors';
import type { Principal } from '../domain/shared/principal';

type Ctx<P = Record<string, unknown>> = Context<P, { user?: Principal | null; $statusCode?: number }>;

/**
 * Permission grants (API.md "Permissions", admin only). Every grant and revocation is logged as
 * PERMISSION_CHANGED through the outbox. Evaluation (check, filterColumns, list filters) is the
 * pure policy in domain/permissions/policy.ts; wiring it to file tasks comes with them.
 */
export function permissionsService(config: AppConfig): ServiceSchema {
  let grants: GrantRepository | null = null;
  const changed = (ctx: Ctx, change: 'GRANTED' | 'REVOKED', g: Grant) => {
    const actor = actorOf(ctx);
    return domainEvent(
      {
        type: 'PERMISSION_CHANGED',
        userId: actor.userId,
        requestId: actor.requestId,
        targetType: 'PERMISSION',
        targetId: g.id,
        bizType: g.bizType,
        detail: { change, ...g },
      },
      ulidIds.next(),
      new Date(),
    );
  };

  return {
    name: 'permissions',
    mixins: [errorsMixin],
    settings: { rest: '/' },

    actions: {
      list: {
        rest: 'GET /permissions',
        params: { bizType: 'string|optional|max:64' },
        async handler(ctx: Ctx<{ bizType?: string }>) {
          requireAdmin(ctx);
          return { items: await grants!.list(ctx.params.bizType ?? null) };
        },
      },
      create: {
        rest: 'POST /permissions',
        async handler(ctx: Ctx) {
          const admin = requireAdmin(ctx);
          const g = parseGrant(ulidIds.next(), ctx.params);
          // A grant must name something that exists: a typo would silently grant nothing.
          const subject = await ctx.call<{ exists: boolean }, { type: string; id: string }>(
            'directory.subjectExists',
            {
              type: g.type,
              id: g.subject,
            },
          );
          if (!subject.exists) {
            throw validationError('UNKNOWN_SUBJECT', `no ${g.type.toLowerCase()} "${g.subject}"`, {
              field: 'subject',
            });
          }
          if (g.scopeUnitId !== null) {
            const scope = await ctx.call<{ exists: boolean }, { type: string; id: string }>(
              'directory.subjectExists',
              {
                type: 'UNIT',
                id: g.scopeUnitId,
              },
            );
            if (!scope.exists)
              throw validationError('UNKNOWN_UNIT', 'scopeUnitId names no unit', { field: 'scopeUnitId' });
          }
          await withOutboxHint(ctx, () =>
            grants!.insert(g, admin.id, new Date(), [changed(ctx, 'GRANTED', g)]),
          );
          ctx.meta.$statusCode = 201;
          return g;
        },
      },
      remove: {
        rest: 'DELETE /permissions/:id',
        params: { id: 'string|max:64' },
        async handler(ctx: Ctx<{ id: string }>) {
          requireAdmin(ctx);
          const g = await grants!.find(ctx.params.id);
          if (!g) throw notFound('GRANT_NOT_FOUND', 'no such grant');
          const deleted = await withOutboxHint(ctx, () => grants!.delete(g.id, [changed(ctx, 'REVOKED', g)]));
          if (!deleted) throw notFound('GRANT_NOT_FOUND', 'no such grant');
          ctx.meta.$statusCode = 204;
          return null;
        },
      },
    },

    async started() {
      grants = new GrantRepository(await acquireMainDatabase(config.database));
    },

    async stopped() {
      await releaseMainDatabase(config.database);
    },
  };
}
