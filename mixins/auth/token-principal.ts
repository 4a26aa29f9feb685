import type { Context } from 'moleculer';
import { unauthorized } from '../../domain/shared/errors';
import type { Principal } from '../../domain/shared/principal';
import type { JwtIssuer } from './jwt-issuer';

/**
 * Who a token in an event stands for, as the gateway decides it: a valid signature, then the user
 * as the directory knows them now (gone: INVALID_TOKEN, disabled: USER_DISABLED).
 *
 * Seam: the `trust` work (API.md "Callers inside the cluster") resolves `meta.token` in a broker
 * middleware with service accounts and revocation; once it lands, this function delegates to that
 * resolution so events and calls decide identity in one place.
 */
export async function principalOfToken(ctx: Context, issuer: JwtIssuer, token: string): Promise<Principal> {
  const claims = issuer.verify(token);
  const user = await ctx
    .call<Principal & { disabled: boolean }, { id: string }>('directory.resolveUser', { id: claims.id })
    .catch((e: unknown) => {
      if ((e as { code?: unknown }).code === 404) return null;
      throw e;
    });
  if (!user) throw unauthorized('INVALID_TOKEN', 'the user of this token no longer exists');
  if (user.disabled) throw unauthorized('USER_DISABLED', 'this user is disabled');
  return { id: user.id, username: user.username, roles: user.roles, unitId: user.unitId };
}
