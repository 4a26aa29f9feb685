import { isAdmin, type Principal } from '../../domain/shared/principal';
import { identityErrors } from '../../domain/shared/identity.errors';
import { AccessErrors } from '../../domain/shared/access.errors';

interface WithMeta {
  meta: { user?: Principal | null };
}

/**
 * The caller, as the caller identity middleware resolved it from a verified credential
 * (mixins/auth/caller-identity.middleware.ts). Business services calling an action put their
 * credential in `meta.token`, never a `meta.user` object: one from another node is dropped.
 */
export function requireUser(ctx: WithMeta): Principal {
  const user = ctx.meta.user;
  if (!user) throw identityErrors.unauthenticated();
  return user;
}

export function requireAdmin(ctx: WithMeta): Principal {
  const user = requireUser(ctx);
  if (!isAdmin(user)) throw AccessErrors.adminRequired();
  return user;
}
