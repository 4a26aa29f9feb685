/**
 * Errors of the REST API as typed values. Every non-2xx answer with the envelope
 * `{"error": {"code", "message", "data"}}` becomes an ApiError; a failed connection a NetworkError.
 * Pure (no DOM): unit-tested in errors.test.ts.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly data?: unknown,
    /** Seconds from a Retry-After header (429, 503), when the server sent one. */
    readonly retryAfter?: number,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  get unauthorized(): boolean {
    return this.status === 401;
  }

  get forbidden(): boolean {
    return this.status === 403;
  }

  /** The field a 400 blames (`data.field`), for showing the message beside that form field. */
  get field(): string | undefined {
    const d = this.data as { field?: unknown } | undefined;
    return typeof d?.field === 'string' ? d.field : undefined;
  }
}

export class NetworkError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NetworkError';
  }
}

/** Builds the ApiError of an answer from its status, body text and Retry-After header. */
export function apiErrorFrom(status: number, bodyText: string, retryAfter?: string | null): ApiError {
  let code = `HTTP_${status}`;
  let message = bodyText.slice(0, 200) || `HTTP ${status}`;
  let data: unknown;
  try {
    const body = JSON.parse(bodyText) as { error?: { code?: unknown; message?: unknown; data?: unknown } };
    if (body && typeof body.error === 'object' && body.error) {
      if (typeof body.error.code === 'string') code = body.error.code;
      if (typeof body.error.message === 'string') message = body.error.message;
      data = body.error.data;
    }
  } catch {
    /* not the envelope (a proxy's page, say): keep the status and the text */
  }
  const seconds = retryAfter ? Number(retryAfter) : NaN;
  return new ApiError(status, code, message, data, Number.isFinite(seconds) ? seconds : undefined);
}

/**
 * What a person is told about an error: a message key of the i18n dictionary and its values. The
 * server's own message is shown for validation errors (it names the field), otherwise the status
 * decides, so the wording stays in the person's language.
 */
export type ErrorMessage =
  | {
      key:
        | 'error.unauthorized'
        | 'error.forbidden'
        | 'error.notFound'
        | 'error.conflict'
        | 'error.unavailable'
        | 'error.network'
        | 'error.internal';
      values?: undefined;
    }
  | {
      key: 'error.tooLarge' | 'error.unsupportedType' | 'error.invalid' | 'error.other';
      values: { detail: string };
    }
  | { key: 'error.rateLimited'; values: { seconds: string } }
  | { key: 'error.builtInJob'; values: { name: string } };

export function describeError(err: unknown): ErrorMessage {
  if (err instanceof NetworkError) return { key: 'error.network' };
  if (!(err instanceof ApiError))
    return { key: 'error.other', values: { detail: String((err as Error)?.message ?? err) } };
  // A few codes say more than their status: the person is told what to do instead.
  if (err.code === 'BUILT_IN_JOB') {
    const name = (err.data as { name?: unknown } | undefined)?.name;
    return { key: 'error.builtInJob', values: { name: typeof name === 'string' ? name : '' } };
  }
  switch (err.status) {
    case 400:
      return { key: 'error.invalid', values: { detail: err.message } };
    case 401:
      return { key: 'error.unauthorized' };
    case 403:
      return { key: 'error.forbidden' };
    case 404:
      return { key: 'error.notFound' };
    case 409:
      return { key: 'error.conflict' };
    case 413:
      return { key: 'error.tooLarge', values: { detail: err.message } };
    case 415:
      return { key: 'error.unsupportedType', values: { detail: err.message } };
    case 429:
      return { key: 'error.rateLimited', values: { seconds: String(err.retryAfter ?? '') } };
    case 503:
      return { key: 'error.unavailable' };
  }
  if (err.status >= 500) return { key: 'error.internal' };
  return { key: 'error.other', values: { detail: err.message } };
}
