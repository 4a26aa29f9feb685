import { validationError } from './errors';

/** Errors of input that every context shares: one bad field, a bad cursor, time zone or locale. */
export const ValidationErrors = {
  /** The usual 400: one named field is wrong, `message` says how. */
  invalidField: (field: string, message: string) => validationError('VALIDATION_ERROR', message, { field }),
  /** A 400 that names no single field (e.g. two fields needed together). */
  invalid: (message: string) => validationError('VALIDATION_ERROR', message),
  invalidCursor: () => validationError('INVALID_CURSOR', 'cursor is not valid', { field: 'cursor' }),
  invalidTimeZone: (field: string) =>
    validationError('INVALID_TIME_ZONE', `${field} must be an IANA time zone such as Asia/Shanghai`, {
      field,
    }),
  invalidLocale: (field: string) =>
    validationError('INVALID_LOCALE', `${field} must be a language tag such as zh-CN or en`, { field }),
} as const;
