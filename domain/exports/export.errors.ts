import { conflict, forbidden, validationError } from '../shared/errors';

/** The exports context's errors, one named constructor per code (docs/architecture.md lists them). */
export const ExportErrors = {
  bizTypeRequired: () => validationError('VALIDATION_ERROR', 'bizType is required', { field: 'bizType' }),
  notExportable: (code: string) =>
    validationError('BIZ_TYPE_NOT_EXPORTABLE', `${code} is not an export biz type`, { field: 'bizType' }),
  idempotencyKeyReused: () =>
    conflict('IDEMPOTENCY_KEY_REUSED', 'this idempotencyKey was used for another request'),
  notOwned: () =>
    forbidden('EXPORT_NOT_OWNED', 'only the requester or an administrator may change an export'),
} as const;
