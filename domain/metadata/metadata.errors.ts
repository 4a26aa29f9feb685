import { conflict, notFound, validationError } from '../shared/errors';

/** The metadata (biz types) context's errors, one named constructor per code (docs/architecture.md lists them). */
export const MetadataErrors = {
  bizTypeNotFound: (code: string) => notFound('BIZ_TYPE_NOT_FOUND', `no biz type "${code}"`, { code }),
  /** `ifMatch` named another version than the stored one (`current`, null when there is none). */
  versionConflict: (current: number | null) =>
    conflict('BIZ_TYPE_VERSION_CONFLICT', 'the biz type changed since it was read', { current }),
  changedConcurrently: () => conflict('BIZ_TYPE_VERSION_CONFLICT', 'the biz type was changed concurrently'),
  kindChange: () =>
    validationError('BIZ_TYPE_KIND_CHANGE', 'a biz type cannot change its kind', { field: 'kind' }),
  invalidExportColumns: (field: string, message: string) =>
    validationError('INVALID_EXPORT_COLUMNS', `${field} ${message}`, { field }),
  /** A mapping the data source rejects (a table or column it does not have): final, not retried. */
  bizTypeInvalid: (message: string) => conflict('BIZ_TYPE_INVALID', message),
} as const;
