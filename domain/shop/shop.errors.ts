import { validationError } from '../shared/errors';

/** The demo shop's read errors (the `action` data handler protocol's 400s). */
export const ShopErrors = {
  invalidLimit: (max: number, limit: unknown) =>
    validationError('INVALID_LIMIT', `limit must be an integer from 1 to ${max}`, { limit }),
  invalidFilter: (name: string, message: string, value: unknown) =>
    validationError('INVALID_FILTER', message, { [name]: value }),
} as const;
