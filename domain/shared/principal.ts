/**
 * The authenticated caller on `ctx.meta.user`: a person (`user`, from a JWT), a business system
 * (`service`, from a service account's token) or this cluster's own background work (`system`).
 * A principal is only ever set on the node that verified the credential it came from: one written
 * by another node is dropped at the transporter (see mixins/auth/caller-identity.middleware.ts).
 */
export interface Principal {
  id: string;
  username: string;
  roles: string[];
  unitId: string | null;
  /** Absent means `user` (principals built before service accounts existed). */
  kind?: PrincipalKind;
}

export type PrincipalKind = 'user' | 'service' | 'system';

export const ADMIN_ROLE = 'ADMIN';
export const AUDITOR_ROLE = 'AUDITOR';

export const isAdmin = (p: Principal): boolean => p.roles.includes(ADMIN_ROLE);

/**
 * The scheduler, the export coordinators and chunk readers, the outbox relay and the gateway's
 * signed-link downloads act as this. It holds no role: it passes "who is calling" checks, never
 * an ADMIN check. Remote nodes learn it only from a system token signed with the cluster secret.
 */
export const SYSTEM_PRINCIPAL: Readonly<Principal> = Object.freeze({
  id: 'system',
  username: 'system',
  roles: [],
  unitId: null,
  kind: 'system',
});

export const isSystem = (p: Principal | null | undefined): boolean => p?.kind === 'system';
