import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Context, ServiceBroker } from 'moleculer';
import ApiGateway from 'moleculer-web';

/**
 * Direct reads: the hottest GET routes (a task by id, its download link) answered with
 * moleculer-web's own pieces — its alias table, the route's authentication and onAfterCall hook,
 * the action call, sendResponse and errorHandler, in moleculer-web's order — but without what it
 * wraps around every request: the `api.rest` action call (a Context through the whole middleware
 * chain), a Promise with three response listeners per request, and the route's middleware chain
 * (the JSON body parser, which has nothing to parse on a GET). A profile of the embedded default
 * under load put those at ~20 % of a request's CPU (bench/README.md "Direct reads").
 *
 * Only a request that moleculer-web would treat exactly the same way takes this path: a GET with
 * no query string, no trailing slash and no body, to an action of `actions`, through an alias
 * with no custom handler on a route with no CORS, rate limit, onBeforeCall or authorization hook,
 * while the gateway is ready. Everything else (and everything when the gateway is starting or
 * degraded, whose answers readiness shapes) goes through moleculer-web's handler unchanged.
 * The root context is tracked like the `rest` call's, so a graceful stop still waits for the
 * answer. moleculer-web's own request and response log lines are not written here: this gateway
 * turns them off (its access log is the route's onAfterCall / onError, which run here too).
 * test/service/direct-reads.test.ts sends each request both ways and compares the answers.
 */

type Route = {
  path: string;
  opts: Record<string, unknown>;
  callOptions?: Record<string, unknown>;
  cors?: unknown;
  rateLimit?: unknown;
  onBeforeCall?: unknown;
  authorization?: unknown;
  authentication?: (
    this: Gateway,
    ctx: Context,
    route: Route,
    req: DirectRequest,
    res: ServerResponse,
    alias: Alias,
  ) => Promise<unknown>;
  onAfterCall?: (
    this: Gateway,
    ctx: Context,
    route: Route,
    req: DirectRequest,
    res: ServerResponse,
    data: unknown,
  ) => unknown;
};
type Alias = { action?: string; handler?: unknown; route: Route };
type Endpoint = { action: { name: string; visibility?: string } };

export type DirectRequest = IncomingMessage & {
  $startTime?: [number, number];
  $service?: unknown;
  $ctx?: Context;
  $route?: Route;
  $alias?: Alias;
  $params?: Record<string, unknown>;
  $endpoint?: Endpoint;
  $action?: Endpoint['action'];
  originalUrl?: string;
  parsedUrl?: string;
  baseUrl?: string;
  query?: Record<string, unknown>;
};

/** What of the gateway service (moleculer-web's methods and settings) a direct read uses. */
export interface Gateway {
  broker: ServiceBroker;
  settings: { rootCallOptions?: unknown };
  resolveAlias(url: string, method: string): { alias: Alias; params: Record<string, unknown> } | false;
  sendResponse(req: DirectRequest, res: ServerResponse, data: unknown, action: Endpoint['action']): void;
  errorHandler(req: DirectRequest, res: ServerResponse, err: unknown): void;
  /** Moleculer's request tracking (ContextTracker): the contexts a graceful stop waits for. */
  _trackedContexts?: Context[];
}

const { ServiceNotFoundError, ServiceUnavailableError } = ApiGateway.Errors as unknown as {
  // A subtype of Error, so that "not this one" still leaves an Error to rethrow.
  ServiceNotFoundError: new (data: unknown) => Error & { type: 'SERVICE_NOT_FOUND' };
  ServiceUnavailableError: new () => Error;
};

export class DirectReads {
  private readonly actions: ReadonlySet<string>;

  /** `ready()`: whether the gateway serves normally now (readiness answers otherwise). */
  constructor(
    actions: readonly string[],
    private readonly ready: () => boolean,
  ) {
    this.actions = new Set(actions);
  }

  /** Answers the request and returns true if it is one of ours; false leaves it to moleculer-web. */
  handle(gateway: Gateway, req: DirectRequest, res: ServerResponse): boolean {
    const url = req.url ?? '';
    if (req.method !== 'GET' || url.includes('?') || (url.length > 1 && url.endsWith('/'))) return false;
    // A GET with a body: the body parser would merge it into the parameters.
    if (req.headers['transfer-encoding'] !== undefined) return false;
    const length = req.headers['content-length'];
    if (length !== undefined && length !== '0') return false;
    if (!this.ready()) return false;
    let found: ReturnType<Gateway['resolveAlias']>;
    try {
      found = gateway.resolveAlias(url, 'GET');
    } catch {
      // A parameter that does not decode (`%zz`): moleculer-web answers it (400).
      return false;
    }
    if (!found) return false;
    const { alias } = found;
    const route = alias.route;
    if (!alias.action || !this.actions.has(alias.action) || alias.handler) return false;
    if (route.cors || route.rateLimit || route.onBeforeCall || route.authorization) return false;
    void this.answer(gateway, req, res, alias, route, found.params);
    return true;
  }

  private async answer(
    gateway: Gateway,
    req: DirectRequest,
    res: ServerResponse,
    alias: Alias,
    route: Route,
    aliasParams: Record<string, unknown>,
  ): Promise<void> {
    let tracked: Context[] | undefined;
    let root: Context | undefined;
    try {
      // What moleculer-web's httpHandler and `rest` action set up before routing.
      req.$startTime = process.hrtime();
      req.$service = gateway;
      (res as ServerResponse & { $service?: unknown }).$service = gateway;
      const header = req.headers['x-correlation-id'] ?? req.headers['x-request-id'];
      const options: { requestID?: string } = { requestID: Array.isArray(header) ? header[0] : header };
      const rootOptions = gateway.settings.rootCallOptions;
      if (typeof rootOptions === 'function') rootOptions.call(gateway, options, req, res);
      else if (rootOptions && typeof rootOptions === 'object') Object.assign(options, rootOptions);
      // The root context of the request, as `rest`'s (which is private: it has no endpoint to name).
      const broker = gateway.broker;
      const ctx = (
        broker as unknown as {
          ContextFactory: { create(b: ServiceBroker, e: null, p: unknown, o: unknown): Context };
        }
      ).ContextFactory.create(broker, null, { req, res }, options);
      // Tracked as the `rest` call would be: the gateway's graceful stop waits for this answer.
      tracked = gateway._trackedContexts;
      tracked?.push(ctx);
      root = ctx;
      req.$ctx = ctx;
      (res as ServerResponse & { $ctx?: Context }).$ctx = ctx;
      res.setHeader('X-Request-ID', ctx.requestID!);
      req.originalUrl = req.url;
      req.parsedUrl = req.url;
      req.query = {};
      req.baseUrl = route.path;
      req.url = req.originalUrl!.substring(route.path.length) || '/';
      if (req.url[0] !== '/') req.url = `/${req.url}`;
      req.$route = route;
      (res as ServerResponse & { $route?: Route }).$route = route;
      // routeHandler: the parameters are the alias's (no body, no query).
      const params: Record<string, unknown> = { ...aliasParams };
      req.$params = params;
      req.$alias = alias;
      // aliasHandler: the endpoint, then authentication.
      const endpoint = (
        broker as unknown as {
          findNextActionEndpoint(a: string, o: unknown, c: Context): Endpoint | Error;
        }
      ).findNextActionEndpoint(alias.action!, route.callOptions, ctx);
      if (endpoint instanceof Error) {
        if (endpoint instanceof ServiceNotFoundError) throw new ServiceUnavailableError();
        throw endpoint;
      }
      if (endpoint.action.visibility != null && endpoint.action.visibility !== 'published')
        throw new ServiceNotFoundError({ action: alias.action });
      req.$endpoint = endpoint;
      req.$action = endpoint.action;
      if (route.authentication) {
        const user = await route.authentication.call(gateway, ctx, route, req, res, alias);
        (ctx.meta as { user?: unknown }).user = user ?? null;
      }
      // callAction.
      let data = await ctx.call(endpoint as never, params, route.callOptions ? { ...route.callOptions } : {});
      if (route.onAfterCall) data = await route.onAfterCall.call(gateway, ctx, route, req, res, data);
      gateway.sendResponse(req, res, data, endpoint.action);
    } catch (err) {
      gateway.errorHandler(req, res, err);
    } finally {
      const at = root && tracked ? tracked.indexOf(root) : -1;
      if (at !== -1) tracked!.splice(at, 1);
    }
  }
}
