import { api } from './client';
import type { Page } from './types';
import type { BizTypeView } from '../lib/admin/biz-type-form';
import type { Grant, GrantRequest } from '../lib/admin/grant-form';
import type { UnitNode } from '../lib/admin/unit-tree';

/** Typed calls of the admin routes (API.md: directory, metadata, permissions, logs, scheduler). */

export interface Role {
  code: string;
  name: string;
}

export interface User {
  id: string;
  username: string;
  displayName: string;
  roles: string[];
  unitId: string | null;
  disabled: boolean;
  createdAt: string;
  updatedAt: string;
}

export interface LogEntry {
  id: string;
  at: string;
  userId: string | null;
  action: string;
  targetType: string | null;
  targetId: string | null;
  bizType: string | null;
  outcome: string | null;
  detail: unknown;
  requestId: string | null;
}

export interface ChainCheck {
  ok: boolean;
  checked: number;
  firstBrokenId: string | null;
}

export interface ScheduledRun {
  id?: string;
  name?: string;
  trigger?: string;
  startedAt?: string;
  finishedAt?: string | null;
  handled?: number;
  outcome: string;
  error?: string | null;
  [field: string]: unknown;
}

export type JobKind = 'compensation' | 'archival' | 'expiry';
export const JOB_KINDS: readonly JobKind[] = ['compensation', 'archival', 'expiry'];
/** The statuses an archival job may move (domain/scheduler ARCHIVABLE_STATUSES). */
export const ARCHIVABLE_STATUSES = ['EXPIRED', 'FAILED', 'CANCELLED'] as const;

export interface ScheduledTask {
  name: string;
  /** Which code runs it; the built-in jobs are named after their kind. */
  kind?: JobKind;
  builtIn?: boolean;
  rule: {
    cron: string;
    timezone: string | null;
    bizTypes: string[];
    batchSize: number;
    maxItems: number;
  } & Record<string, unknown>;
  enabled: boolean;
  version?: number;
  lastRun: ScheduledRun | null;
  nextRunAt?: string | null;
}

const seg = encodeURIComponent;

export const directory = {
  unitTree: () => api.get<UnitNode[]>('/units/tree'),
  createUnit: (body: { name: string; parentId: string | null }) =>
    api.post<{ id: string; name: string; parentId: string | null }>('/units', body),
  roles: () => api.get<{ items: Role[] }>('/roles'),
  createRole: (body: Role) => api.post<Role>('/roles', body),
  users: (cursor?: string | null, limit = 200) => api.get<Page<User>>('/users', { limit, cursor }),
  /** Every user, page by page (the directory of one organisation: hundreds, not millions). */
  async allUsers(max = 5_000): Promise<User[]> {
    const out: User[] = [];
    let cursor: string | null = null;
    do {
      const page: Page<User> = await directory.users(cursor);
      out.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor && out.length < max);
    return out;
  },
  createUser: (body: {
    username: string;
    password: string;
    displayName?: string;
    roles: string[];
    unitId: string | null;
  }) => api.post<User>('/users', body),
  updateUser: (
    id: string,
    change: Partial<{
      password: string;
      displayName: string;
      roles: string[];
      unitId: string | null;
      disabled: boolean;
    }>,
  ) => api.patch<User>(`/users/${seg(id)}`, change),
};

export const metadata = {
  list: () => api.get<Page<BizTypeView>>('/biz-types'),
  get: (code: string) => api.get<BizTypeView>(`/biz-types/${seg(code)}`),
  put: (code: string, body: Record<string, unknown>) => api.put<BizTypeView>(`/biz-types/${seg(code)}`, body),
};

export const permissions = {
  list: (bizType: string) => api.get<{ items: Grant[] }>('/permissions', { bizType }),
  create: (body: GrantRequest) => api.post<Grant>('/permissions', body),
  remove: (id: string) => api.delete<null>(`/permissions/${seg(id)}`),
};

export interface LogQuery extends Record<string, string | number | undefined> {
  userId?: string;
  action?: string;
  targetId?: string;
  bizType?: string;
  from?: string;
  to?: string;
  q?: string;
  limit?: number;
  cursor?: string;
}

export const logs = {
  search: (q: LogQuery) => api.get<Page<LogEntry>>('/logs', q),
  verify: () => api.get<ChainCheck>('/logs/verify'),
};

export const scheduler = {
  list: () => api.get<{ items: ScheduledTask[] }>('/scheduled-tasks'),
  update: (name: string, body: { rule?: Record<string, unknown>; enabled?: boolean }) =>
    api.put<ScheduledTask>(`/scheduled-tasks/${seg(name)}`, body),
  /** A PUT of a new name with a kind creates another job of that kind (201). */
  create: (name: string, body: { kind: JobKind; rule: Record<string, unknown>; enabled: boolean }) =>
    api.put<ScheduledTask>(`/scheduled-tasks/${seg(name)}`, body),
  /** 204; a built-in job answers 409 BUILT_IN_JOB. */
  remove: (name: string) => api.delete<null>(`/scheduled-tasks/${seg(name)}`),
  run: (name: string) => api.post<ScheduledRun>(`/scheduled-tasks/${seg(name)}/run`),
  runs: (name: string, cursor?: string | null) =>
    api.get<Page<ScheduledRun>>(`/scheduled-tasks/${seg(name)}/runs`, { limit: 20, cursor }),
};
