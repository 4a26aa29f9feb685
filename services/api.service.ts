import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Context, ServiceSchema } from 'moleculer';
import ApiGateway from 'moleculer-web';
import {
  EXPORT_PROGRESS,
  ProgressHub,
  type ProgressEvent,
  type TaskState,
} from '../mixins/http/progress-hub';
import type { AppConfig } from '../mixins/config/app-config';
import { KNOWN_SERVICES } from '../mixins/config/app-config';
import { principalResolverOf } from '../mixins/auth/caller-identity.middleware';
import { acceptedRequestId, sendJsonError } from '../mixins/http/http-errors';
import { identityErrors } from '../domain/shared/identity.errors';
import { isAdmin, type Principal } from '../domain/shared/principal';
import { toMoleculerError } from '../mixins/errors/error-mapper';
import { storageMixin } from '../mixins/lifecycle/storage.mixin';
import { downloadLinksFor, type DownloadLinks } from '../mixins/files/download-link';
import { receiveUpload } from '../mixins/files/upload-route';
import { serveContent } from '../mixins/files/content-route';
import { consoleAssetsMixin } from '../mixins/http/console-assets';
import { DeclaredRoutes, readiness, type KnownAlias, type Readiness } from '../mixins/http/readiness';
import { AccessErrors } from '../domain/shared/access.errors';
import { clusterHealth } from '../mixins/http/cluster-health';
import { successStatusOf, type StatusDeclaration } from '../mixins/http/success-status';
import { openApiDocument, servedRoutes, type GatewayAlias, type RouteNote } from '../mixins/http/openapi';
import { DirectReads, type DirectRequest, type Gateway } from '../mixins/http/direct-reads';

type Req = IncomingMessage & {
  $action?: { name: string; auth?: string } & StatusDeclaration;
  $ctx?: Context<unknown, { user?: { id: string } | null }>;
  $params?: Record<string, unknown>;
  query?: Record<string, unknown>;
  $startTime?: [number, number];
  originalUrl?: string;
};

/** Services whose `rest` actions the gateway publishes. Nothing else (no `$node.*`) is reachable. */
export const PUBLISHED = [
  'api.health',
  'api.openapi',
  'directory.*',
  'operationLogs.*',
  'permissions.*',
  'metadata.*',
  'fileTasks.*',
  'exports.*',
  'scheduler.*',
  'webhooks.*',
  'exportSchedules.*',
];

/**
 * The hot reads answered without moleculer-web's per-request wrapping (mixins/http/direct-reads.ts):
 * Table 3's getFileTaskById and getDownloadUrl.
 */
const DIRECT_READS = ['fileTasks.get', 'fileTasks.downloadUrl'];

/** The API version the OpenAPI document names (API.md v1 with the v1.1 additions). */
const API_VERSION = '1.1';

/** The routes served by handlers of this gateway rather than actions: their shape, by hand. */
const CUSTOM_ROUTES: Record<string, RouteNote> = {
  'POST /api/files': {
    summary: 'Upload a file (multipart: bizType, optional bizDomain and name, then file) → 201 FileTask',
    requestBody: {
      required: true,
      content: {
        'multipart/form-data': {
          schema: {
            type: 'object',
            required: ['bizType', 'file'],
            properties: {
              bizType: { type: 'string' },
              bizDomain: { type: 'string' },
              name: { type: 'string' },
              file: { type: 'string', contentMediaType: 'application/octet-stream' },
            },
          },
        },
      },
    },
    responses: { '201': { description: 'The stored FileTask' } },
    errorStatuses: [413],
  },
  'GET /api/files/:taskId/content': {
    summary: 'Download through a signed link (the token query parameter is the credential)',
    parameters: [
      {
        name: 'token',
        in: 'query',
        required: true,
        description: 'The signed link token from GET /api/file-tasks/{id}/download-url',
        schema: { type: 'string' },
      },
    ],
    responses: { '200': { description: 'The bytes' }, '206': { description: 'A range of the bytes' } },
    errorStatuses: [416],
  },
  'GET /api/file-tasks/:id/events': {
    summary: "Server-sent events of an export's status and progress",
    responses: { '200': { description: 'text/event-stream', content: { 'text/event-stream': {} } } },
  },
  'GET /api/health/ready': {
    summary: 'Readiness: 200 when every service and route this node needs is there, else 503',
  },
};

/** The services whose routes the gateway publishes. */
const PUBLISHED_SERVICES = [
  ...new Set(PUBLISHED.filter((p) => !p.startsWith('api.')).map((p) => p.split('.')[0])),
];

/**
 * What the gateway waits for before it is ready: a gateway-only node fronts the whole cluster and
 * needs every published service; a node that runs services of its own beside the gateway (the
 * embedded default, a partial dev or test node) needs those.
 */
export const neededServices = (services: readonly string[]): string[] => {
  const own = PUBLISHED_SERVICES.filter((s) => services.includes(s));
  return own.length ? own : PUBLISHED_SERVICES;
};

type HttpHandler = (
  this: unknown,
  req: IncomingMessage,
  res: ServerResponse,
  next?: unknown,
) => Promise<void>;

type Self = {
  logAccess: (req: Req, status: number, code?: string) => void;
  logger: Context['broker']['logger'];
};

/** An error of our own routes, in API.md's format, with its access log line. */
function answerError(self: Self, req: Req, res: ServerResponse, err: unknown): void {
  const mapped = toMoleculerError(err);
  if (mapped.code >= 500 && mapped.type === 'INTERNAL_ERROR') {
    self.logger.error(`[${req.$ctx?.requestID ?? '-'}] ${req.method} ${req.url ?? ''} failed`, err);
  }
  // An upload refused mid-body: the rest of the body is not worth reading, close after the answer.
  if (!req.complete && !res.headersSent) res.setHeader('Connection', 'close');
  const { status, code } = sendJsonError(req, res, mapped);
  self.logAccess(req, status, code);
}

/**
 * The REST gateway (moleculer-web): authenticates every route except the public ones, maps every
 * error to API.md's format, limits bodies, and tags each request with an id (X-Request-ID) that
 * follows the call through every node and appears in the logs.
 */
export function apiService(config: AppConfig): ServiceSchema {
  // Uploads and link downloads touch storage from the gateway itself (see mixins/files/upload-route.ts).
  const storage = storageMixin(config);
  let links: DownloadLinks | null = null;
  const downloadLinks = () => (links ??= downloadLinksFor(config));

  const hub = new ProgressHub(config.exports.maxAttempts);
  // The listener's address does not change once it serves requests: read it once, not per request.
  let ownBaseUrl: string | null = null;

  // Readiness: every route ever served is remembered, so a request for one whose service is gone
  // is answered 503 (try again), and nothing but health is served before the first time ready.
  const routes = new DeclaredRoutes();
  const NEEDED = neededServices(config.services);
  let ready: Readiness = { status: 'starting', missing: [...NEEDED] };
  /** A 404 for a route that exists, but whose service is not there (yet): 503 instead. */
  const unavailableInstead = (req: Req, err: unknown): unknown => {
    if ((err as { type?: unknown }).type !== 'NOT_FOUND') return err;
    const path = (req.originalUrl ?? req.url ?? '').split('?')[0];
    if (!path.startsWith('/api/')) return err;
    if (ready.status === 'starting' || routes.has(req.method ?? 'GET', path))
      return toMoleculerError(
        AccessErrors.serviceUnavailable('the service of this route is not available, try again'),
      );
    return err;
  };

  const direct = config.http.directReads
    ? new DirectReads(DIRECT_READS, () => ready.status === 'ready')
    : null;
  const gatewayHandler = (ApiGateway as unknown as { methods: { httpHandler: HttpHandler } }).methods
    .httpHandler;

  const fileRouteErrors = {
    bodyParsers: false,
    mappingPolicy: 'restrict',
    onError(this: Self, req: Req, res: ServerResponse, err: unknown) {
      answerError(this, req, res, err);
    },
  };

  return {
    name: 'api',
    // The web console at `/` (web/dist): requests no API route took.
    // Storage is listed last so it starts first: before the gateway listens (a failure stops the
    // node at start-up, not on the first upload), and it stops after the listener has closed.
    mixins: [ApiGateway, consoleAssetsMixin(), storage.mixin],
    settings: {
      rest: '/',
      port: config.http.port,
      requestTimeout: config.http.requestTimeoutMs,
      ip: config.http.host,
      // Our own access log below carries the request id and the status.
      logRequest: null,
      // The route table is logged once, when the gateway is first ready (checkReadiness), not at
      // every regeneration of the aliases (each service change).
      logRouteRegistration: false,
      logResponse: null,
      log4XXResponses: false,
      logRequestParams: null,
      logResponseData: null,
      rootCallOptions(options: { requestID?: string }, req: Req) {
        options.requestID = acceptedRequestId(req.headers['x-request-id'] ?? req.headers['x-correlation-id']);
      },
      routes: [
        {
          // Multipart uploads, parsed here as a stream (no body parser): see receiveUpload.
          name: 'file-upload',
          path: '/api/files',
          authentication: true,
          ...fileRouteErrors,
          aliases: {
            async 'POST /'(this: Self, req: Req, res: ServerResponse) {
              const ctx = req.$ctx!;
              try {
                const s = storage.get();
                const received = await receiveUpload(ctx, req, {
                  storage: s,
                  uploadMaxBytes: config.http.uploadMaxBytes,
                });
                let view: { id: string };
                try {
                  view = await ctx.call<{ id: string }, typeof received>('fileTasks.recordUpload', received);
                } catch (e) {
                  // No record, no bytes: the object goes when the record cannot have been written
                  // (refused, failed and rolled back, or no node to write it). When the call may
                  // have committed unseen (timed out, or its node went away mid-call) the object
                  // stays: orphan collection removes it if no record appears; a record without its
                  // bytes would be lost data.
                  const key = received.file.storageKey;
                  const type = (e as { type?: unknown }).type;
                  if (type === 'REQUEST_TIMEOUT' || type === 'REQUEST_REJECTED') {
                    this.logger.warn(
                      `upload ${received.id}: record write unconfirmed (${type}), object ${key} kept`,
                    );
                  } else {
                    await s.delete(key).catch((err: unknown) => {
                      this.logger.warn(`object ${key} stays for orphan collection`, err);
                    });
                  }
                  throw e;
                }
                const body = JSON.stringify(view);
                res.writeHead(201, {
                  'Content-Type': 'application/json; charset=utf-8',
                  'Content-Length': Buffer.byteLength(body),
                  // As fileTasks.upload's 201: the created task.
                  Location: `/api/file-tasks/${view.id}`,
                });
                res.end(body);
                this.logAccess(req, 201);
              } catch (e) {
                answerError(this, req, res, e);
              }
            },
          },
        },
        {
          // Signed download links: the token is the credential, so no bearer authentication.
          name: 'file-content',
          path: '/api/files',
          authentication: false,
          ...fileRouteErrors,
          aliases: {
            async 'GET /:taskId/content'(this: Self, req: Req, res: ServerResponse) {
              try {
                const status = await serveContent(
                  req.$ctx!,
                  req,
                  res,
                  { taskId: req.$params?.taskId, token: req.query?.token },
                  { storage: storage.get(), links: downloadLinks(), redirect: config.downloads.redirect },
                );
                this.logAccess(req, status);
              } catch (e) {
                answerError(this, req, res, e);
              }
            },
          },
        },
        {
          // Server-sent events of an export's progress; visibility as for GET /api/file-tasks/:id.
          name: 'file-task-events',
          path: '/api/file-tasks',
          authentication: true,
          ...fileRouteErrors,
          aliases: {
            async 'GET /:id/events'(this: Self, req: Req, res: ServerResponse) {
              try {
                const read = () =>
                  req.$ctx!.call<TaskState, { id: string }>('fileTasks.get', {
                    id: typeof req.$params?.id === 'string' ? req.$params.id : '',
                  });
                const task = await read();
                hub.open(res, task);
                this.logAccess(req, 200);
                const now = await read().catch(() => null);
                if (now) hub.catchUp(task, now);
              } catch (e) {
                answerError(this, req, res, e);
              }
            },
          },
        },
        {
          // API.md "Readiness". A plain handler, not an action: it answers from the moment the
          // gateway listens, before moleculer-web has generated any alias or the api service is
          // registered.
          name: 'readiness',
          path: '/api/health',
          authentication: false,
          ...fileRouteErrors,
          aliases: {
            'GET /ready'(this: { checkReadiness(): Readiness }, _req: Req, res: ServerResponse) {
              const r = this.checkReadiness();
              const body = JSON.stringify(r.status === 'ready' ? { status: 'ready' } : r);
              res.writeHead(r.status === 'ready' ? 200 : 503, {
                'Content-Type': 'application/json; charset=utf-8',
                'Content-Length': Buffer.byteLength(body),
                'Cache-Control': 'no-store',
              });
              // Not in the access log: a load balancer asks every few seconds, and a 503 there is no error.
              res.end(body);
            },
          },
        },
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
            ctx: Context<unknown, { $statusCode?: number }>,
            _route: unknown,
            req: Req,
            _res: ServerResponse,
            data: unknown,
          ) {
            // The action's declared status (success-status.ts) unless the handler chose one; the
            // access log records what is sent, which moleculer-web sets only after this hook.
            ctx.meta.$statusCode = successStatusOf(ctx.meta.$statusCode, req.$action);
            this.logAccess(req, ctx.meta.$statusCode);
            return data;
          },
          onError(
            this: { logAccess: (req: Req, status: number, code?: string) => void },
            req: Req,
            res: ServerResponse,
            err: unknown,
          ) {
            const { status, code } = sendJsonError(req, res, unavailableInstead(req, err));
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
        const { status, code } = sendJsonError(req, res, unavailableInstead(req, err));
        this.logAccess(req, status, code);
      },
    },

    actions: {
      // moleculer-web's HTTP entry: public, since routes authenticate inside it (authenticate
      // below). Its listAliases/addRoute/removeRoute keep the default: a verified caller only.
      // No retries and no breaker of its own: the actions it calls have theirs. A retry here
      // replayed the route on a request already read, after 100 ms, 200 ms… (a retryable error
      // was retried per action and then once more per request), and a breaker here would cut off
      // the whole HTTP entry after a run of one action's 5xx answers.
      rest: { auth: 'public', retryPolicy: { enabled: false }, circuitBreaker: { enabled: false } },
      openapi: {
        rest: 'GET /openapi.json',
        auth: 'public',
        handler(this: { aliases?: GatewayAlias[]; broker: Context['broker'] }) {
          return openApiDocument(
            servedRoutes(this.aliases ?? [], this.broker.registry),
            {
              title: 'File Task Center',
              version: API_VERSION,
              description: 'REST API of the File Task Center (generated from the gateway route table).',
            },
            CUSTOM_ROUTES,
          );
        },
      },
      health: {
        rest: 'GET /health',
        auth: 'public',
        handler(this: { broker: Context['broker'] }, ctx: Context<unknown, { user?: Principal | null }>) {
          // Node ids and host names map the deployment: only an ADMIN caller sees them.
          const admin = Boolean(ctx.meta.user && isAdmin(ctx.meta.user));
          return clusterHealth(this.broker.registry, this.broker.nodeID, KNOWN_SERVICES, admin);
        },
      },
    },

    events: {
      // moleculer-web has (re)generated its aliases: the routes served may have changed.
      '$api.aliases.regenerated': {
        handler(this: { checkReadiness(): Readiness }) {
          this.checkReadiness();
        },
      },
      // Broadcast by export nodes; forwarded to the open event streams of that task on this gateway.
      [EXPORT_PROGRESS]: {
        handler(this: Self, ctx: Context<ProgressEvent>) {
          hub.publish(ctx.params);
        },
      },
    },

    methods: {
      /** moleculer-web's request entry, with the direct reads taken first. */
      httpHandler(this: Gateway, req: DirectRequest, res: ServerResponse, next?: unknown) {
        if (direct?.handle(this, req, res)) return;
        return gatewayHandler.call(this, req, res, next);
      },
      /** Readiness as the registry and the alias table say now; logs the route table once, when first ready. */
      checkReadiness(this: {
        broker: Context['broker'];
        logger: Context['broker']['logger'];
        aliases: KnownAlias[];
      }) {
        const registry = this.broker.registry as unknown as {
          getServiceList(o: { onlyAvailable: boolean; skipInternal: boolean }): { name: string }[];
        };
        const available = new Set(
          registry.getServiceList({ onlyAvailable: true, skipInternal: true }).map((x) => x.name),
        );
        const routed = routes.remember(this.aliases ?? []);
        const before = ready.status;
        ready = readiness(NEEDED, available, routed, before !== 'starting');
        if (ready.status !== before) {
          if (before === 'starting') this.logger.info(`ready: ${routes.size} routes\n${routes.table()}`);
          else if (ready.status === 'ready') this.logger.info('ready again: every service is back');
          else this.logger.warn(`degraded: ${ready.missing.join(', ')} not available`);
        }
        return ready;
      },
      async authenticate(
        this: { server: import('node:http').Server; broker: Context['broker'] },
        ctx: Context<unknown, { clientIp?: string; gatewayBaseUrl?: string; token?: string }>,
        _route: unknown,
        req: Req,
      ) {
        // The peer address, for per-client limits such as the sign-in throttle. Behind a proxy this
        // is the proxy: X-Forwarded-For is not trusted, since any client can send it.
        ctx.meta.clientIp = req.socket.remoteAddress ?? 'unknown';
        // Where download links point when PUBLIC_BASE_URL is unset: this gateway's own address
        // (the real port, also when PORT=0 chose a free one).
        if (!config.downloads.publicBaseUrl)
          ctx.meta.gatewayBaseUrl = ownBaseUrl ??= gatewayBaseUrl(this.server);
        // Nothing but health before the services the gateway needs are there: a client or load
        // balancer that trusts an early listener gets "try again", not a 404 or a wrong 401.
        const name = req.$action?.name;
        if (
          name !== 'api.health' &&
          ready.status === 'starting' &&
          (this as unknown as { checkReadiness(): Readiness }).checkReadiness().status === 'starting'
        )
          throw toMoleculerError(AccessErrors.serviceUnavailable('the gateway is starting, try again'));
        const header = req.headers.authorization;
        const match = typeof header === 'string' ? /^Bearer\s+(\S+)$/i.exec(header) : null;
        if (req.$action?.auth === 'public') {
          // A public route still learns who an ADMIN caller is (health shows them node details);
          // a bad credential there is simply no caller.
          if (!match) return null;
          return principalResolverOf(this.broker)
            .resolve(match[1], this.broker.nodeID)
            .then((p) => {
              ctx.meta.token = match[1];
              return p;
            })
            .catch(() => null);
        }
        if (!match) throw toMoleculerError(identityErrors.noToken());
        try {
          // Who the token names, as the directory has them now (cached on this node, dropped on a
          // change broadcast): a revoked token or a disabled user is refused at once (401); a
          // directory that cannot answer is 503, never 401.
          const principal = await principalResolverOf(this.broker).resolve(match[1], this.broker.nodeID);
          // The credential travels with the call: the node that runs the action verifies it again.
          ctx.meta.token = match[1];
          return principal;
        } catch (e) {
          throw toMoleculerError(e);
        }
      },
      logAccess(this: { logger: Context['broker']['logger'] }, req: Req, status: number, code?: string) {
        const elapsed = req.$startTime ? process.hrtime(req.$startTime) : null;
        const ms = elapsed ? (elapsed[0] * 1e3 + elapsed[1] / 1e6).toFixed(1) : '-';
        const user = req.$ctx?.meta.user?.id ?? '-';
        // Signed links carry their credential in the query string: never write it to a log.
        const raw = req.originalUrl ?? req.url ?? '';
        const url = raw.includes('token=') ? raw.replace(/([?&]token=)[^&]*/g, '$1***') : raw;
        const line = `[${req.$ctx?.requestID ?? '-'}] ${req.method} ${url} ${status} ${ms}ms user=${user}${code ? ` ${code}` : ''}`;
        if (status >= 500) this.logger.error(line);
        else this.logger.info(line);
      },
    },

    async stopped() {
      hub.close();
    },

    created() {
      // Fail fast at start-up rather than on the first request.
      downloadLinks();
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

function gatewayBaseUrl(server: import('node:http').Server): string {
  const address = server.address();
  if (!address || typeof address === 'string') return 'http://localhost';
  // A wildcard listener has no address a client could use: name this host instead.
  if (address.address === '0.0.0.0' || address.address === '::') return `http://localhost:${address.port}`;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return `http://${host}:${address.port}`;
}
