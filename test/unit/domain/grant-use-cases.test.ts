import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Grant } from '../../../domain/permissions/grant';
import type { GrantRepository } from '../../../domain/permissions/grant.ports';
import type { DomainEvent } from '../../../domain/shared/domain-event';
import {
  grantAccess,
  revokeGrant,
  type GrantDeps,
} from '../../../domain/permissions/use-cases/manage-grants';

/** The grant use cases over in-memory ports. */
function setup(existing: string[] = ['ROLE:SALES', 'UNIT:u-east']) {
  const stored = new Map<string, Grant>();
  const events: DomainEvent[] = [];
  let hints = 0;
  let broadcasts = 0;
  let n = 0;
  const grants = {
    find: async (id: string) => stored.get(id) ?? null,
    insert: async (g: Grant, _by: string | null, _now: Date, ev: DomainEvent[]) => {
      stored.set(g.id, g);
      events.push(...ev);
    },
    delete: async (id: string, ev: DomainEvent[]) => {
      if (!stored.delete(id)) return false;
      events.push(...ev);
      return true;
    },
  } as unknown as GrantRepository;
  const d: GrantDeps = {
    grants,
    subjects: { exists: async (type, id) => existing.includes(`${type}:${id}`) },
    ids: { next: () => `id-${++n}` },
    clock: { now: () => new Date('2026-12-04T00:00:00Z') },
    outbox: { appended: () => void hints++ },
    changed: async () => void broadcasts++,
  };
  return { d, stored, events, counts: () => ({ hints, broadcasts }) };
}

const actor = { userId: 'admin', requestId: 'r1' };
const input = { bizType: 'order_export', type: 'ROLE', subject: 'SALES', actions: ['read', 'export'] };

describe('grant use cases', () => {
  it('stores a grant with its event, hints the outbox and drops cached views', async () => {
    const { d, stored, events, counts } = setup();
    const g = await grantAccess(d, actor, input);
    assert.equal(stored.get(g.id)?.subject, 'SALES');
    assert.deepEqual(
      events.map((e) => [e.type, e.targetId, (e.detail as { change: string }).change]),
      [['PERMISSION_CHANGED', g.id, 'GRANTED']],
    );
    assert.deepEqual(counts(), { hints: 1, broadcasts: 1 });
  });

  it('refuses a subject or scope unit that does not exist, storing nothing', async () => {
    const { d, stored, counts } = setup();
    await assert.rejects(grantAccess(d, actor, { ...input, subject: 'SALSE' }), { code: 'UNKNOWN_SUBJECT' });
    await assert.rejects(grantAccess(d, actor, { ...input, scopeUnitId: 'u-nowhere' }), {
      code: 'UNKNOWN_UNIT',
    });
    assert.equal(stored.size, 0);
    assert.deepEqual(counts(), { hints: 0, broadcasts: 0 });
  });

  it('revokes once: a second revoke of the same grant is 404', async () => {
    const { d, events } = setup();
    const g = await grantAccess(d, actor, input);
    await revokeGrant(d, actor, g.id);
    assert.equal((events[1].detail as { change: string }).change, 'REVOKED');
    await assert.rejects(revokeGrant(d, actor, g.id), { code: 'GRANT_NOT_FOUND' });
  });
});
