import type { Context } from 'moleculer';
import type { AppConfig } from '../config/app-config';
import type { ExportAdmission } from '../../domain/exports/use-cases/admit-export';
import type { EstimateRows } from '../../domain/exports/use-cases/preview-export';
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

/**
 * The request-time checks of an export (rules.maxRows, rules.dailyRowQuota, the first waiting
 * reason): one set for a REST or RPC request and for a schedule's firing, so neither path skips them.
 */
export const exportAdmission = (
  ctx: Context,
  config: AppConfig,
  turns: ExportTurnsRepository,
): ExportAdmission => ({
  estimate: rowEstimator(ctx),
  quota: turns,
  turns,
  userConcurrency: config.exports.userConcurrency,
  defaultTimeZone: config.exports.defaultTimeZone,
  logger: ctx.broker.logger,
});
