import { type DomainError } from '../shared/errors';
import { isShortCode } from '../shared/identifiers';
import { ValidationErrors } from '../shared/validation.errors';

/** What `exports.requested` carries besides the export (API.md "Notifications"). */
export interface ExportRequestEnvelope {
  requestId: string;
  token: string;
  /** The export request proper, as `exports.create` takes it (minus the idempotency key). */
  request: { bizType: unknown; format: unknown; filters: unknown; columns?: unknown };
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export type ParsedExportRequest =
  | { ok: true; requestId: string; bizType: string | null; envelope: ExportRequestEnvelope }
  | { ok: false; requestId: string | null; bizType: string | null; error: DomainError };

/**
 * The envelope only (the export itself is checked by exports.create): a request id usable as an
 * idempotency key, and a token. The request id and biz type read are kept for the answer even
 * when something else is wrong.
 */
export function parseExportRequested(p: unknown): ParsedExportRequest {
  const o = (p && typeof p === 'object' ? p : {}) as Record<string, unknown>;
  const requestId = typeof o.requestId === 'string' && REQUEST_ID.test(o.requestId) ? o.requestId : null;
  const bizType = isShortCode(o.bizType) ? o.bizType : null;
  const bad = (message: string, field: string): ParsedExportRequest => ({
    ok: false,
    requestId,
    bizType,
    error: ValidationErrors.invalidField(field, message),
  });
  if (!requestId) return bad('requestId must be 1 to 128 of [A-Za-z0-9._:-]', 'requestId');
  if (typeof o.token !== 'string' || o.token.length === 0) return bad('token is required', 'token');
  return {
    ok: true,
    requestId,
    bizType,
    envelope: {
      requestId,
      token: o.token,
      request: {
        bizType: o.bizType,
        format: o.format,
        filters: o.filters,
        ...(o.columns !== undefined ? { columns: o.columns } : {}),
      },
    },
  };
}
