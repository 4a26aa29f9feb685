import type { DataSource, EntityManager } from 'typeorm';
import type { DomainEvent } from '../../domain/shared/domain-event';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { OutboxSchema, type OutboxRow } from '../database/schemas/operation-log.schema';

/**
 * Writes domain events into the outbox inside the caller's transaction, so an event exists exactly
 * when the change it describes was committed. The relay moves them into the operation log later;
 * the business operation never waits for logging.
 */
/** Events with no other write to ride on (a link issued, a download): one transaction of their own. */
export async function logEvents(ds: DataSource, events: readonly DomainEvent[]): Promise<void> {
  await ds.transaction((em) => appendToOutbox(em, events));
}

export async function appendToOutbox(em: EntityManager, events: readonly DomainEvent[]): Promise<void> {
  if (events.length === 0) return;
  await em
    .createQueryBuilder()
    .insert()
    .into(OutboxSchema)
    .values(
      events.map((e) => ({
        id: e.id,
        type: e.type,
        occurredAt: e.occurredAt,
        payload: { ...e, occurredAt: e.occurredAt.toISOString() },
      })) as QueryDeepPartialEntity<OutboxRow>[],
    )
    .updateEntity(false)
    .execute();
}

/** Rebuilds a DomainEvent from its outbox payload. */
export function eventFromPayload(payload: Record<string, unknown>): DomainEvent {
  const p = payload as unknown as Omit<DomainEvent, 'occurredAt'> & { occurredAt: string };
  return { ...p, occurredAt: new Date(p.occurredAt) };
}
