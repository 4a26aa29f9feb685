import type { Context } from 'moleculer';
import type { UserLookup } from '../../domain/directory/directory.ports';
import type { Principal } from '../../domain/shared/principal';

/** The UserLookup port over `directory.resolveUser` (cached there, cleaned on every user change). */
export const userLookup = (caller: Pick<Context, 'call'>): UserLookup => ({
  async current(id) {
    try {
      return await caller.call<Principal & { disabled: boolean }, { id: string }>('directory.resolveUser', {
        id,
      });
    } catch (e) {
      // Matched on the error's code, not its HTTP status: only a user that is gone is "no user".
      if ((e as { type?: unknown }).type === 'USER_NOT_FOUND') return null;
      throw e;
    }
  },
});
