/**
 * An action's success statuses, declared once on its definition and read by both the gateway (it
 * answers with it) and the OpenAPI document (it describes it), so the two cannot drift:
 *
 *     create: { rest: 'POST /permissions', successStatus: 201, errorStatuses: [429], handler … }
 *
 * One status: the gateway sets it when the handler set none (`ctx.meta.$statusCode`). Several
 * (`[200, 201]`, an upsert): the handler chooses, among the declared ones. None: 200.
 * `errorStatuses` adds error answers beyond the ones every route may
 * give (400, 401, 403, 404, 409, 503), such as 429 for a quota.
 */
export interface StatusDeclaration {
  successStatus?: number | readonly number[];
  errorStatuses?: readonly number[];
}

/** The success statuses an action declares (empty: it declares none). */
export function declaredStatuses(action: StatusDeclaration | null | undefined): number[] {
  const s = action?.successStatus;
  if (s === undefined) return [];
  return typeof s === 'number' ? [s] : [...s];
}

/**
 * The status a successful call answers with: the handler's own choice, else the action's single
 * declared status, else 200 (moleculer-web's default).
 */
export function successStatusOf(
  chosen: number | undefined,
  action: StatusDeclaration | null | undefined,
): number {
  if (chosen) return chosen;
  // Read in place (no array per request): this runs on every answer the gateway gives.
  const s = action?.successStatus;
  if (typeof s === 'number') return s;
  return s?.length === 1 ? s[0] : 200;
}
