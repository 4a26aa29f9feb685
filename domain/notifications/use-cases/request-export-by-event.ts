import type { Clock } from '../../ports/clock.port';
import type { IdGenerator } from '../../ports/id-generator.port';
import type { OutboxHint } from '../../ports/outbox.port';
import { domainEvent, type DomainEvent } from '../../shared/domain-event';
import type { Principal } from '../../shared/principal';
import { parseExportRequested, type ExportRequestEnvelope } from '../export-request-event';

/** An error as the caller would see it over the API: its HTTP status, code and message. */
export interface DescribedError {
  status: number;
  code: string;
  message: string;
}

/** Everything an event-requested export reaches outside the domain, as ports. */
export interface ExportByEventDeps {
  /** The owner of a user's JWT or a service account's token; throws as authentication does. */
  ownerOf(token: string): Promise<Principal>;
  /** exports.create as `owner` (who also carries `token` to nodes that resolve it themselves). */
  requestExport(
    request: ExportRequestEnvelope['request'] & { idempotencyKey: string },
    owner: Principal,
    token: string,
  ): Promise<unknown>;
  /** Events that change no record: outbox only. */
  logEvents(events: DomainEvent[]): Promise<void>;
  describe(e: unknown): DescribedError;
  ids: IdGenerator;
  clock: Clock;
  outbox: OutboxHint;
  /** Failures of a dependency (5xx) are worth an operator's look. */
  logger: { error(...args: unknown[]): void };
}

/**
 * `exports.requested` from a business service (API.md "Notifications", docs/integration.md): the
 * token's owner requests the export with `requestId` as the idempotency key, so a repeated event
 * makes no second task; the outcome comes back as exports.succeeded|failed from the outbox. A
 * request that cannot become a task is answered at once with exports.failed carrying `requestId`
 * and the error (never silence): an EXPORT_REQUEST_REJECTED event, retryable when a dependency was
 * down (5xx), so the sender may send it again with the same requestId.
 */
export async function requestExportByEvent(
  d: ExportByEventDeps,
  raw: unknown,
  traceId: string | null,
): Promise<void> {
  const parsed = parseExportRequested(raw);
  let userId: string | null = null;
  try {
    if (!parsed.ok) throw parsed.error;
    const owner = await d.ownerOf(parsed.envelope.token);
    userId = owner.id;
    await d.requestExport(
      { ...parsed.envelope.request, idempotencyKey: parsed.requestId },
      owner,
      parsed.envelope.token,
    );
  } catch (e) {
    const err = d.describe(e);
    const retryable = err.status >= 500;
    if (retryable) d.logger.error(`exports.requested ${parsed.requestId ?? '?'} failed`, e);
    const rejected = domainEvent(
      {
        type: 'EXPORT_REQUEST_REJECTED',
        userId,
        targetType: 'EXPORT_REQUEST',
        bizType: parsed.bizType,
        outcome: 'FAILURE',
        detail: { requestId: parsed.requestId, code: err.code, message: err.message },
        requestId: traceId,
      },
      d.ids.next(),
      d.clock.now(),
    );
    rejected.subject = {
      task: null,
      ...(parsed.requestId ? { requestId: parsed.requestId } : {}),
      error: { code: err.code, message: err.message, retryable },
    };
    await d.logEvents([rejected]);
    d.outbox.appended();
  }
}
