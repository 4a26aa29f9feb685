import type { Context, ServiceBroker } from 'moleculer';
import type { OwnerLookup } from '../../domain/export-schedules/export-schedule.ports';
import { asSystem, principalResolverOf } from '../auth/caller-identity.middleware';

/**
 * The owner of a schedule as the directory has them now (the caller identity cache, dropped on
 * every USERS_CHANGED): a disabled or deleted owner has no firings.
 */
export const directoryOwners = (broker: ServiceBroker): OwnerLookup => ({
  async current(id) {
    const rec = await principalResolverOf(broker).currentSubject(id);
    if (!rec || rec.disabled) return null;
    return {
      id: rec.id,
      username: rec.username,
      roles: rec.roles,
      unitId: rec.unitId,
      kind: rec.tokenHash ? 'service' : 'user',
    };
  },
});

/**
 * A context for work a queue job does with nobody calling: calls go as this node's system
 * principal (metadata and grants are readable to it), events from the broker.
 */
export const systemCaller = (broker: ServiceBroker): Context =>
  ({
    call: (action: string, params?: unknown, opts?: Record<string, unknown>) =>
      broker.call(action, params, { ...opts, ...asSystem() }),
    emit: (event: string, payload?: unknown) => broker.emit(event, payload),
    broker,
  }) as unknown as Context;
