/**
 * Domain errors carry a stable UPPER_SNAKE `code` and a `kind` that the error mixin maps to an HTTP
 * status. Callers match on `code`, never on `instanceof`: class identity does not survive a hop
 * over the transporter.
 */
export type ErrorKind =
  | 'VALIDATION' // 400
  | 'UNAUTHORIZED' // 401
  | 'FORBIDDEN' // 403
  | 'NOT_FOUND' // 404
  | 'CONFLICT' // 409
  | 'TOO_LARGE' // 413
  | 'UNSUPPORTED_TYPE' // 415
  | 'RATE_LIMITED' // 429
  | 'UNAVAILABLE'; // 503

export class DomainError extends Error {
  constructor(
    readonly kind: ErrorKind,
    readonly code: string,
    message: string,
    readonly data?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export const validationError = (code: string, message: string, data?: Record<string, unknown>) =>
  new DomainError('VALIDATION', code, message, data);
export const unauthorized = (code: string, message: string) => new DomainError('UNAUTHORIZED', code, message);
export const forbidden = (code: string, message: string) => new DomainError('FORBIDDEN', code, message);
export const notFound = (code: string, message: string, data?: Record<string, unknown>) =>
  new DomainError('NOT_FOUND', code, message, data);
export const conflict = (code: string, message: string, data?: Record<string, unknown>) =>
  new DomainError('CONFLICT', code, message, data);
export const tooLarge = (code: string, message: string, data?: Record<string, unknown>) =>
  new DomainError('TOO_LARGE', code, message, data);
export const unsupportedType = (code: string, message: string, data?: Record<string, unknown>) =>
  new DomainError('UNSUPPORTED_TYPE', code, message, data);
export const rateLimited = (code: string, message: string, data?: Record<string, unknown>) =>
  new DomainError('RATE_LIMITED', code, message, data);
export const unavailable = (code: string, message: string, data?: Record<string, unknown>) =>
  new DomainError('UNAVAILABLE', code, message, data);

export const isDomainError = (e: unknown): e is DomainError => e instanceof DomainError;
