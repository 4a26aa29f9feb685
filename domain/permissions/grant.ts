import { ValidationErrors } from '../shared/validation.errors';

export const PERMISSION_TYPES = ['ROLE', 'UNIT', 'USER'] as const;
export type PermissionType = (typeof PERMISSION_TYPES)[number];
export const PERMISSION_ACTIONS = ['read', 'download', 'export'] as const;
export type PermissionAction = (typeof PERMISSION_ACTIONS)[number];

/**
 * A grant (the paper's PermissionRule + PermissionList): who (`type` + `subject`) may do which
 * `actions` on the file tasks of one biz type, which restricted `columns` it reveals in exports,
 * and optionally only for tasks of a unit subtree (`scopeUnitId`).
 */
export interface Grant {
  id: string;
  bizType: string;
  type: PermissionType;
  subject: string;
  actions: PermissionAction[];
  columns: string[];
  scopeUnitId: string | null;
}

const KEY = /^[a-z][a-z0-9_]{0,63}$/;

/** Validates a grant as the admin API receives it (API.md "Permissions"). */
export function parseGrant(id: string, raw: Record<string, unknown>): Grant {
  const bad = ValidationErrors.invalidField;
  if (typeof raw.bizType !== 'string' || !KEY.test(raw.bizType))
    throw bad('bizType', 'bizType must be a biz type code');
  if (!PERMISSION_TYPES.includes(raw.type as PermissionType))
    throw bad('type', 'type must be ROLE, UNIT or USER');
  if (typeof raw.subject !== 'string' || raw.subject.length === 0 || raw.subject.length > 64) {
    throw bad('subject', 'subject must be a role code, unit id or user id');
  }
  const actions = raw.actions;
  if (
    !Array.isArray(actions) ||
    actions.length === 0 ||
    actions.some((a) => !PERMISSION_ACTIONS.includes(a as PermissionAction))
  ) {
    throw bad('actions', 'actions must be a non-empty list of read, download, export');
  }
  const columns = raw.columns ?? [];
  if (
    !Array.isArray(columns) ||
    columns.length > 200 ||
    columns.some((c) => typeof c !== 'string' || !KEY.test(c))
  ) {
    throw bad('columns', 'columns must be a list of column keys');
  }
  const scope = raw.scopeUnitId ?? null;
  if (scope !== null && (typeof scope !== 'string' || scope.length === 0 || scope.length > 64)) {
    throw bad('scopeUnitId', 'scopeUnitId must be a unit id or null');
  }
  return {
    id,
    bizType: raw.bizType,
    type: raw.type as PermissionType,
    subject: raw.subject,
    actions: [...new Set(actions as PermissionAction[])].sort(),
    columns: [...new Set(columns as string[])].sort(),
    scopeUnitId: scope,
  };
}
