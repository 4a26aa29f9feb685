import type { DomainEvent } from '../shared/domain-event';

/**
 * The integration surface (docs/integration.md): the domain events business systems may consume,
 * by the operation-log action that records them. The outbox relay publishes these after they are
 * logged, so each is on the bus at least once after the change it describes committed.
 */
export const BUS_EVENT_OF_ACTION = {
  EXPORT_SUCCEEDED: 'exports.succeeded',
  EXPORT_FAILED: 'exports.failed',
  EXPORT_CANCELLED: 'exports.cancelled',
  /** An export request that never became a task (exports.requested with a bad token or body). */
  EXPORT_REQUEST_REJECTED: 'exports.failed',
  FILE_UPLOADED: 'files.uploaded',
  FILE_EXPIRED: 'files.expired',
  EXPORT_EXPIRED: 'files.expired',
} as const satisfies Record<string, string>;

export type BusEventName = (typeof BUS_EVENT_OF_ACTION)[keyof typeof BUS_EVENT_OF_ACTION];

export const BUS_EVENT_NAMES: readonly BusEventName[] = [...new Set(Object.values(BUS_EVENT_OF_ACTION))];

export const isBusEventName = (s: unknown): s is BusEventName =>
  typeof s === 'string' && (BUS_EVENT_NAMES as readonly string[]).includes(s);

/** What subscribers get: `task` is the task as it was right after the change. */
export interface IntegrationEvent {
  eventId: string;
  occurredAt: string;
  task: Record<string, unknown> | null;
  /** The export's idempotency key: the `requestId` of an export requested by event. */
  requestId?: string;
  /** Why a request was rejected before any task existed (`task` is then null). */
  error?: { code: string; message: string; retryable?: boolean };
}

/**
 * Whether a logged event is published, and as what. A failed attempt that will be retried is not
 * an outcome yet: only the last failure is `exports.failed`.
 */
export function busEventOf(e: DomainEvent): BusEventName | null {
  const name = (BUS_EVENT_OF_ACTION as Record<string, BusEventName | undefined>)[e.type];
  if (!name) return null;
  if (e.type === 'EXPORT_FAILED' && e.detail.willRetry === true) return null;
  return name;
}

/** Whether an action's outbox row must carry the task snapshot for publication. */
export const isPublishedAction = (type: string): boolean => type in BUS_EVENT_OF_ACTION;

export function integrationEvent(e: DomainEvent): IntegrationEvent {
  const s = e.subject ?? {};
  const out: IntegrationEvent = {
    eventId: e.id,
    occurredAt: e.occurredAt.toISOString(),
    task: (s.task as Record<string, unknown> | undefined) ?? null,
  };
  if (typeof s.requestId === 'string') out.requestId = s.requestId;
  if (s.error && typeof s.error === 'object') out.error = s.error as IntegrationEvent['error'];
  return out;
}
