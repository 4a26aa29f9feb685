import { forbidden, unauthorized } from '../../domain/shared/errors';
import { isAdmin, type Principal } from '../../domain/shared/principal';

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
  if (!user) throw unauthorized('UNAUTHENTICATED', 'authentication required');
  return user;
}

export function requireAdmin(ctx: WithMeta): Principal {
  const user = requireUser(ctx);
  if (!isAdmin(user)) throw forbidden('ADMIN_REQUIRED', 'this operation needs the ADMIN role');
  return user;
}
