/** The authenticated caller, as the gateway puts it on `ctx.meta.user` from the JWT claims. */
export interface Principal {
  id: string;
  username: string;
  roles: string[];
  unitId: string | null;
}

export const ADMIN_ROLE = 'ADMIN';
export const AUDITOR_ROLE = 'AUDITOR';

export const isAdmin = (p: Principal): boolean => p.roles.includes(ADMIN_ROLE);
