/**
 * The permission form of the admin console turned into the body of POST /api/permissions
 * (API.md "Permissions"), and a grant read back into words. Pure.
 */
export type GrantType = 'ROLE' | 'UNIT' | 'USER';
export type GrantAction = 'read' | 'download' | 'export';
export const GRANT_TYPES: readonly GrantType[] = ['ROLE', 'UNIT', 'USER'];
export const GRANT_ACTIONS: readonly GrantAction[] = ['read', 'download', 'export'];

export interface Grant {
  id: string;
  bizType: string;
  type: GrantType;
  subject: string;
  actions: GrantAction[];
  columns: string[];
  scopeUnitId: string | null;
}

export interface GrantFormValues {
  type: GrantType;
  /** One value per subject type, so switching the type keeps what was chosen for the other. */
  role?: string;
  unit?: string;
  user?: string;
  actions?: GrantAction[];
  columns?: string[];
  scopeUnitId?: string | null;
}

export type GrantRequest = Omit<Grant, 'id'>;

/** The form field that holds the subject of a grant type (and where a `subject` error belongs). */
export function subjectField(type: GrantType): 'role' | 'unit' | 'user' {
  return type === 'ROLE' ? 'role' : type === 'UNIT' ? 'unit' : 'user';
}

/**
 * The request body. Restricted columns only mean something with `export` (they widen what an
 * export writes), so they are dropped without it rather than stored as a grant that does nothing.
 * Returns the form field to blame when something is missing.
 */
export function grantRequest(
  bizType: string,
  v: GrantFormValues,
): { ok: true; body: GrantRequest } | { ok: false; field: string; reason: 'required' } {
  const field = subjectField(v.type);
  const subject = v[field]?.trim();
  if (!subject) return { ok: false, field, reason: 'required' };
  const actions = GRANT_ACTIONS.filter((a) => v.actions?.includes(a));
  if (actions.length === 0) return { ok: false, field: 'actions', reason: 'required' };
  return {
    ok: true,
    body: {
      bizType,
      type: v.type,
      subject,
      actions,
      columns: actions.includes('export') ? [...new Set(v.columns ?? [])] : [],
      scopeUnitId: v.scopeUnitId || null,
    },
  };
}
