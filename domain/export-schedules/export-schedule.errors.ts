import { conflict, forbidden, notFound, validationError } from '../shared/errors';

/**
 * The export schedules context's errors, one named constructor per code (docs/architecture.md
 * lists them). A schedule the caller may not see answers exactly like a missing one.
 */
export const ExportScheduleErrors = {
  /** Missing, or another user's: the two are never told apart. */
  hidden: () => notFound('EXPORT_SCHEDULE_NOT_FOUND', 'no such export schedule'),
  invalid: (field: string, message: string) => validationError('INVALID_SCHEDULE', message, { field }),
  invalidRelative: (field: string, message: string) =>
    validationError('INVALID_RELATIVE_FILTER', `${field}: ${message}`, { field }),
  concurrentChange: () => conflict('CONCURRENT_CHANGE', 'the export schedule changed meanwhile; reload it'),
  /** At a firing: the owner no longer exists or is disabled, so nothing runs in their name. */
  ownerUnavailable: () =>
    forbidden('SCHEDULE_OWNER_UNAVAILABLE', 'the owner of this schedule no longer exists or is disabled'),
} as const;
