import { DateTime } from 'luxon';
import { ExportErrors } from './export.errors';

/**
 * The quota day of `rules.dailyRowQuota` (API.md "Fair scheduling and quotas"): midnight to
 * midnight in the biz type's zone (its `rules.timeZone`, else DEFAULT_TIME_ZONE, else UTC), so a
 * team in Shanghai gets its quota back at 00:00 Shanghai time. Luxon keeps DST days right (23 or
 * 25 hours long).
 */
export function quotaDay(now: Date, zone: string): { from: Date; to: Date } {
  const start = DateTime.fromJSDate(now, { zone }).startOf('day');
  return { from: start.toJSDate(), to: start.plus({ days: 1 }).toJSDate() };
}

export interface QuotaCheck {
  bizType: string;
  /** `rules.dailyRowQuota`; null: no quota. */
  dailyRowQuota: number | null;
  /** Rows of the user's exports of the biz type this quota day so far (finished or expected). */
  usedRows: number;
  /** The new request's estimate (null: unknown, counted as none). */
  requestedRows: number | null;
  now: Date;
  zone: string;
}

/**
 * Throws 429 EXPORT_QUOTA_EXCEEDED when the request would take the user past the quota, with the
 * seconds until the quota day rolls over (the gateway's Retry-After). An export of unknown size
 * passes while rows remain.
 */
export function checkDailyQuota(q: QuotaCheck): void {
  if (q.dailyRowQuota === null) return;
  const requested = q.requestedRows ?? 0;
  if (q.usedRows + requested <= q.dailyRowQuota && q.usedRows < q.dailyRowQuota) return;
  const { to } = quotaDay(q.now, q.zone);
  throw ExportErrors.quotaExceeded({
    bizType: q.bizType,
    dailyRowQuota: q.dailyRowQuota,
    usedRows: q.usedRows,
    requestedRows: q.requestedRows,
    resetsAt: to.toISOString(),
    retryAfterSeconds: Math.max(1, Math.ceil((to.getTime() - q.now.getTime()) / 1000)),
  });
}

/** Throws 400 EXPORT_TOO_MANY_ROWS when the estimate is over `rules.maxRows` (unknown: passes). */
export function checkMaxRows(bizType: string, estimatedRows: number | null, maxRows: number): void {
  if (estimatedRows !== null && estimatedRows > maxRows)
    throw ExportErrors.tooManyRows(bizType, estimatedRows, maxRows);
}
