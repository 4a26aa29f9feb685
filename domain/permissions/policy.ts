import { ADMIN_ROLE } from '../shared/principal';
import type { Grant, PermissionAction } from './grant';

/** The user as the policy sees them: roles and the materialised path of their unit. */
export interface Subject {
  id: string;
  roles: readonly string[];
  /** `/root/…/unit/` of the user's unit, or null for a user in no unit. */
  unitPath: string | null;
}

/** A file task as the policy sees it: its biz type, creator and the creator's unit path at creation. */
export interface TaskRef {
  bizType: string;
  createdBy: string;
  unitPath: string | null;
}

/** Resolves a unit id to its materialised path (null for an unknown unit: it covers nothing). */
export type UnitPaths = (unitId: string) => string | null;

const isAdmin = (s: Subject) => s.roles.includes(ADMIN_ROLE);

/** API.md: ROLE — subject is one of X's roles; UNIT — X's unit is subject or inside it; USER — X. */
export function appliesTo(g: Grant, s: Subject): boolean {
  switch (g.type) {
    case 'ROLE':
      return s.roles.includes(g.subject);
    case 'UNIT':
      return s.unitPath !== null && s.unitPath.includes(`/${g.subject}/`);
    case 'USER':
      return s.id === g.subject;
  }
}

/** API.md: same biz type and, when scoped, T's unit is the scope unit or inside it. */
export function covers(g: Grant, t: TaskRef, paths: UnitPaths): boolean {
  if (g.bizType !== t.bizType) return false;
  if (g.scopeUnitId === null) return true;
  const scope = paths(g.scopeUnitId);
  return scope !== null && t.unitPath !== null && t.unitPath.startsWith(scope);
}

function mayDo(
  action: PermissionAction,
  s: Subject,
  t: TaskRef,
  grants: readonly Grant[],
  paths: UnitPaths,
): boolean {
  if (t.createdBy === s.id || isAdmin(s)) return true;
  return grants.some((g) => g.actions.includes(action) && appliesTo(g, s) && covers(g, t, paths));
}

export const canRead = (s: Subject, t: TaskRef, grants: readonly Grant[], paths: UnitPaths) =>
  mayDo('read', s, t, grants, paths);
export const canDownload = (s: Subject, t: TaskRef, grants: readonly Grant[], paths: UnitPaths) =>
  mayDo('download', s, t, grants, paths);

/** API.md: ADMIN, or a grant on the biz type that applies and includes export. */
export function canExport(s: Subject, bizType: string, grants: readonly Grant[]): boolean {
  return (
    isAdmin(s) || grants.some((g) => g.bizType === bizType && g.actions.includes('export') && appliesTo(g, s))
  );
}

export interface ColumnDef {
  key: string;
  restricted?: boolean;
}

/**
 * The columns X may export: every unrestricted column, plus the restricted ones named by X's
 * export grants on the biz type (ADMIN: all). With column permission off, all columns; without the
 * export permission, none.
 */
export function exportableColumns(
  s: Subject,
  bizType: string,
  columns: readonly ColumnDef[],
  grants: readonly Grant[],
  columnPermission: boolean,
): string[] {
  if (isAdmin(s)) return columns.map((c) => c.key);
  if (!canExport(s, bizType, grants)) return [];
  if (!columnPermission) return columns.map((c) => c.key);
  const revealed = new Set(
    grants
      .filter((g) => g.bizType === bizType && g.actions.includes('export') && appliesTo(g, s))
      .flatMap((g) => g.columns),
  );
  return columns.filter((c) => !c.restricted || revealed.has(c.key)).map((c) => c.key);
}

/**
 * Whether an export may still run for its requester as they are now (the check at run time, not
 * only at request time): the export permission, every snapshotted column still visible (a revoked
 * column grant, or a column made restricted since, is not written), and the row scope not wider
 * than the requester's current one (a requester moved to another unit, demoted from ADMIN, or
 * under a row scope the biz type gained since). Null when allowed, else why not.
 */
export function exportStillAllowed(
  s: Subject,
  bizType: { code: string; columns: readonly ColumnDef[]; columnPermission: boolean },
  snapshot: { columns: readonly string[]; rowScope: readonly string[] | null },
  grants: readonly Grant[],
  currentRowScope: readonly string[] | null,
): string | null {
  if (!canExport(s, bizType.code, grants)) return 'the requester may no longer export this biz type';
  const visible = exportableColumns(s, bizType.code, bizType.columns, grants, bizType.columnPermission);
  const hidden = snapshot.columns.filter((c) => !visible.includes(c));
  if (hidden.length > 0) return `the requester may no longer export the column(s) ${hidden.join(', ')}`;
  if (!rowScopeStillAllowed(snapshot.rowScope, currentRowScope))
    return "the requester's row scope no longer covers this export";
  return null;
}

/**
 * Whether an export snapshotted under row scope `snapshot` may still run for a requester whose
 * scope is now `current` (null = every row): a scope may narrow between request and run (the
 * export then fails), it never widens what the file holds.
 */
export function rowScopeStillAllowed(
  snapshot: readonly string[] | null,
  current: readonly string[] | null,
): boolean {
  if (current === null) return true;
  if (snapshot === null) return false;
  const now = new Set(current);
  return snapshot.every((u) => now.has(u));
}

/** A unit-scoped read: tasks of the biz type whose creator unit path starts with the prefix. */
export interface ScopedRead {
  bizType: string;
  unitPathPrefix: string;
  /**
   * The units of the subtree when there are at most {@link LISTED_SCOPE_UNITS} of them, else null.
   * Units never move, so "unit id in this list" selects exactly the tasks the prefix selects: the
   * repository reads a small scope (e.g. one store) unit by unit as exact, ordered index ranges,
   * and tests a listed scope inside an index that holds unit ids.
   */
  unitIds: string[] | null;
}

/** Up to this many units a scope is read unit by unit; beyond it, by path prefix. */
export const SMALL_SCOPE_UNITS = 3;
/** Up to this many units (a region of stores) a scope's unit ids are listed. */
export const LISTED_SCOPE_UNITS = 64;

/**
 * What a list query may return to X, as data the repository turns into SQL (so pages are full
 * and counts right): everything (ADMIN), or X's own tasks OR tasks of the listed biz types OR
 * tasks of a biz type whose creator unit path starts with a prefix.
 */
export type ReadFilter =
  | { all: true }
  | {
      all: false;
      createdBy: string;
      bizTypes: string[];
      scoped: ScopedRead[];
    };

/**
 * Whether a read filter lets its user see a task, by unit path (the SQL may select a small scope by
 * unit id instead: the same tasks, as units never move). The list planner estimates with it how
 * many rows a walk must read; it decides no access.
 */
export function filterAllows(f: ReadFilter, t: TaskRef): boolean {
  if (f.all || t.createdBy === f.createdBy || f.bizTypes.includes(t.bizType)) return true;
  const path = t.unitPath;
  return path !== null && f.scoped.some((s) => s.bizType === t.bizType && path.startsWith(s.unitPathPrefix));
}

/** The ids of a unit and every unit under it, from every unit's path (units never move). */
export function subtreeUnits(unitPaths: Readonly<Record<string, string>>): (unitId: string) => string[] {
  return (unitId) => {
    const root = unitPaths[unitId];
    if (root === undefined) return [];
    return Object.entries(unitPaths)
      .filter(([, p]) => p.startsWith(root))
      .map(([id]) => id)
      .sort();
  };
}

export function readFilter(
  s: Subject,
  grants: readonly Grant[],
  paths: UnitPaths,
  subtree?: (unitId: string) => string[],
): ReadFilter {
  if (isAdmin(s)) return { all: true };
  const applicable = grants.filter((g) => g.actions.includes('read') && appliesTo(g, s));
  const bizTypes = [
    ...new Set(applicable.filter((g) => g.scopeUnitId === null).map((g) => g.bizType)),
  ].sort();
  const scoped = new Map<string, ScopedRead>();
  for (const g of applicable) {
    if (g.scopeUnitId === null || bizTypes.includes(g.bizType)) continue; // an unscoped grant covers it all
    const prefix = paths(g.scopeUnitId);
    if (prefix === null) continue;
    const units = subtree ? subtree(g.scopeUnitId) : null;
    scoped.set(`${g.bizType}|${prefix}`, {
      bizType: g.bizType,
      unitPathPrefix: prefix,
      unitIds: units && units.length <= LISTED_SCOPE_UNITS ? units : null,
    });
  }
  return { all: false, createdBy: s.id, bizTypes, scoped: [...scoped.values()] };
}
