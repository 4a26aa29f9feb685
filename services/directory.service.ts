import crypto from 'node:crypto';
import type { Context, ServiceSchema } from 'moleculer';
import type { AppConfig } from '../mixins/config/app-config';
import { errorsMixin } from '../mixins/errors/error-mapper';
import { databaseMixin } from '../mixins/lifecycle/database.mixin';
import { TypeormDirectoryRepository } from '../mixins/directory/directory.repository';
import { TypeormServiceAccountRepository } from '../mixins/directory/service-account.repository';
import { newServiceAccountToken } from '../mixins/auth/service-account-token';
import { ServiceAccountUseCases } from '../domain/directory/service-accounts.use-cases';
import type { RestMeta } from '../mixins/http/rest-meta';
import { ScryptHasher } from '../mixins/auth/scrypt-hasher';
import { JwtIssuer, resolveJwtSecret } from '../mixins/auth/jwt-issuer';
import { ulidIds } from '../mixins/auth/ulid-ids';
import { CacheLoginThrottle } from '../mixins/auth/login-throttle';
import { MoleculerCache } from '../mixins/cache/moleculer-cache';
import { requireAdmin, requireUser } from '../mixins/auth/principal';
import { actorOf, withOutboxHint } from '../mixins/operation-log/actor';
import {
  DirectoryUseCases,
  seedDemoDirectory,
  type DirectoryDeps,
} from '../domain/directory/directory.use-cases';
import { DEMO_PASSWORD, DEMO_ROLES, DEMO_UNITS, DEMO_USERS } from '../domain/directory/demo-directory';
import { systemClock } from '../domain/ports/clock.port';
import type { Principal } from '../domain/shared/principal';

import { UNITS_CHANGED, USERS_CHANGED } from '../mixins/directory/directory-events';

export { UNITS_CHANGED, USERS_CHANGED };

type Ctx<P = Record<string, unknown>> = Context<P, { user?: Principal | null; clientIp?: string }>;

/** Org units, roles, users and sign-in (API.md "Health and identity"). */
export function directoryService(config: AppConfig): ServiceSchema {
  const database = databaseMixin(config);
  return {
    name: 'directory',
    mixins: [errorsMixin, database.mixin],
    // REST paths are API.md's, not prefixed with the service name.
    settings: { rest: '/' },

    actions: {
      login: {
        rest: 'POST /auth/login',
        errorStatuses: [429],
        auth: 'public',
        params: { username: 'string|max:64', password: 'string|max:256' },
        handler(ctx: Ctx<{ username: string; password: string }>) {
          return this.uc.login(ctx.params.username, ctx.params.password, ctx.meta.clientIp ?? 'unknown');
        },
      },
      me: {
        rest: 'GET /auth/me',
        async handler(ctx: Ctx) {
          return this.uc.me(await this.uc.getUser(requireUser(ctx).id));
        },
      },
      unitTree: {
        rest: 'GET /units/tree',
        handler(ctx: Ctx) {
          requireUser(ctx);
          return this.uc.unitTree();
        },
      },
      createUnit: {
        rest: 'POST /units',
        params: { name: 'string|max:200', parentId: 'string|optional|nullable|max:64' },
        async handler(ctx: Ctx<{ name: string; parentId?: string | null }>) {
          requireAdmin(ctx);
          const unit = await withOutboxHint(ctx, () => this.uc.createUnit(ctx.params, actorOf(ctx)));
          await ctx.broadcast(UNITS_CHANGED);
          return unit;
        },
      },
      listRoles: {
        rest: 'GET /roles',
        async handler(ctx: Ctx) {
          requireUser(ctx);
          return { items: await this.uc.listRoles() };
        },
      },
      createRole: {
        rest: 'POST /roles',
        params: { code: 'string|max:64', name: 'string|max:200' },
        handler(ctx: Ctx<{ code: string; name: string }>) {
          requireAdmin(ctx);
          return withOutboxHint(ctx, () => this.uc.createRole(ctx.params, actorOf(ctx)));
        },
      },
      listUsers: {
        rest: 'GET /users',
        params: {
          limit: { type: 'number', integer: true, min: 1, max: 200, optional: true, convert: true },
          cursor: 'string|optional|max:64',
        },
        handler(ctx: Ctx<{ limit?: number; cursor?: string }>) {
          requireAdmin(ctx);
          return this.uc.listUsers(ctx.params.limit ?? 20, ctx.params.cursor ?? null);
        },
      },
      createUser: {
        rest: 'POST /users',
        params: {
          username: 'string|max:64',
          password: 'string|max:256',
          displayName: 'string|optional|max:200',
          roles: { type: 'array', items: 'string', optional: true, max: 50 },
          unitId: 'string|optional|nullable|max:64',
        },
        handler(ctx: Ctx) {
          requireAdmin(ctx);
          return withOutboxHint(ctx, () => this.uc.createUser(ctx.params, actorOf(ctx)));
        },
      },
      updateUser: {
        rest: 'PATCH /users/:id',
        params: {
          id: 'string|max:64',
          password: 'string|optional|max:256',
          displayName: 'string|optional|max:200',
          roles: { type: 'array', items: 'string', optional: true, max: 50 },
          unitId: 'string|optional|nullable|max:64',
          disabled: 'boolean|optional',
        },
        async handler(ctx: Ctx<{ id: string } & Record<string, unknown>>) {
          requireAdmin(ctx);
          const { id, ...change } = ctx.params;
          const updated = await withOutboxHint(ctx, () => this.uc.updateUser(id, change, actorOf(ctx)));
          // Clean here before telling anyone, so a gateway that reacts to the event cannot re-read
          // the old user from this node's (or a shared Redis) cache and keep it another 10 s.
          await this.broker.cacher?.clean('directory.resolveUser**');
          await ctx.broadcast(USERS_CHANGED, { id });
          return updated;
        },
      },
      createServiceAccount: {
        rest: 'POST /service-accounts',
        successStatus: 201,
        params: {
          name: 'string|max:100',
          roles: { type: 'array', items: 'string', optional: true, max: 50 },
          unitId: 'string|optional|nullable|max:64',
        },
        async handler(ctx: Context<{ name: string; roles?: string[]; unitId?: string | null }, RestMeta>) {
          requireAdmin(ctx);
          const accounts = this.accounts as ServiceAccountUseCases;
          const created = await withOutboxHint(ctx, () => accounts.create(ctx.params, actorOf(ctx)));
          ctx.meta.$location = `/api/service-accounts/${created.id}`;
          return created;
        },
      },
      listServiceAccounts: {
        rest: 'GET /service-accounts',
        handler(ctx: Ctx) {
          requireAdmin(ctx);
          return this.accounts.list();
        },
      },
      deleteServiceAccount: {
        rest: 'DELETE /service-accounts/:id',
        successStatus: 204,
        params: { id: 'string|max:64' },
        async handler(ctx: Context<{ id: string }, RestMeta>) {
          requireAdmin(ctx);
          await withOutboxHint(ctx, () => this.accounts.remove(ctx.params.id, actorOf(ctx)));
          // As for users: clean the shared cache first, then tell every node to drop its copy.
          await this.broker.cacher?.clean('directory.resolveServiceAccount**');
          await ctx.broadcast(USERS_CHANGED, { id: ctx.params.id });
          return null;
        },
      },
      /** Internal: a service account's record, for the principal resolver of every node. */
      resolveServiceAccount: {
        visibility: 'public',
        auth: 'system',
        params: { id: 'string|max:64' },
        cache: { keys: ['id'], ttl: 60 },
        async handler(ctx: Ctx<{ id: string }>) {
          return (await this.accounts.get(ctx.params.id)).toSubject();
        },
      },
      /**
       * Internal: every unit's materialised path, for permission checks. Cached: units never move,
       * and creating one cleans the cache on every node (see createUnit).
       */
      unitPaths: {
        visibility: 'public',
        cache: { keys: [], ttl: 3600 },
        async handler() {
          return Object.fromEntries(
            (await this.uc.units()).map((u: { id: string; path: string }) => [u.id, u.path]),
          );
        },
      },
      /** Internal: does this role code, unit id or user id exist (permission grants name them). */
      subjectExists: {
        visibility: 'public',
        params: { type: { type: 'enum', values: ['ROLE', 'UNIT', 'USER'] }, id: 'string|max:64' },
        async handler(ctx: Ctx<{ type: 'ROLE' | 'UNIT' | 'USER'; id: string }>) {
          return { exists: await this.uc.subjectExists(ctx.params.type, ctx.params.id) };
        },
      },
      /**
       * Internal: the user behind an id as they are now (roles, unit, disabled). The gateway checks
       * every request's token against it, so disabling a user or changing their roles takes effect
       * at once, not when their token expires. Cached, and cleaned everywhere on a change.
       */
      resolveUser: {
        visibility: 'public',
        auth: 'system',
        params: { id: 'string|max:64' },
        cache: { keys: ['id'], ttl: 60 },
        async handler(ctx: Ctx<{ id: string }>) {
          const user = await this.uc.getUser(ctx.params.id);
          return { ...user.toPrincipal(), disabled: user.disabled, tokenVersion: user.tokenVersion };
        },
      },
    },

    events: {
      // A user or a service account changed somewhere: this node's cached copies go too.
      [USERS_CHANGED]: {
        async handler() {
          await this.broker.cacher?.clean('directory.resolveUser**');
          await this.broker.cacher?.clean('directory.resolveServiceAccount**');
        },
      },
      // Every node drops its cached unit paths when a unit is added anywhere.
      [UNITS_CHANGED]: {
        async handler() {
          await this.broker.cacher?.clean('directory.unitPaths**');
        },
      },
    },

    async started() {
      const db = database.get();
      const deps: DirectoryDeps = {
        repo: new TypeormDirectoryRepository(db),
        hasher: new ScryptHasher(),
        tokens: new JwtIssuer(
          resolveJwtSecret(config.auth.jwtSecret, config.dataDir),
          config.auth.jwtTtlSeconds,
        ),
        ids: ulidIds,
        clock: systemClock,
        throttle: this.broker.cacher
          ? new CacheLoginThrottle(new MoleculerCache(this.broker.cacher))
          : undefined,
      };
      this.uc = new DirectoryUseCases(deps);
      const uc = this.uc as DirectoryUseCases;
      this.accounts = new ServiceAccountUseCases({
        repo: new TypeormServiceAccountRepository(db),
        ids: ulidIds,
        clock: systemClock,
        newToken: newServiceAccountToken,
        knownRoles: () => uc.knownRoles(),
        checkUnit: (unitId) => uc.checkUnit(unitId),
      });
      const boot = await this.uc.bootstrap(config.auth.adminPassword, () =>
        crypto.randomBytes(12).toString('base64url'),
      );
      if (boot.created) {
        this.logger.warn(
          config.auth.adminPasswordFromEnv
            ? 'Created the first administrator "admin" with the password from ADMIN_PASSWORD.'
            : config.auth.adminPassword
              ? `Created the first administrator "admin" with the embedded default password "${config.auth.adminPassword}". Change it before you expose this node.`
              : `Created the first administrator "admin" with the generated password "${boot.password}". Change it now.`,
        );
      }
      if (config.demo.enabled) {
        const added = await seedDemoDirectory(deps, {
          units: DEMO_UNITS,
          roles: DEMO_ROLES,
          users: DEMO_USERS,
          password: DEMO_PASSWORD,
        });
        if (added) this.logger.info(`Seeded ${added} demo units, roles and users.`);
      }
    },
  };
}
