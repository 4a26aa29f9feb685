import type { IncomingMessage, ServerResponse } from 'node:http';

interface ErrorLike {
  code?: unknown;
  type?: unknown;
  message?: unknown;
  data?: unknown;
  status?: unknown;
}

/**
 * The error body of API.md, `{"error": {"code", "message", "data"}}`, with the right status for
 * everything the gateway can meet: our mapped domain errors, Moleculer's own errors (service gone,
 * timeout, validation) and body-parser's (bad JSON, too large). Bad input never becomes a 500,
 * and a 500 never shows internals.
 */
export function httpError(err: unknown): { status: number; code: string; message: string; data?: unknown } {
  const e = (err ?? {}) as ErrorLike;
  const type = typeof e.type === 'string' ? e.type : '';
  const message = typeof e.message === 'string' ? e.message : 'error';
  // body-parser errors carry `status` and a dotted `type`.
  if (type === 'entity.parse.failed')
    return { status: 400, code: 'INVALID_JSON', message: 'the body is not valid JSON' };
  if (type === 'entity.too.large' || e.status === 413) {
    return { status: 413, code: 'PAYLOAD_TOO_LARGE', message: 'the request body is too large' };
  }
  if (type === 'encoding.unsupported' || type === 'charset.unsupported') {
    return { status: 415, code: 'UNSUPPORTED_ENCODING', message };
  }
  // A body that says Content-Encoding gzip/deflate but is not: zlib's error reaches us with its
  // string code (Z_DATA_ERROR, Z_BUF_ERROR…) in place of a status, through moleculer-web.
  if (typeof e.code === 'string' && /^Z_[A-Z_]+$/.test(e.code)) {
    return {
      status: 400,
      code: 'INVALID_CONTENT_ENCODING',
      message: 'the body is not encoded as its Content-Encoding says',
    };
  }
  switch (type) {
    case 'VALIDATION_ERROR':
      // Moleculer's own validator says only "Parameters validation error!"; ours say what is wrong.
      return {
        status: 400,
        code: 'VALIDATION_ERROR',
        message: Array.isArray(e.data) || !message ? 'invalid parameters' : message,
        data: e.data,
      };
    case 'SERVICE_NOT_FOUND':
    case 'SERVICE_NOT_AVAILABLE':
    case 'BAD_GATEWAY': // the transporter is down (Moleculer's BrokerDisconnectedError): try again
    case 'REQUEST_REJECTED':
      return { status: 503, code: 'SERVICE_UNAVAILABLE', message: 'the service is not available, try again' };
    case 'REQUEST_TIMEOUT':
      return { status: 503, code: 'REQUEST_TIMEOUT', message: 'the request timed out, try again' };
    case 'NO_TOKEN':
    case 'INVALID_TOKEN':
      return { status: 401, code: type, message };
    case 'NOT_FOUND':
      return { status: 404, code: 'NOT_FOUND', message: 'no such route' };
  }
  const status = typeof e.code === 'number' && e.code >= 400 && e.code <= 599 ? e.code : 500;
  if (status >= 500 && status !== 503)
    return { status: 500, code: 'INTERNAL_ERROR', message: 'internal error' };
  return { status, code: type || (status === 503 ? 'SERVICE_UNAVAILABLE' : 'ERROR'), message, data: e.data };
}

/** Seconds a 429 asks the client to wait: the error's own figure, or a minute. */
function retryAfter(data: unknown): number {
  const s = (data as { retryAfterSeconds?: unknown } | undefined)?.retryAfterSeconds;
  return typeof s === 'number' && Number.isFinite(s) && s > 0 ? Math.ceil(s) : 60;
}

export function sendJsonError(
  req: IncomingMessage,
  res: ServerResponse,
  err: unknown,
): { status: number; code: string } {
  const h = httpError(err);
  if (res.headersSent) {
    res.destroy();
    return h;
  }
  const body = JSON.stringify({
    error: { code: h.code, message: h.message, ...(h.data ? { data: h.data } : {}) },
  });
  res.statusCode = h.status;
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Content-Length', Buffer.byteLength(body));
  if (h.status === 401) res.setHeader('WWW-Authenticate', 'Bearer');
  if (h.status === 429) res.setHeader('Retry-After', String(retryAfter(h.data)));
  res.end(req.method === 'HEAD' ? undefined : body);
  return h;
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** A caller's X-Request-ID is kept only when it is short and plain, so it is safe in logs. */
export function acceptedRequestId(header: string | string[] | undefined): string | undefined {
  const v = Array.isArray(header) ? header[0] : header;
  return v && REQUEST_ID.test(v) ? v : undefined;
}
