import { conflict, forbidden, rateLimited, validationError } from '../shared/errors';

/** The exports context's errors, one named constructor per code (docs/architecture.md lists them). */
export const ExportErrors = {
  bizTypeRequired: () => validationError('VALIDATION_ERROR', 'bizType is required', { field: 'bizType' }),
  notExportable: (code: string) =>
    validationError('BIZ_TYPE_NOT_EXPORTABLE', `${code} is not an export biz type`, { field: 'bizType' }),
  idempotencyKeyReused: () =>
    conflict('IDEMPOTENCY_KEY_REUSED', 'this idempotencyKey was used for another request'),
  notOwned: () =>
    forbidden('EXPORT_NOT_OWNED', 'only the requester or an administrator may change an export'),
  /** The request would take the user past the biz type's rules.dailyRowQuota (429 with Retry-After). */
  quotaExceeded: (q: {
    bizType: string;
    dailyRowQuota: number;
    usedRows: number;
    requestedRows: number | null;
    resetsAt: string;
    retryAfterSeconds: number;
  }) =>
    rateLimited(
      'EXPORT_QUOTA_EXCEEDED',
      `${q.bizType} allows ${q.dailyRowQuota} rows a day per user; ${q.usedRows} are used today and this export would add ${q.requestedRows ?? 'an unknown number of'}; the quota renews at ${q.resetsAt}`,
      q,
    ),
  /** The filters match more rows than the biz type's rules.maxRows allows in one export. */
  tooManyRows: (bizType: string, estimatedRows: number, maxRows: number) =>
    validationError(
      'EXPORT_TOO_MANY_ROWS',
      `${estimatedRows} rows match, more than the ${maxRows} ${bizType} allows in one export; narrow the filters (a date range, a status)`,
      { field: 'filters', estimatedRows, maxRows },
    ),
} as const;
