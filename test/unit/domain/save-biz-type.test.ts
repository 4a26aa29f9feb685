import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { BizType } from '../../../domain/metadata/biz-type';
import type { BizTypeRepository, StoredBizType } from '../../../domain/metadata/metadata.ports';
import type { DomainEvent } from '../../../domain/shared/domain-event';
import { saveBizType, type SaveBizTypeDeps } from '../../../domain/metadata/use-cases/save-biz-type';

/** saveBizType over an in-memory repository with the conditional write of the real one. */
function setup() {
  const stored = new Map<string, StoredBizType>();
  const events: DomainEvent[] = [];
  const changed: string[] = [];
  let n = 0;
  const bizTypes: BizTypeRepository = {
    list: async () => [...stored.values()],
    find: async (code) => stored.get(code) ?? null,
    save: async (b: BizType, expected, by, now, ev) => {
      const cur = stored.get(b.code);
      if ((cur?.version ?? null) !== expected) return null;
      const s = { bizType: b, version: (cur?.version ?? 0) + 1, updatedAt: now, updatedBy: by };
      stored.set(b.code, s);
      events.push(...ev);
      return s;
    },
  };
  const d: SaveBizTypeDeps = {
    bizTypes,
    handlers: {},
    ids: { next: () => `e-${++n}` },
    clock: { now: () => new Date('2026-12-04T00:00:00Z') },
    outbox: { appended: () => undefined },
    changed: async (code) => void changed.push(code),
  };
  return { d, stored, events, changed };
}

const actor = { userId: 'admin', requestId: null };
const fileType = { name: 'Contracts', kind: 'FILE', rules: {} };

describe('saving a biz type', () => {
  it('creates, then updates under the version it names, with one event each and a cache drop', async () => {
    const { d, events, changed } = setup();
    const first = await saveBizType(d, actor, 'contracts', fileType);
    assert.equal(first.created, true);
    assert.equal(first.saved.version, 1);
    const second = await saveBizType(d, actor, 'contracts', { ...fileType, name: 'Contracts 2', version: 1 });
    assert.equal(second.created, false);
    assert.equal(second.saved.version, 2);
    assert.deepEqual(
      events.map((e) => (e.detail as { change: string }).change),
      ['CREATED', 'UPDATED'],
    );
    assert.deepEqual(changed, ['contracts', 'contracts']);
  });

  it('refuses a stale version and a change of kind, changing nothing', async () => {
    const { d, stored, events } = setup();
    await saveBizType(d, actor, 'contracts', fileType);
    await assert.rejects(saveBizType(d, actor, 'contracts', { ...fileType, version: 7 }), {
      code: 'BIZ_TYPE_VERSION_CONFLICT',
    });
    // An export biz type stored under a code: a FILE definition may not replace it.
    const contracts = stored.get('contracts')!;
    stored.set('orders', {
      ...contracts,
      bizType: { ...contracts.bizType, code: 'orders', kind: 'EXPORT' } as BizType,
    });
    await assert.rejects(saveBizType(d, actor, 'orders', fileType), { code: 'BIZ_TYPE_KIND_CHANGE' });
    assert.equal(events.length, 1);
  });
});
