import { decodeCursor, pageLimit } from '../shared/pagination';
import { ValidationErrors } from '../shared/validation.errors';

export interface LogSearch {
  userId: string | null;
  action: string | null;
  targetId: string | null;
  bizType: string | null;
  from: Date | null;
  to: Date | null;
  /** Free text over the action, target and detail. */
  q: string | null;
  limit: number;
  /** Newest first: the page continues below (at, seq) of the last row seen. */
  after: { at: number; seq: number } | null;
}

const optionalString = (field: string, v: unknown, max: number): string | null => {
  if (v === undefined || v === null || v === '') return null;
  if (typeof v !== 'string' || v.length > max) {
    throw ValidationErrors.invalidField(field, `${field} must be a string of at most ${max} characters`);
  }
  return v;
};

const optionalDate = (field: string, v: unknown): Date | null => {
  if (v === undefined || v === null || v === '') return null;
  const d = typeof v === 'string' || typeof v === 'number' ? new Date(v) : null;
  if (!d || Number.isNaN(d.getTime())) {
    throw ValidationErrors.invalidField(field, `${field} must be an ISO-8601 date`);
  }
  return d;
};

/** Validates the query string of GET /api/logs. */
export function parseLogSearch(raw: Record<string, unknown>): LogSearch {
  const from = optionalDate('from', raw.from);
  const to = optionalDate('to', raw.to);
  if (from && to && from > to) throw ValidationErrors.invalidField('from', 'from must not be after to');
  const q = optionalString('q', raw.q, 200);
  if (q !== null && q.trim().length < 2) {
    throw ValidationErrors.invalidField('q', 'q must have at least 2 characters');
  }
  const action = optionalString('action', raw.action, 64);
  if (action !== null && !/^[A-Z][A-Z0-9_]*$/.test(action)) {
    throw ValidationErrors.invalidField('action', 'action must be an UPPER_SNAKE action name');
  }
  return {
    userId: optionalString('userId', raw.userId, 64),
    action,
    targetId: optionalString('targetId', raw.targetId, 64),
    bizType: optionalString('bizType', raw.bizType, 64),
    from,
    to,
    q: q?.trim() ?? null,
    limit: pageLimit(raw.limit),
    after: decodeCursor<{ at: number; seq: number }>(raw.cursor, { at: 'number', seq: 'number' }),
  };
}
