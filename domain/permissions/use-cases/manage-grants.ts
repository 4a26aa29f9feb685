import type { Clock } from '../../ports/clock.port';
import type { IdGenerator } from '../../ports/id-generator.port';
import type { OutboxHint } from '../../ports/outbox.port';
import { actorEvent, type Actor, type DomainEvent } from '../../shared/domain-event';
import { DirectoryErrors } from '../../directory/directory.errors';
import { parseGrant, type Grant, type PermissionType } from '../grant';
import type { GrantRepository } from '../grant.ports';
import { PermissionErrors } from '../permission.errors';

/** Whether a role, unit or user a grant names exists (the directory context answers). */
export interface GrantSubjects {
  exists(type: PermissionType, id: string): Promise<boolean>;
}

/** Everything the grant use cases reach outside the domain, as ports. */
export interface GrantDeps {
  grants: GrantRepository;
  subjects: GrantSubjects;
  ids: IdGenerator;
  clock: Clock;
  outbox: OutboxHint;
  /** Every node drops what it cached of the grants (the permission check's cache). */
  changed(): Promise<void>;
}

const grantEvent = (d: GrantDeps, actor: Actor, change: 'GRANTED' | 'REVOKED', g: Grant): DomainEvent =>
  actorEvent(d, actor, {
    type: 'PERMISSION_CHANGED',
    targetType: 'PERMISSION',
    targetId: g.id,
    bizType: g.bizType,
    detail: { change, ...g },
  });

/**
 * An administrator grants access (API.md "Permissions"). The grant must name a role, unit or user
 * that exists, and its scope unit too: a typo would otherwise silently grant nothing. Stored with
 * its PERMISSION_CHANGED event in one transaction; then every node's cached view is dropped.
 */
export async function grantAccess(
  d: GrantDeps,
  actor: Actor & { userId: string },
  input: Record<string, unknown>,
): Promise<Grant> {
  const g = parseGrant(d.ids.next(), input);
  if (!(await d.subjects.exists(g.type, g.subject))) throw PermissionErrors.unknownSubject(g.type, g.subject);
  if (g.scopeUnitId !== null && !(await d.subjects.exists('UNIT', g.scopeUnitId)))
    throw DirectoryErrors.unknownUnit('scopeUnitId');
  await d.grants.insert(g, actor.userId, d.clock.now(), [grantEvent(d, actor, 'GRANTED', g)]);
  d.outbox.appended();
  await d.changed();
  return g;
}

/** An administrator revokes a grant: 404 when it is gone (also when another request revoked it first). */
export async function revokeGrant(d: GrantDeps, actor: Actor, id: string): Promise<void> {
  const g = await d.grants.find(id);
  if (!g) throw PermissionErrors.grantNotFound();
  if (!(await d.grants.delete(g.id, [grantEvent(d, actor, 'REVOKED', g)])))
    throw PermissionErrors.grantNotFound();
  d.outbox.appended();
  await d.changed();
}
