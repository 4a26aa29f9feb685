import { isOptional, objectSchema, toJsonSchema, type JsonSchema } from './fv-json-schema';
import { declaredStatuses, type StatusDeclaration } from './success-status';

/** A route of the gateway as moleculer-web holds it (listAliases), with its action's definition. */
export interface RouteAlias {
  method: string;
  /** `/api/export-schedules/:id`. */
  fullPath: string;
  actionName: string | null;
  /** The action's definition as the registry has it: `params`, `auth`, … (null: a custom handler). */
  action: Record<string, unknown> | null;
  /** Whether the route authenticates (a bearer token) unless its action is public. */
  authenticated: boolean;
}

/** What a route says about itself that no action schema can: a custom handler's shape. */
export interface RouteNote {
  summary: string;
  /** Query parameters a custom handler reads (it has no action schema to take them from). */
  parameters?: Record<string, unknown>[];
  requestBody?: Record<string, unknown>;
  responses?: Record<string, unknown>;
  /** As an action's `errorStatuses`. */
  errorStatuses?: readonly number[];
}

const ERROR_STATUSES: Record<string, string> = {
  '400': 'Invalid input (VALIDATION_ERROR and the codes of docs/architecture.md)',
  '401': 'No, or an invalid, bearer token',
  '403': 'Authenticated but not allowed',
  '404': 'Not found, or not visible to the caller',
  '409': 'Conflict or illegal state transition',
  '503': 'A dependency is down (retry later)',
};

/** Error answers only some routes give: an action lists them in `errorStatuses`. */
const OPTIONAL_ERROR_STATUSES: Record<string, string> = {
  '413': 'The request body is larger than allowed',
  '416': 'The requested byte range is not satisfiable',
  '429': 'Too many requests, or a quota is used up: see the Retry-After header',
};

const SUCCESS_DESCRIPTIONS: Record<string, string> = {
  '200': 'Success',
  '201': 'Created',
  '202': 'Accepted: the work goes on in the background',
  '204': 'Done, nothing to return',
};

const errorResponse = (description: string) => ({
  description,
  content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
});

/** A route as moleculer-web's `aliases` hold it (the fields the document reads). */
export type GatewayAlias = {
  method: string;
  fullPath: string;
  action?: string;
  route?: { opts?: { authentication?: unknown } };
};

/** The part of Moleculer's registry the document reads (its typings omit getActionList's shape). */
type ActionRegistry = { getActionList(o: object): unknown };

/**
 * The routes moleculer-web serves right now, each with its action's definition from the registry
 * (remote services' too): the document cannot list a route that is not served, nor miss one that
 * is. A route whose service is down is not served, so it is not described until it is back.
 */
export function servedRoutes(aliases: readonly GatewayAlias[], registry: ActionRegistry): RouteAlias[] {
  const actions = new Map(
    (registry.getActionList({}) as { name: string; action?: Record<string, unknown> }[]).map((a) => [
      a.name,
      a.action ?? null,
    ]),
  );
  return aliases.map((a) => ({
    method: a.method,
    fullPath: a.fullPath,
    actionName: a.action ?? null,
    action: a.action ? (actions.get(a.action) ?? null) : null,
    authenticated: Boolean(a.route?.opts?.authentication),
  }));
}

/** `/api/file-tasks/:id` → `/api/file-tasks/{id}` and its path parameter names. */
export function openApiPath(fullPath: string): { path: string; names: string[] } {
  const names: string[] = [];
  const path = fullPath.replace(/:([A-Za-z0-9_]+)\??/g, (_m, n: string) => {
    names.push(n);
    return `{${n}}`;
  });
  return { path, names };
}

/** A route's success answers: what its action declares (success-status.ts), else 200. */
function successResponses(action: StatusDeclaration | null): Record<string, unknown> {
  const declared = declaredStatuses(action);
  return Object.fromEntries(
    (declared.length ? declared : [200]).map((code) => {
      const s = String(code);
      const description = SUCCESS_DESCRIPTIONS[s] ?? 'Success';
      return [
        s,
        s === '204' ? { description } : { description, content: { 'application/json': { schema: {} } } },
      ];
    }),
  );
}

/**
 * The OpenAPI 3.1 document of the gateway's routes (API.md "Console and API description"),
 * generated from the route table moleculer-web serves and the `params` schema of each route's
 * action, so it cannot drift from what the gateway answers: a GET's and DELETE's parameters go in
 * the query, a write's in a JSON body, path parameters in the path. Every route answers errors in
 * one envelope; routes of non-public actions need a bearer token.
 */
export function openApiDocument(
  routes: readonly RouteAlias[],
  info: { title: string; version: string; description: string },
  notes: Record<string, RouteNote> = {},
): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  const sorted = [...routes].sort((a, b) => (a.fullPath + a.method).localeCompare(b.fullPath + b.method));
  for (const r of sorted) {
    const method = r.method.toUpperCase();
    if (method === '*' || method === 'REST') continue;
    const { path, names } = openApiPath(r.fullPath);
    const params = (r.action?.params ?? {}) as Record<string, Parameters<typeof toJsonSchema>[0]>;
    const isPublic = !r.authenticated || r.action?.auth === 'public';
    const note = notes[`${method} ${r.fullPath}`];
    const parameters: Record<string, unknown>[] = [
      ...names.map((n) => ({
        name: n,
        in: 'path',
        required: true,
        schema: params[n] !== undefined ? toJsonSchema(params[n]) : { type: 'string' },
      })),
      ...(note?.parameters ?? []),
    ];
    let requestBody: Record<string, unknown> | undefined = note?.requestBody;
    const rest = Object.keys(params).filter((k) => !k.startsWith('$$') && !names.includes(k));
    if (method === 'GET' || method === 'DELETE') {
      for (const k of rest)
        parameters.push({
          name: k,
          in: 'query',
          required: !isOptional(params[k]),
          schema: toJsonSchema(params[k]),
        });
    } else if (rest.length && !requestBody) {
      const schema = objectSchema(params, names);
      requestBody = {
        required: Array.isArray(schema.required),
        content: { 'application/json': { schema } },
      };
    }
    const errors = [
      ...Object.keys(ERROR_STATUSES).filter((s) => !isPublic || s !== '401'),
      ...(note?.errorStatuses ?? (r.action as StatusDeclaration | null)?.errorStatuses ?? [])
        .map(String)
        .filter((s) => s in OPTIONAL_ERROR_STATUSES),
    ].sort();
    const op: Record<string, unknown> = {
      operationId: r.actionName ?? `${method.toLowerCase()}${path.replace(/[^A-Za-z0-9]+/g, '_')}`,
      summary: note?.summary ?? (r.actionName ? `${r.actionName}` : `${method} ${r.fullPath}`),
      ...(r.actionName ? { 'x-moleculer-action': r.actionName } : {}),
      ...(parameters.length ? { parameters } : {}),
      ...(requestBody ? { requestBody } : {}),
      responses: {
        ...(note?.responses ?? successResponses(r.action)),
        ...Object.fromEntries(errors.map((s) => [s, { $ref: `#/components/responses/E${s}` }])),
      },
      security: isPublic ? [] : [{ bearerAuth: [] }],
    };
    (paths[path] ??= {})[method.toLowerCase()] = op;
  }
  return {
    openapi: '3.1.0',
    info,
    servers: [{ url: '/' }],
    security: [{ bearerAuth: [] }],
    paths,
    components: {
      securitySchemes: {
        bearerAuth: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description: 'A user JWT from POST /api/auth/login, or a service account token',
        },
      },
      schemas: {
        Error: {
          type: 'object',
          required: ['error'],
          properties: {
            error: {
              type: 'object',
              required: ['code', 'message'],
              properties: {
                code: { type: 'string', pattern: '^[A-Z][A-Z0-9_]*$', examples: ['VALIDATION_ERROR'] },
                message: { type: 'string' },
                data: { type: 'object' },
              },
            },
          },
        },
      },
      responses: Object.fromEntries(
        Object.entries({ ...ERROR_STATUSES, ...OPTIONAL_ERROR_STATUSES }).map(([s, d]) => [
          `E${s}`,
          errorResponse(d),
        ]),
      ) as Record<string, JsonSchema>,
    },
  };
}
