import type { ExportBizType } from '../../metadata/biz-type';
import type { Logger } from '../../ports/logger.port';
import type { Principal } from '../../shared/principal';
import { resolveTimeZone } from '../../shared/time-zone';
import type { ExportRequest } from '../export-request';
import type { ExportQuotaLedger, ExportTurns } from '../export.ports';
import { checkDailyQuota, checkMaxRows, quotaDay } from '../export-quota';
import { waitingReasonNow, type WaitingReason } from '../fair-turns';
import type { ReadScope } from '../data-handler.port';

/** Counts the rows a scope matches, where the data source is (an export node); null: unknown. */
export type EstimateRows = (b: ExportBizType, scope: ReadScope) => Promise<number | null>;

/**
 * At least as many rows as any request of the biz type can match (every row of its source, e.g. a
 * recent count without filters or row scope); null: unknown.
 */
export type SourceRowBound = (b: ExportBizType) => Promise<number | null>;

/** What a request reads: its filters and columns, within the requester's units (null: every row). */
export function readScopeOf(b: ExportBizType, req: ExportRequest, units: string[] | null): ReadScope {
  return {
    filters: req.filters,
    rowScope: b.rules.rowScope && units ? { column: b.rules.rowScope.column, unitIds: units } : null,
    columns: req.columns,
  };
}

/** What a new export request is checked against before it is stored (API.md "Fair scheduling and quotas"). */
export interface ExportAdmission {
  /** The preview's row count, on an export node. */
  estimate: EstimateRows;
  /**
   * When given and at most `rules.maxRows`, no count could refuse the request, so a biz type
   * without a daily quota is admitted without one (the estimate is then unknown: the run counts).
   */
  sourceRows?: SourceRowBound;
  quota: ExportQuotaLedger;
  turns: Pick<ExportTurns, 'running'>;
  userConcurrency: number;
  /** DEFAULT_TIME_ZONE: the quota day's zone when the biz type names none (null: UTC). */
  defaultTimeZone: string | null;
  logger: Pick<Logger, 'warn'>;
}

export interface Admitted {
  estimatedRows: number | null;
  /** Why the new export will wait, from the exports running now (null: not known). */
  waitingReason: WaitingReason | null;
}

/**
 * The checks of a new request: the preview's estimate against `rules.maxRows` (400
 * EXPORT_TOO_MANY_ROWS) and, with the rows the user already asked of the biz type today, against
 * `rules.dailyRowQuota` (429 EXPORT_QUOTA_EXCEEDED with Retry-After). When no export node can
 * count the rows the request is still taken: the run checks maxRows itself, and the export counts
 * toward the quota once it has a total. Without a quota, and with a source no larger than maxRows
 * (`sourceRows`), nothing is counted: no count could refuse.
 */
export async function admitExport(
  a: ExportAdmission,
  b: ExportBizType,
  user: Principal,
  req: ExportRequest,
  units: string[] | null,
  now: Date,
): Promise<Admitted> {
  const quota = b.rules.dailyRowQuota ?? null;
  let estimatedRows: number | null = null;
  // The count (a round trip to an export node and a COUNT there) is only needed when it could
  // refuse: under a daily quota, or when the source may hold more rows than rules.maxRows.
  if (quota !== null || !(await withinMaxRows(a, b))) {
    try {
      estimatedRows = await a.estimate(b, readScopeOf(b, req, units));
    } catch (e) {
      a.logger.warn(
        `export request for ${b.code}: rows not counted (${(e as Error).message}); limits apply at run`,
      );
    }
    checkMaxRows(b.code, estimatedRows, b.rules.maxRows);
  }
  if (quota !== null) {
    const zone = resolveTimeZone(b.rules.timeZone, a.defaultTimeZone);
    const day = quotaDay(now, zone);
    const usedRows = await a.quota.rowsRequested(user.id, b.code, day.from, day.to);
    checkDailyQuota({
      bizType: b.code,
      dailyRowQuota: quota,
      usedRows,
      requestedRows: estimatedRows,
      now,
      zone,
    });
  }
  const running = await a.turns.running(now).catch(() => null);
  const limits = {
    userConcurrency: a.userConcurrency,
    bizTypeMax: (code: string) => (code === b.code ? (b.rules.maxConcurrent ?? null) : null),
  };
  return {
    estimatedRows,
    waitingReason: running ? waitingReasonNow({ running }, limits, user.id, b.code) : null,
  };
}

/** True when every row of the source fits in rules.maxRows (unknown or failed: false, so it counts). */
async function withinMaxRows(a: ExportAdmission, b: ExportBizType): Promise<boolean> {
  if (!a.sourceRows) return false;
  const bound = await a.sourceRows(b).catch(() => null);
  return bound !== null && bound <= b.rules.maxRows;
}
