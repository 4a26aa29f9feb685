import { conflict, DomainError, notFound, tooLarge, unavailable, validationError } from '../shared/errors';

/** Errors of the ObjectStorage port, the same from every adapter (docs/architecture.md lists them). */
export const StorageErrors = {
  notFound: (key: string, data: Record<string, unknown> = { key }) =>
    notFound('STORAGE_NOT_FOUND', `object "${key}" does not exist`, data),
  invalidKey: (reason: string, key: string) =>
    validationError('STORAGE_INVALID_KEY', `invalid object key: ${reason}`, { key }),
  invalidRange: (data: Record<string, unknown>, message = 'invalid byte range') =>
    validationError('STORAGE_INVALID_RANGE', message, data),
  invalidLimit: (max: number, limit: unknown) =>
    validationError('STORAGE_INVALID_LIMIT', `list limit must be 1..${max}`, { limit }),
  invalidMetadata: (message: string) => validationError('STORAGE_INVALID_METADATA', message),
  invalidContentType: () => validationError('STORAGE_INVALID_CONTENT_TYPE', 'invalid content type'),
  invalidSize: (size: unknown) =>
    validationError('STORAGE_INVALID_SIZE', 'declared size must be a non-negative integer', { size }),
  keyConflict: (key: string) =>
    conflict('STORAGE_KEY_CONFLICT', `key "${key}" clashes with an existing key used as a folder`, { key }),
  sizeMismatch: (expected: number | undefined, received: number) =>
    validationError('STORAGE_SIZE_MISMATCH', `body size differs from the declared ${expected} bytes`, {
      expected,
      received,
    }),
  tooLarge: (maxParts: number) => tooLarge('STORAGE_TOO_LARGE', `object exceeds ${maxParts} parts`),
  unavailable: (message: string, data?: Record<string, unknown>) =>
    unavailable('STORAGE_UNAVAILABLE', message, data),
  accessDenied: (message: string, data?: Record<string, unknown>) =>
    new DomainError('UNAVAILABLE', 'STORAGE_ACCESS_DENIED', message, data),
} as const;
