import type { Context, Middleware, ServiceBroker } from 'moleculer';
import type { AppConfig } from '../config/app-config';
import { isSystem, SYSTEM_PRINCIPAL, type Principal } from '../../domain/shared/principal';
import { identityErrors } from '../../domain/shared/identity.errors';
import { toMoleculerError } from '../errors/error-mapper';
import { USERS_CHANGED } from '../directory/directory-events';
import { JwtIssuer, resolveJwtSecret } from './jwt-issuer';
import { SystemTokens } from './system-token';
import { PrincipalResolver, type SubjectRecord } from './principal-resolver';

/**
 * How an action says who may call it (`auth` in its schema):
 * - `'public'`: anyone, no credential (health, login);
 * - absent: any verified caller: a user, a service account or the system principal;
 * - `'system'`: only this cluster's own work (internals that trust their parameters, such as a
 *   chunk reader handed a row scope).
 * Services of Moleculer itself (`$node.*`) are public: their content is in every INFO packet.
 */
export type ActionAuth = 'public' | 'system' | undefined;

type Meta = { user?: Principal | null; token?: unknown };

/** How long a node believes a user record without hearing of a change (revocation bound). */
const SUBJECT_TTL_MS = 4_000;

const resolvers = new WeakMap<ServiceBroker, PrincipalResolver>();

/** The resolver of this broker (the gateway authenticates with it, so both share one cache). */
export function principalResolverOf(broker: ServiceBroker): PrincipalResolver {
  const r = resolvers.get(broker);
  if (!r) throw new Error('the caller identity middleware is not registered on this broker');
  return r;
}

/** Call options for work this node does on its own behalf (scheduler, export jobs, relay, links). */
export function asSystem(): { meta: { user: Principal } } {
  return { meta: { user: SYSTEM_PRINCIPAL } };
}

const PACKETS_WITH_META = new Set(['REQ', 'EVENT', 'RES']);

/**
 * Caller identity on every action, once, for every node (registered in moleculer.config.ts as the
 * outermost action middleware, so no cached answer, validation message or handler runs before it).
 *
 * 1. At the transporter: `meta.user` of every incoming request, event and response is dropped. A
 *    principal object is believed only when code in this process put it there.
 * 2. On every local action: with no principal yet, the credential in `meta.token` (a user JWT, a
 *    service account token or a system token) is verified and resolved, and the action runs for
 *    that principal; without one a protected action fails UNAUTHENTICATED.
 * 3. On every remote call made as the system principal, this node's system token goes with it.
 *    User tokens travel in `meta.token` as they came, so the next node resolves them itself.
 */
export function callerIdentityMiddleware(config: AppConfig): Middleware {
  let resolver: PrincipalResolver;
  let system: SystemTokens;
  return {
    name: 'CallerIdentity',

    created(broker: ServiceBroker) {
      const secret = resolveJwtSecret(config.auth.jwtSecret, config.dataDir);
      system = new SystemTokens(secret, broker.nodeID);
      const jwt = new JwtIssuer(secret, config.auth.jwtTtlSeconds);
      resolver = new PrincipalResolver({
        verifyJwt: (t) => jwt.verify(t),
        system,
        ttlMs: SUBJECT_TTL_MS,
        fetch: (kind, id) =>
          broker
            .call<SubjectRecord, { id: string }>(
              kind === 'user' ? 'directory.resolveUser' : 'directory.resolveServiceAccount',
              { id },
              asSystem(),
            )
            .catch((e: unknown) => {
              if ((e as { code?: unknown }).code === 404) return null;
              throw e;
            }),
      });
      resolvers.set(broker, resolver);
      // Every node hears of changed users and service accounts, whatever services it runs.
      broker.createService({
        name: '$callerIdentity',
        events: {
          [USERS_CHANGED]: {
            handler(ctx: Context<{ id?: unknown } | null>) {
              const id = ctx.params?.id;
              resolver.forget(typeof id === 'string' ? id : undefined);
            },
          },
        },
      });
    },

    transitMessageHandler(next: (cmd: string, packet: { payload?: { meta?: Meta } }) => unknown) {
      return (cmd: string, packet: { payload?: { meta?: Meta } }) => {
        const meta = packet.payload?.meta;
        if (meta && PACKETS_WITH_META.has(cmd)) {
          delete meta.user;
          // A response's meta is merged into the caller's: it must not swap the caller's credential.
          if (cmd === 'RES') delete meta.token;
        }
        return next(cmd, packet);
      };
    },

    remoteAction(next: (ctx: Context<unknown, Meta>) => Promise<unknown>) {
      return (ctx: Context<unknown, Meta>) => {
        if (isSystem(ctx.meta.user)) ctx.meta.token = system.current();
        return next(ctx);
      };
    },

    localAction(
      next: (ctx: Context<unknown, Meta>) => Promise<unknown>,
      action: { name: string; auth?: ActionAuth; service?: { name: string } },
    ) {
      const rule = action.service?.name.startsWith('$') ? 'public' : (action.auth ?? 'caller');
      if (rule === 'public') return next;
      const admit = (ctx: Context<unknown, Meta>, user: Principal) => {
        if (rule === 'system' && !isSystem(user))
          return Promise.reject(toMoleculerError(identityErrors.systemOnly(action.name)));
        return next(ctx);
      };
      return (ctx: Context<unknown, Meta>) => {
        const user = ctx.meta.user;
        if (user) return admit(ctx, user);
        const token = ctx.meta.token;
        if (typeof token !== 'string' || token === '')
          return Promise.reject(toMoleculerError(identityErrors.unauthenticated()));
        return resolver.resolve(token, ctx.nodeID).then(
          (p) => {
            ctx.meta.user = p;
            return admit(ctx, p);
          },
          (e: unknown) => {
            throw toMoleculerError(e);
          },
        );
      };
    },
  } as unknown as Middleware;
}
