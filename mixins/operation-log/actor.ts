import type { Context } from 'moleculer';
import type { Actor } from '../../domain/directory/directory.use-cases';
import type { Principal } from '../../domain/shared/principal';

/** The event every writer emits after committing domain events: a hint for the outbox relay. */
export const OUTBOX_APPENDED = 'outbox.appended';

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
