import type { Context, ServiceSchema } from 'moleculer';
import type { AppConfig } from '../mixins/config/app-config';
import { errorsMixin } from '../mixins/errors/error-mapper';
import { databaseMixin } from '../mixins/lifecycle/database.mixin';
import { requireAdmin, requireUser } from '../mixins/auth/principal';
import { exportColumnsView } from '../domain/permissions/export-columns-view';
import { actorOf, outboxHint } from '../mixins/operation-log/actor';
import { ulidIds } from '../mixins/auth/ulid-ids';
import { TypeormGrantRepository } from '../mixins/permissions/grant.repository';
import type { GrantRepository } from '../domain/permissions/grant.ports';
import { canDownload, canRead, exportableColumns, type TaskRef } from '../domain/permissions/policy';
import type { BizTypeView } from './metadata.service';
import { permissionInputs } from '../mixins/permissions/subject';
import type { Principal } from '../domain/shared/principal';
import type { RestMeta } from '../mixins/http/rest-meta';
import { PermissionErrors } from '../domain/permissions/permission.errors';
import { grantAccess, revokeGrant, type GrantDeps } from '../domain/permissions/use-cases/manage-grants';
import { systemClock } from '../domain/ports/clock.port';

export const PERMISSIONS_CHANGED = 'permissions.changed';

/** A user as business services pass it to check and filterColumns. */
const PRINCIPAL_PARAM = {
  type: 'object',
  props: {
    id: 'string',
    roles: { type: 'array', items: 'string' },
    unitId: 'string|optional|nullable',
  },
} as const;

type Ctx<P = Record<string, unknown>> = Context<P, RestMeta>;

/**
 * Permission grants (API.md "Permissions", admin only). Every grant and revocation is logged as
 * PERMISSION_CHANGED through the outbox. Evaluation (check, filterColumns, list filters) is the
 * pure policy in domain/permissions/policy.ts; wiring it to file tasks comes with them.
 */
export function permissionsService(config: AppConfig): ServiceSchema {
  const database = databaseMixin(config);
  const grants = database.derive((db): GrantRepository => new TypeormGrantRepository(db));
  /** The grant use cases' ports for one call: the subject check and hints go through the caller's context. */
  const deps = (ctx: Ctx): GrantDeps => ({
    grants: grants(),
    subjects: {
      exists: async (type, id) =>
        (
          await ctx.call<{ exists: boolean }, { type: string; id: string }>('directory.subjectExists', {
            type,
            id,
          })
        ).exists,
    },
    ids: ulidIds,
    clock: systemClock,
    outbox: outboxHint(ctx),
    changed: () => ctx.broadcast(PERMISSIONS_CHANGED),
  });

  return {
    name: 'permissions',
    mixins: [errorsMixin, database.mixin],
    settings: { rest: '/' },

    actions: {
      /** Internal: every grant, cached on each node and cleaned everywhere when one changes. */
      grants: {
        visibility: 'public',
        cache: { keys: [], ttl: 300 },
        async handler() {
          return grants().list(null);
        },
      },
      /**
       * The paper's authentication component: may `user` read (or download) file task `id`?
       * Used by business services; the file-tasks service applies the same policy in-process.
       */
      check: {
        visibility: 'public',
        params: {
          user: PRINCIPAL_PARAM,
          type: { type: 'enum', values: ['fileTask'] },
          id: 'string|max:64',
          action: { type: 'enum', values: ['read', 'download'], optional: true },
        },
        async handler(ctx: Ctx<{ user: Principal; id: string; action?: 'read' | 'download' }>) {
          const task = await ctx.call<TaskRef | null, { id: string }>('fileTasks.ref', { id: ctx.params.id });
          if (!task) return { isPassed: false };
          const user = {
            ...ctx.params.user,
            username: ctx.params.user.id,
            unitId: ctx.params.user.unitId ?? null,
          };
          const { subject, grants: all, paths } = await permissionInputs(ctx, user);
          const judge = ctx.params.action === 'download' ? canDownload : canRead;
          return { isPassed: canRead(subject, task, all, paths) && judge(subject, task, all, paths) };
        },
      },
      /**
       * The paper's column filter: the column keys `user` may export of `bizType` (API.md: every
       * unrestricted column, plus the restricted ones their export grants name; ADMIN all; none
       * without the export permission; all with rules.columnPermission off).
       */
      filterColumns: {
        visibility: 'public',
        params: {
          user: PRINCIPAL_PARAM,
          bizType: 'string|max:64',
        },
        async handler(ctx: Ctx<{ user: Principal; bizType: string }>) {
          const b = await ctx.call<BizTypeView, { code: string }>('metadata.get', {
            code: ctx.params.bizType,
          });
          if (b.kind !== 'EXPORT') return [];
          const user = {
            ...ctx.params.user,
            username: ctx.params.user.id,
            unitId: ctx.params.user.unitId ?? null,
          };
          const { subject, grants: all } = await permissionInputs(ctx, user);
          return exportableColumns(subject, b.code, b.columns, all, b.rules.columnPermission);
        },
      },
      /** The console's column list: each column of an EXPORT biz type with whether the caller gets it. */
      exportColumns: {
        rest: 'GET /biz-types/:code/export-columns',
        params: { code: 'string|max:64' },
        async handler(ctx: Ctx<{ code: string }>) {
          const user = requireUser(ctx);
          const b = await ctx.call<BizTypeView, { code: string }>('metadata.get', { code: ctx.params.code });
          if (b.kind !== 'EXPORT') throw PermissionErrors.notAnExportBizType(b.code);
          const { subject, grants: all } = await permissionInputs(ctx, user);
          return exportColumnsView(subject, b, all, b.rules.columnPermission);
        },
      },
      list: {
        rest: 'GET /permissions',
        params: { bizType: 'string|optional|max:64' },
        async handler(ctx: Ctx<{ bizType?: string }>) {
          requireAdmin(ctx);
          return { items: await grants().list(ctx.params.bizType ?? null) };
        },
      },
      create: {
        rest: 'POST /permissions',
        successStatus: 201,
        // Shapes for the API description; parseGrant judges the values with its own codes.
        params: {
          bizType: 'any|optional',
          type: { type: 'any', optional: true, openapi: { enum: ['ROLE', 'UNIT', 'USER'] } },
          subject: 'any|optional',
          actions: {
            type: 'any',
            optional: true,
            openapi: { type: 'array', items: { enum: ['read', 'download', 'export'] } },
          },
          columns: 'any|optional',
          scopeUnitId: 'any|optional',
        },
        async handler(ctx: Ctx) {
          const admin = requireAdmin(ctx);
          const g = await grantAccess(deps(ctx), { ...actorOf(ctx), userId: admin.id }, ctx.params);
          // No single-grant route: the location is the list that holds it (DELETE takes its id).
          ctx.meta.$location = `/api/permissions?bizType=${encodeURIComponent(g.bizType)}`;
          return g;
        },
      },
      remove: {
        rest: 'DELETE /permissions/:id',
        successStatus: 204,
        params: { id: 'string|max:64' },
        async handler(ctx: Ctx<{ id: string }>) {
          requireAdmin(ctx);
          await revokeGrant(deps(ctx), actorOf(ctx), ctx.params.id);
          return null;
        },
      },
    },

    events: {
      // Every node drops its cached grants when one changes anywhere: effective cluster-wide at once.
      [PERMISSIONS_CHANGED]: {
        async handler() {
          await this.broker.cacher?.clean('permissions.grants**');
        },
      },
    },
  };
}
