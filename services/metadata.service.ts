import type { Context, ServiceSchema } from 'moleculer';
import type { AppConfig } from '../mixins/config/app-config';
import { errorsMixin } from '../mixins/errors/error-mapper';
import { databaseMixin } from '../mixins/lifecycle/database.mixin';
import { requireAdmin, requireUser } from '../mixins/auth/principal';
import { actorOf, outboxHint } from '../mixins/operation-log/actor';
import { ulidIds } from '../mixins/auth/ulid-ids';
import { systemClock } from '../domain/ports/clock.port';
import { saveBizType } from '../domain/metadata/use-cases/save-biz-type';
import { TypeormBizTypeRepository } from '../mixins/metadata/biz-type.repository';
import type { BizTypeRepository, StoredBizType } from '../domain/metadata/metadata.ports';
import { registeredHandlerParsers } from '../mixins/export-pipeline/data-handlers/registry';
import { parseBizType, type BizType } from '../domain/metadata/biz-type';
import { DEMO_BIZ_TYPES } from '../mixins/demo/demo-biz-types';
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
          const { code, ...body } = ctx.params;
          const { saved, created } = await saveBizType(
            {
              bizTypes: repo(),
              handlers: registeredHandlerParsers(),
              ids: ulidIds,
              clock: systemClock,
              outbox: outboxHint(ctx),
              changed: (changedCode) => ctx.broadcast(METADATA_CHANGED, { code: changedCode }),
            },
            { ...actorOf(ctx), userId: admin.id },
            String(code),
            body,
          );
          ctx.meta.$statusCode = created ? 201 : 200;
          if (created) ctx.meta.$location = `/api/biz-types/${code}`;
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
