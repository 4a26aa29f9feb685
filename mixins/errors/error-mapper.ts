import { Errors, type Context, type Service, type ServiceSchema } from 'moleculer';
import { isDomainError, type ErrorKind } from '../../domain/shared/errors';
import { isConnectionError } from '../database/db-errors';

export const HTTP_STATUS: Record<ErrorKind, number> = {
  VALIDATION: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  TOO_LARGE: 413,
  UNSUPPORTED_TYPE: 415,
  RATE_LIMITED: 429,
  UNAVAILABLE: 503,
};

/**
 * Turns anything thrown inside an action into a Moleculer error whose `code` is the HTTP status and
 * whose `type` is our stable UPPER_SNAKE code. Moleculer errors survive the transporter with both
 * fields, so the gateway can answer the same way whichever node failed.
 */
export function toMoleculerError(e: unknown): Errors.MoleculerError {
  if (isDomainError(e)) {
    const status = HTTP_STATUS[e.kind];
    return status >= 500
      ? new Errors.MoleculerRetryableError(e.message, status, e.code, e.data)
      : new Errors.MoleculerClientError(e.message, status, e.code, e.data);
  }
  if (e instanceof Errors.ValidationError) {
    return new Errors.MoleculerClientError('invalid parameters', 400, 'VALIDATION_ERROR', e.data as unknown);
  }
  if (e instanceof Errors.MoleculerError) return e;
  if (isConnectionError(e)) {
    return new Errors.MoleculerRetryableError('a dependency is unavailable', 503, 'DEPENDENCY_UNAVAILABLE');
  }
  const err = e instanceof Error ? e : new Error(String(e));
  const wrapped = new Errors.MoleculerError('internal error', 500, 'INTERNAL_ERROR');
  wrapped.stack = err.stack;
  (wrapped as unknown as { cause: unknown }).cause = err;
  return wrapped;
}

/** Every service mixes this in, so the mapping happens once, next to the code that threw. */
export const errorsMixin: Partial<ServiceSchema> = {
  hooks: {
    error: {
      '*'(this: Service, ctx: Context, err: Error) {
        const mapped = toMoleculerError(err);
        if (mapped.code >= 500 && mapped.type === 'INTERNAL_ERROR') {
          this.logger.error(`[${ctx.requestID ?? '-'}] ${ctx.action?.name ?? 'action'} failed`, err);
        }
        throw mapped;
      },
    },
  },
};
