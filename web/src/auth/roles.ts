import type { Me } from '../api/types';

export type Role = 'ADMIN' | 'AUDITOR';

/** Whether the caller may open a page that needs one of `roles` (none listed: every signed-in user). */
export function mayOpen(me: Pick<Me, 'roles'> | null, roles: readonly Role[] | undefined): boolean {
  if (!me) return false;
  if (!roles || roles.length === 0) return true;
  return roles.some((r) => me.roles.includes(r));
}
