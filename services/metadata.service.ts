import type { Context, ServiceSchema } from 'moleculer';
import type { AppConfig } from '../mixins/config/app-config';
import { errorsMixin } from '../mixins/errors/error-mapper';
import { databaseMixin } from '../mixins/lifecycle/database.mixin';
import { requireAdmin, requireUser } from '../mixins/auth/principal';
import { actorEvent, withOutboxHint } from '../mixins/operation-log/actor';
import { TypeormBizTypeRepository } from '../mixins/metadata/biz-type.repository';
import type { BizTypeRepository, StoredBizType } from '../domain/metadata/metadata.ports';
import { registeredHandlerParsers } from '../mixins/export-pipeline/data-handlers/registry';
import { parseBizType, type BizType } from '../domain/metadata/biz-type';
import { DEMO_BIZ_TYPES } from '../domain/metadata/demo-biz-types';
import { canonicalJson } from '../domain/operation-log/hash-chain';
import type { RestMeta } from '../mixins/http/rest-meta';
import { MetadataErrors } from '../domain/metadata/metadata.errors';

export const METADATA_CHANGED = 'metadata.changed';

type Ctx<P = Record<string, unknown>> = Context<P, RestMeta>;

const view = (s: StoredBizType) => ({
  ...s.bizType,
  version: s.version,
  updatedAt: s.updatedAt.toISOString(),
});
export type BizTypeView = BizType & { version: number; updatedAt: string };

const missing = MetadataErrors.bizTypeNotFound;

/**
 * Biz types (API.md "Metadata"): any user reads, admins write. A definition is validated in full on
 * write, cached on every node, and every change is logged as BIZ_TYPE_CHANGED through the outbox.
 */
export function metadataService(config: AppConfig): ServiceSchema {
  const database = databaseMixin(config);
  const repo = database.derive((db): BizTypeRepository => new TypeormBizTypeRepository(db));

  return {
    name: 'metadata',
    mixins: [errorsMixin, database.mixin],
    settings: { rest: '/' },

    actions: {
      list: {
        rest: 'GET /biz-types',
        params: { kind: { type: 'enum', values: ['FILE', 'EXPORT'], optional: true } },
        async handler(ctx: Ctx<{ kind?: 'FILE' | 'EXPORT' }>) {
          requireUser(ctx);
          const items = (await ctx.call<BizTypeView[]>('metadata.all')).filter(
            (b) => !ctx.params.kind || b.kind === ctx.params.kind,
          );
          return { items, nextCursor: null };
        },
      },
      /** Internal: every biz type, cached on each node and cleaned everywhere on a change. */
      all: {
        visibility: 'public',
        cache: { keys: [], ttl: 300 },
        async handler() {
          return (await repo().list()).map(view);
        },
      },
      get: {
        rest: 'GET /biz-types/:code',
        params: { code: 'string|max:64' },
        cache: { keys: ['code'], ttl: 300 },
        async handler(ctx: Ctx<{ code: string }>) {
          const found = await repo().find(ctx.params.code);
          if (!found) throw missing(ctx.params.code);
          return view(found);
        },
      },
      put: {
        rest: 'PUT /biz-types/:code',
        successStatus: [200, 201],
        // Shapes for the API description; parseBizType judges the definition with its own codes.
        params: {
          code: 'string',
          name: 'any|optional',
          kind: { type: 'any', optional: true, openapi: { enum: ['EXPORT', 'FILE'] } },
          dataHandler: 'any|optional',
          columns: 'any|optional',
          rules: 'any|optional',
          version: 'any|optional',
        },
        async handler(ctx: Ctx<{ code: string } & Record<string, unknown>>) {
          const admin = requireAdmin(ctx);
          const { code, version, ...body } = ctx.params;
          const bizType = parseBizType(String(code), body, registeredHandlerParsers());
          const current = await repo().find(bizType.code);
          if (version !== undefined && (!Number.isSafeInteger(version) || version !== current?.version)) {
            throw MetadataErrors.versionConflict(current?.version ?? null);
          }
          if (current && current.bizType.kind !== bizType.kind) {
            throw MetadataErrors.kindChange();
          }
          const event = actorEvent(ctx, {
            type: 'BIZ_TYPE_CHANGED',
            targetType: 'BIZ_TYPE',
            targetId: bizType.code,
            bizType: bizType.code,
            detail: { change: current ? 'UPDATED' : 'CREATED', version: (current?.version ?? 0) + 1 },
          });
          const saved = await withOutboxHint(ctx, () =>
            repo().save(bizType, current?.version ?? null, admin.id, new Date(), [event]),
          );
          if (!saved) throw MetadataErrors.changedConcurrently();
          await ctx.broadcast(METADATA_CHANGED, { code: bizType.code });
          ctx.meta.$statusCode = current ? 200 : 201;
          if (!current) ctx.meta.$location = `/api/biz-types/${ctx.params.code}`;
          return view(saved);
        },
      },
    },

    events: {
      [METADATA_CHANGED]: {
        async handler() {
          await this.broker.cacher?.clean('metadata.**');
        },
      },
    },

    async started() {
      if (!config.demo.enabled) return;
      for (const { code, definition } of DEMO_BIZ_TYPES) {
        const seeded = parseBizType(code, definition, registeredHandlerParsers());
        const stored = await repo().find(code);
        // Seeded rows (updatedBy null) follow the demo definition as it grows (headers per locale,
        // new rules); one an administrator saved is theirs and stays. A lost race is harmless:
        // the version check lets one node write it.
        if (stored && (stored.updatedBy !== null || canonicalJson(stored.bizType) === canonicalJson(seeded)))
          continue;
        await repo().save(seeded, stored?.version ?? null, null, new Date(), []);
      }
    },
  };
}
