/**
 * Something that happened in the domain, recorded in the same transaction as the change it
 * describes (the outbox) and delivered to the operation log afterwards. `id` is unique and makes
 * delivery idempotent: a redelivered event is logged once.
 */
export interface DomainEvent {
  id: string;
  /** UPPER_SNAKE action, e.g. FILE_UPLOADED, EXPORT_REQUESTED, PERMISSION_CHANGED. */
  type: string;
  occurredAt: Date;
  /** Who did it; null for the system (scheduled jobs, compensation). */
  userId: string | null;
  targetType: string;
  targetId: string | null;
  bizType: string | null;
  outcome: 'SUCCESS' | 'FAILURE';
  detail: Record<string, unknown>;
  requestId: string | null;
  /**
   * For events that are also published to business systems (domain/notifications): the task as it
   * was right after the change, and the request it answers. Kept in the outbox, not in the log.
   */
  subject?: Record<string, unknown>;
}

export type NewDomainEvent = Omit<
  DomainEvent,
  'id' | 'occurredAt' | 'outcome' | 'detail' | 'requestId' | 'bizType' | 'targetId'
> &
  Partial<Pick<DomainEvent, 'outcome' | 'detail' | 'requestId' | 'bizType' | 'targetId'>>;

export function domainEvent(e: NewDomainEvent, id: string, now: Date): DomainEvent {
  return {
    id,
    occurredAt: now,
    outcome: 'SUCCESS',
    detail: {},
    requestId: null,
    bizType: null,
    targetId: null,
    ...e,
  };
}

/** Who asks, for the operation log: the user (null: the system) and the request id. */
export interface Actor {
  userId: string | null;
  requestId: string | null;
}

/** An event by `actor` about one target, its id and time from the use case's ports. */
export function actorEvent(
  d: { ids: { next(): string }; clock: { now(): Date } },
  actor: Actor,
  e: Pick<DomainEvent, 'type' | 'targetType' | 'targetId' | 'bizType' | 'detail'> &
    Partial<Pick<DomainEvent, 'outcome'>>,
): DomainEvent {
  return domainEvent({ ...e, userId: actor.userId, requestId: actor.requestId }, d.ids.next(), d.clock.now());
}
