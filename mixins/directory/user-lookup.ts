import type { Context } from 'moleculer';
import type { UserLookup } from '../../domain/directory/directory.ports';
import type { Principal } from '../../domain/shared/principal';

type Current = Principal & { disabled: boolean };

/**
 * The UserLookup port over `directory.resolveUser` (cached there, cleaned on every user change),
 * falling back to `directory.resolveServiceAccount`: a business system's service account requests
 * exports too, with roles and a unit like a user.
 */
export const userLookup = (caller: Pick<Context, 'call'>): UserLookup => ({
  async current(id) {
    const find = async (action: string, gone: string): Promise<Current | null> => {
      try {
        return await caller.call<Current, { id: string }>(action, { id });
      } catch (e) {
        // Matched on the error's code, not its HTTP status: only a subject that is gone is "none".
        if ((e as { type?: unknown }).type === gone) return null;
        throw e;
      }
    };
    return (
      (await find('directory.resolveUser', 'USER_NOT_FOUND')) ??
      (await find('directory.resolveServiceAccount', 'SERVICE_ACCOUNT_NOT_FOUND'))
    );
  },
});
