import { api, request, type Query } from './client';
import type { BizType, ExportColumnsAnswer, ExportPreview, FileTask, LoginAnswer, Me, Page } from './types';

/** Typed calls of the routes the console uses. Admin pages add theirs beside these (see README). */
export const auth = {
  login: (username: string, password: string) =>
    request<LoginAnswer>('POST', '/auth/login', { body: { username, password }, keepSessionOn401: true }),
  me: () => api.get<Me>('/auth/me'),
};

export const bizTypes = {
  list: (kind?: 'FILE' | 'EXPORT') => api.get<Page<BizType>>('/biz-types', { kind }),
  get: (code: string) => api.get<BizType>(`/biz-types/${encodeURIComponent(code)}`),
  exportColumns: (code: string) =>
    api.get<ExportColumnsAnswer>(`/biz-types/${encodeURIComponent(code)}/export-columns`),
};

export interface FileTaskQuery extends Query {
  kind?: 'FILE' | 'EXPORT';
  bizType?: string;
  status?: string;
  createdBy?: string;
  from?: string;
  to?: string;
  q?: string;
  limit?: number;
  cursor?: string;
}

export const fileTasks = {
  list: (query: FileTaskQuery, signal?: AbortSignal) => api.get<Page<FileTask>>('/file-tasks', query, signal),
  get: (id: string) => api.get<FileTask>(`/file-tasks/${encodeURIComponent(id)}`),
  downloadUrl: (id: string) =>
    api.get<{ url: string; expiresAt: string }>(`/file-tasks/${encodeURIComponent(id)}/download-url`),
  remove: (id: string) => api.delete<void>(`/file-tasks/${encodeURIComponent(id)}`),
};

export interface ExportRequest {
  bizType: string;
  format: string;
  filters: Record<string, unknown>;
  columns?: string[];
  idempotencyKey?: string;
  timeZone?: string;
  locale?: string;
}

export const exportsApi = {
  create: (req: ExportRequest) => api.post<FileTask>('/exports', req),
  preview: (req: Omit<ExportRequest, 'idempotencyKey'>) => api.post<ExportPreview>('/exports/preview', req),
  cancel: (id: string) => api.post<FileTask>(`/exports/${encodeURIComponent(id)}/cancel`),
  retry: (id: string) => api.post<FileTask>(`/exports/${encodeURIComponent(id)}/retry`),
};

/** An export schedule as the API answers it (API.md "Recurring exports"). */
export interface ExportSchedule {
  id: string;
  ownerId: string;
  name: string;
  bizType: string;
  format: string;
  /** As written: values may be relative (`{"$relative": "-P1D", "$startOf": "day"}`). */
  filters: Record<string, unknown>;
  /** null: every column the owner may export at each firing. */
  columns: string[] | null;
  locale: string | null;
  cron: string;
  timeZone: string;
  enabled: boolean;
  version: number;
  createdAt: string;
  updatedAt: string;
  /** null when disabled. */
  nextRunAt: string | null;
  lastFiredAt: string | null;
  lastTaskId: string | null;
  lastError: string | null;
}

export type ScheduleFields = Pick<
  ExportSchedule,
  'name' | 'bizType' | 'format' | 'filters' | 'cron' | 'timeZone' | 'enabled'
> & { columns?: string[] | null; locale?: string | null };

const sched = (id: string) => `/export-schedules/${encodeURIComponent(id)}`;

export const exportSchedules = {
  list: (cursor?: string | null) =>
    api.get<Page<ExportSchedule>>('/export-schedules', { limit: 100, cursor }),
  create: (body: ScheduleFields) => api.post<ExportSchedule>('/export-schedules', body),
  update: (id: string, change: Partial<ScheduleFields>) => api.patch<ExportSchedule>(sched(id), change),
  remove: (id: string) => api.delete<null>(sched(id)),
  run: (id: string) => api.post<FileTask>(`${sched(id)}/run`),
};
