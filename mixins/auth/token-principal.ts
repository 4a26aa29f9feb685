import type { Context } from 'moleculer';
import { isSystem, type Principal } from '../../domain/shared/principal';
import { identityErrors } from '../../domain/shared/identity.errors';
import { principalResolverOf } from './caller-identity.middleware';

/**
 * Who a token carried in an event's payload stands for: the same resolution as `meta.token` on
 * every action (signature, revocation, disabled users, service accounts; 503 when the directory
 * cannot answer). A system token is never accepted from a payload: it proves only which node sent
 * a request, and a payload may have been written by anybody.
 */
export async function principalOfToken(ctx: Context, token: string): Promise<Principal> {
  const p = await principalResolverOf(ctx.broker).resolve(token, ctx.broker.nodeID);
  if (isSystem(p)) throw identityErrors.invalidToken();
  return p;
}
