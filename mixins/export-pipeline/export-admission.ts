import type { Context } from 'moleculer';
import type { AppConfig } from '../config/app-config';
import type { ExportAdmission } from '../../domain/exports/use-cases/admit-export';
import type { EstimateRows } from '../../domain/exports/use-cases/preview-export';
import type { SourceRowBound } from '../../domain/exports/use-cases/admit-export';
import type { ExportBizType } from '../../domain/metadata/biz-type';
import type { ExportTurnsRepository } from '../file-tasks/export-turns.repository';

/** The preview's count, where the data sources are: on an export node. */
export const rowEstimator =
  (ctx: Context): EstimateRows =>
  async (b, scope) =>
    (
      await ctx.call<{ total: number | null }, unknown>('exportWorker.estimate', {
        handler: b.dataHandler,
        scope,
      })
    ).total;

/** How long a source's row count stands as the bound of every request's count. */
export const SOURCE_ROWS_TTL_MS = 30_000;

/**
 * Every row of a biz type's source (its data handler counted without filters or row scope), kept
 * for SOURCE_ROWS_TTL_MS per data handler: one count on an export node per biz type and interval
 * instead of one per request. A source that grows past rules.maxRows within the interval is still
 * held to it: the run counts and refuses (ROW_LIMIT_EXCEEDED).
 */
function sourceRowBounds(ttlMs: number, now: () => number) {
  const kept = new Map<string, { at: number; total: Promise<number | null> }>();
  return (ctx: Context): SourceRowBound =>
    (b: ExportBizType) => {
      const key = `${b.code}\u0000${JSON.stringify(b.dataHandler)}`;
      const hit = kept.get(key);
      if (hit && now() - hit.at < ttlMs) return hit.total;
      const total = rowEstimator(ctx)(b, { filters: {}, rowScope: null, columns: [] }).catch(() => {
        kept.delete(key); // unknown: asked again next time, and the request counts its own rows
        return null;
      });
      kept.set(key, { at: now(), total });
      return total;
    };
}

/**
 * The running exports of the waiting reason, one query for the requests that ask while it runs
 * (each gets the state at most one query old instead of a GROUP BY each).
 */
function sharedRunning(turns: Pick<ExportTurnsRepository, 'running'>): ExportAdmission['turns'] {
  let inFlight: ReturnType<ExportTurnsRepository['running']> | null = null;
  return {
    running(now) {
      inFlight ??= turns.running(now).finally(() => {
        inFlight = null;
      });
      return inFlight;
    },
  };
}

/**
 * What the admission of one service instance shares between its requests (never module-wide: two
 * nodes in one process, as in tests, read different databases).
 */
export interface AdmissionShared {
  sourceRows: (ctx: Context) => SourceRowBound;
  turns: ExportAdmission['turns'];
}

export function admissionShared(
  turns: Pick<ExportTurnsRepository, 'running'>,
  ttlMs = SOURCE_ROWS_TTL_MS,
  now: () => number = Date.now,
): AdmissionShared {
  return { sourceRows: sourceRowBounds(ttlMs, now), turns: sharedRunning(turns) };
}

/**
 * The request-time checks of an export (rules.maxRows, rules.dailyRowQuota, the first waiting
 * reason): one set for a REST or RPC request and for a schedule's firing, so neither path skips them.
 */
export const exportAdmission = (
  ctx: Context,
  config: AppConfig,
  turns: ExportTurnsRepository,
  shared?: AdmissionShared,
): ExportAdmission => ({
  estimate: rowEstimator(ctx),
  ...(shared ? { sourceRows: shared.sourceRows(ctx) } : {}),
  quota: turns,
  turns: shared?.turns ?? turns,
  userConcurrency: config.exports.userConcurrency,
  defaultTimeZone: config.exports.defaultTimeZone,
  logger: ctx.broker.logger,
});
