import { forbidden, unauthorized } from '../../domain/shared/errors';
import { isAdmin, type Principal } from '../../domain/shared/principal';

interface WithMeta {
  meta: { user?: Principal | null };
}

/**
 * The caller. The gateway sets `ctx.meta.user` from the verified JWT; business services calling an
 * action directly pass the user they act for the same way. No user means no access.
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
