import type { Context } from 'moleculer';
import type { Actor } from '../../domain/directory/directory.use-cases';
import type { Principal } from '../../domain/shared/principal';
import { domainEvent, type DomainEvent, type NewDomainEvent } from '../../domain/shared/domain-event';
import { ulidIds } from '../auth/ulid-ids';
import type { OutboxHint } from '../../domain/ports/outbox.port';

/** The event every writer emits after committing domain events: a hint for the outbox relay. */
export const OUTBOX_APPENDED = 'outbox.appended';

/**
 * A domain event done by the caller of `ctx` (its user and request id), with a fresh id and time.
 * `userId` overrides the actor (e.g. a download logged for the link's user).
 */
export function actorEvent(
  ctx: Context<unknown, { user?: Principal | null }>,
  e: Omit<NewDomainEvent, 'userId' | 'requestId'>,
  userId?: string | null,
): DomainEvent {
  const actor = actorOf(ctx);
  return domainEvent(
    { ...e, userId: userId === undefined ? actor.userId : userId, requestId: actor.requestId },
    ulidIds.next(),
    new Date(),
  );
}

export function actorOf(ctx: Context<unknown, { user?: Principal | null }>): Actor {
  return { userId: ctx.meta.user?.id ?? null, requestId: ctx.requestID ?? null };
}

/**
 * Runs a write that committed domain events, then tells a relay. The hint is fire-and-forget: if
 * it is lost the relay's next poll delivers the events anyway.
 */
export async function withOutboxHint<T>(ctx: Context, write: () => Promise<T>): Promise<T> {
  const result = await write();
  ctx.emit(OUTBOX_APPENDED).catch(() => undefined);
  return result;
}

/** The OutboxHint port over a context: emits the hint from the caller's node. */
export const outboxHint = (ctx: Pick<Context, 'emit'>): OutboxHint => ({
  appended: () => void ctx.emit(OUTBOX_APPENDED).catch(() => undefined),
});
