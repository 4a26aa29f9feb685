import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Context, ServiceSchema } from 'moleculer';
import ApiGateway from 'moleculer-web';
import type { AppConfig } from '../mixins/config/app-config';
import { KNOWN_SERVICES } from '../mixins/config/app-config';
import { JwtIssuer, resolveJwtSecret } from '../mixins/auth/jwt-issuer';
import { acceptedRequestId, sendJsonError } from '../mixins/http/http-errors';
import { unauthorized } from '../domain/shared/errors';
import { toMoleculerError } from '../mixins/errors/error-mapper';

type Req = IncomingMessage & {
  $action?: { name: string; auth?: string };
  $ctx?: Context<unknown, { user?: { id: string } | null }>;
  $startTime?: [number, number];
  originalUrl?: string;
};

/** Services whose `rest` actions the gateway publishes. Nothing else (no `$node.*`) is reachable. */
export const PUBLISHED = ['api.health', 'directory.*', 'operationLogs.*', 'permissions.*', 'fileTasks.*'];

/**
 * The REST gateway (moleculer-web): authenticates every route except the public ones, maps every
 * error to API.md's format, limits bodies, and tags each request with an id (X-Request-ID) that
 * follows the call through every node and appears in the logs.
 */
export function apiService(config: AppConfig): ServiceSchema {
  let tokens: JwtIssuer | null = null;
  const issuer = () =>
    (tokens ??= new JwtIssuer(
      resolveJwtSecret(config.auth.jwtSecret, config.dataDir),
      config.auth.jwtTtlSeconds,
    ));

  return {
    name: 'api',
    mixins: [ApiGateway],
    settings: {
      rest: '/',
      port: config.http.port,
      ip: config.http.host,
      // Our own access log below carries the request id and the status.
      logRequest: null,
      logResponse: null,
      log4XXResponses: false,
      logRequestParams: null,
      logResponseData: null,
      rootCallOptions(options: { requestID?: string }, req: Req) {
        options.requestID = acceptedRequestId(req.headers['x-request-id'] ?? req.headers['x-correlation-id']);
      },
      routes: [
        {
          path: '/api',
          whitelist: PUBLISHED,
          autoAliases: true,
          // Only declared aliases answer: /api/directory/login or /api/$node/list are 404.
          mappingPolicy: 'restrict',
          authentication: true,
          bodyParsers: { json: { strict: true, limit: config.http.jsonBodyLimit }, urlencoded: false },
          // No route-level call timeout: it would override an action's own (e.g. logs/verify walks
          // the whole chain); the broker's REQUEST_TIMEOUT_MS is the default for every other action.
          onAfterCall(
            this: { logAccess: (req: Req, status: number) => void },
            _ctx: Context,
            _route: unknown,
            req: Req,
            res: ServerResponse,
            data: unknown,
          ) {
            this.logAccess(req, res.statusCode || 200);
            return data;
          },
          onError(
            this: { logAccess: (req: Req, status: number, code?: string) => void },
            req: Req,
            res: ServerResponse,
            err: unknown,
          ) {
            const { status, code } = sendJsonError(req, res, err);
            this.logAccess(req, status, code);
          },
        },
      ],
      onError(
        this: { logAccess: (req: Req, status: number, code?: string) => void },
        req: Req,
        res: ServerResponse,
        err: unknown,
      ) {
        const { status, code } = sendJsonError(req, res, err);
        this.logAccess(req, status, code);
      },
    },

    actions: {
      health: {
        rest: 'GET /health',
        auth: 'public',
        handler(this: { broker: Context['broker'] }) {
          const registry = this.broker.registry as unknown as {
            getNodeList(o: {
              onlyAvailable: boolean;
              withServices: boolean;
            }): { id: string; available: boolean; hostname?: string }[];
            getServiceList(o: {
              onlyLocal: boolean;
              onlyAvailable: boolean;
              skipInternal: boolean;
              withActions: boolean;
            }): {
              name: string;
              nodeID: string;
              available: boolean;
            }[];
          };
          const nodes = registry.getNodeList({ onlyAvailable: true, withServices: false });
          const byName = new Map<string, string[]>();
          for (const s of registry.getServiceList({
            onlyLocal: false,
            onlyAvailable: true,
            skipInternal: true,
            withActions: false,
          })) {
            byName.set(s.name, [...(byName.get(s.name) ?? []), s.nodeID]);
          }
          const missing = [...KNOWN_SERVICES].filter((name) => !byName.has(name));
          return {
            status: missing.length ? 'degraded' : 'ok',
            nodes: nodes.map((n) => ({
              id: n.id,
              hostname: n.hostname ?? null,
              local: n.id === this.broker.nodeID,
            })),
            services: [...byName]
              .map(([name, nodeIds]) => ({ name, nodes: nodeIds.sort() }))
              .sort((a, b) => a.name.localeCompare(b.name)),
            missing,
          };
        },
      },
    },

    methods: {
      authenticate(ctx: Context<unknown, { clientIp?: string }>, _route: unknown, req: Req) {
        // The peer address, for per-client limits such as the sign-in throttle. Behind a proxy this
        // is the proxy: X-Forwarded-For is not trusted, since any client can send it.
        ctx.meta.clientIp = req.socket.remoteAddress ?? 'unknown';
        if (req.$action?.auth === 'public') return null;
        const header = req.headers.authorization;
        const match = typeof header === 'string' ? /^Bearer\s+(\S+)$/i.exec(header) : null;
        if (!match) throw toMoleculerError(unauthorized('NO_TOKEN', 'send Authorization: Bearer <token>'));
        try {
          return issuer().verify(match[1]);
        } catch (e) {
          throw toMoleculerError(e);
        }
      },
      logAccess(this: { logger: Context['broker']['logger'] }, req: Req, status: number, code?: string) {
        const elapsed = req.$startTime ? process.hrtime(req.$startTime) : null;
        const ms = elapsed ? (elapsed[0] * 1e3 + elapsed[1] / 1e6).toFixed(1) : '-';
        const user = req.$ctx?.meta.user?.id ?? '-';
        // Signed links carry their credential in the query string: never write it to a log.
        const url = (req.originalUrl ?? req.url ?? '').replace(/([?&]token=)[^&]*/g, '$1***');
        const line = `[${req.$ctx?.requestID ?? '-'}] ${req.method} ${url} ${status} ${ms}ms user=${user}${code ? ` ${code}` : ''}`;
        if (status >= 500) this.logger.error(line);
        else this.logger.info(line);
      },
    },

    created() {
      // Fail fast at start-up rather than on the first request.
      issuer();
      // moleculer-web only logs a listen error (e.g. EADDRINUSE) and never finishes starting: a node
      // that cannot serve HTTP must stop with an error instead of running on without a listener.
      const server = (this as unknown as { server: import('node:http').Server }).server;
      server.on('error', (err: NodeJS.ErrnoException) => {
        if (!server.listening) {
          this.broker.fatal(
            `cannot listen on ${config.http.host}:${config.http.port} (${err.code ?? err.message})`,
            err,
            true,
          );
        }
      });
    },
  };
}
