import { conflict, forbidden, rateLimited, unavailable, validationError } from '../shared/errors';

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
  /** The caller may not export this biz type, or sees none of its columns (`message` says which). */
  notAllowed: (message: string) => forbidden('EXPORT_NOT_ALLOWED', message),
  columnNotAllowed: (column: string) =>
    forbidden('COLUMN_NOT_ALLOWED', `you may not export column "${column}"`),
  unknownColumn: (bizType: string, column: string) =>
    validationError('UNKNOWN_COLUMN', `biz type ${bizType} has no column "${column}"`, { field: 'columns' }),
  unknownFilter: (bizType: string, name: string, ...allowed: string[]) =>
    validationError('UNKNOWN_FILTER', `biz type ${bizType} has no filter "${name}"`, {
      field: `filters.${name}`,
      allowed,
    }),
  invalidFilter: (field: string, message: string) => validationError('INVALID_FILTER', message, { field }),
  unsupportedFormat: (...formats: string[]) =>
    validationError('UNSUPPORTED_FORMAT', `format must be one of ${formats.join(', ')}`, { field: 'format' }),
  invalidColumns: () =>
    validationError('INVALID_COLUMNS', 'columns must be a non-empty list of column keys', {
      field: 'columns',
    }),
  invalidIdempotencyKey: () =>
    validationError('INVALID_IDEMPOTENCY_KEY', 'idempotencyKey must be 1 to 128 of [A-Za-z0-9._:-]', {
      field: 'idempotencyKey',
    }),
  /** Pipeline: the writer was aborted before it finished. */
  aborted: () => conflict('EXPORT_ABORTED', 'the export was aborted'),
  writerClosed: (format: string, state: string) =>
    conflict('EXPORT_WRITER_CLOSED', `the ${format} writer is ${state}`),
  outputClosed: () => conflict('EXPORT_OUTPUT_CLOSED', 'the export output stream closed early'),
  invalidFormat: (format: string) =>
    validationError('INVALID_EXPORT_FORMAT', `unknown export format ${format}`),
  invalidWriter: (message: string) => conflict('INVALID_EXPORT_WRITER', message),
  unknownSource: (name: string) =>
    validationError('UNKNOWN_SOURCE', `no export data source "${name}" is configured`),
  sourceUnavailable: (message: string) => unavailable('SOURCE_UNAVAILABLE', message),
  unknownDataHandler: (type: string) =>
    validationError('UNKNOWN_DATA_HANDLER', `no data handler of type "${type}" is registered`),
} as const;
