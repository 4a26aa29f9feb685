import { decodeCursor, pageLimit } from '../shared/pagination';
import type { FileTaskKind, FileTaskStatus } from './file-task';
import { ValidationErrors } from '../shared/validation.errors';

export interface FileTaskListQuery {
  kind: FileTaskKind | null;
  bizType: string | null;
  status: FileTaskStatus | null;
  createdBy: string | null;
  from: Date | null;
  to: Date | null;
  /** Name contains (case-insensitive). */
  q: string | null;
  limit: number;
  /** Newest first: continue below this id. */
  beforeId: string | null;
}

/** The task fields a list query filters on. */
export interface ListedTask {
  kind: FileTaskKind;
  bizType: string;
  status: FileTaskStatus;
  createdBy: string;
  createdAt: Date;
  name: string;
}

/**
 * Whether a task passes the query's filters, the cursor aside. `q` compares case-insensitively,
 * as the databases' default collations do for ASCII.
 */
export function matchesListQuery(q: FileTaskListQuery, t: ListedTask): boolean {
  return (
    (q.kind === null || t.kind === q.kind) &&
    (q.bizType === null || t.bizType === q.bizType) &&
    (q.status === null || t.status === q.status) &&
    (q.createdBy === null || t.createdBy === q.createdBy) &&
    (q.from === null || t.createdAt >= q.from) &&
    (q.to === null || t.createdAt <= q.to) &&
    (q.q === null || t.name.toLowerCase().includes(q.q.toLowerCase()))
  );
}

const KINDS = ['FILE', 'EXPORT'];
const STATUSES = ['PENDING', 'EXPORTING', 'SUCCESS', 'FAILED', 'CANCELLED', 'EXPIRED'];

const str = (field: string, v: unknown, max: number): string | null => {
  if (v === undefined || v === null || v === '') return null;
  if (typeof v !== 'string' || v.length > max) {
    throw ValidationErrors.invalidField(field, `${field} must be a string of at most ${max} characters`);
  }
  return v;
};

const date = (field: string, v: unknown): Date | null => {
  const s = str(field, v, 40);
  if (s === null) return null;
  const d = new Date(s);
  if (Number.isNaN(d.getTime()))
    throw ValidationErrors.invalidField(field, `${field} must be an ISO-8601 date`);
  return d;
};

/** Validates GET /api/file-tasks's query string. */
export function parseFileTaskList(raw: Record<string, unknown>): FileTaskListQuery {
  const kind = str('kind', raw.kind, 8);
  if (kind !== null && !KINDS.includes(kind))
    throw ValidationErrors.invalidField('kind', 'kind must be FILE or EXPORT');
  const status = str('status', raw.status, 16);
  if (status !== null && !STATUSES.includes(status)) {
    throw ValidationErrors.invalidField('status', `status must be one of ${STATUSES.join(', ')}`);
  }
  const from = date('from', raw.from);
  const to = date('to', raw.to);
  if (from && to && from > to) throw ValidationErrors.invalidField('from', 'from must not be after to');
  const cursor = decodeCursor<{ id: string }>(raw.cursor, { id: 'string' });
  return {
    kind: kind as FileTaskKind | null,
    bizType: str('bizType', raw.bizType, 64),
    status: status as FileTaskStatus | null,
    createdBy: str('createdBy', raw.createdBy, 64),
    from,
    to,
    q: str('q', raw.q, 200),
    limit: pageLimit(raw.limit),
    beforeId: cursor?.id ?? null,
  };
}
