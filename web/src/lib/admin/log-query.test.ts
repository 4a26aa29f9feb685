import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chainVerdict, logParams } from './log-query';

describe('console admin: operation log query', () => {
  it('sends only what was filled in, trimmed, with the range as ISO instants', () => {
    assert.deepEqual(
      logParams({
        userId: ' u1 ',
        action: 'permission_changed',
        targetId: '',
        bizType: 'order_export',
        from: new Date('2026-12-01T00:00:00Z'),
        to: null,
        q: '  east ',
      }),
      {
        userId: 'u1',
        action: 'PERMISSION_CHANGED',
        bizType: 'order_export',
        from: '2026-12-01T00:00:00.000Z',
        q: 'east',
      },
    );
    assert.deepEqual(logParams({}), {});
  });

  it('says plainly whether the chain holds and where it breaks', () => {
    assert.deepEqual(chainVerdict({ ok: true, checked: 12, firstBrokenId: null }), {
      type: 'success',
      key: 'admin.logs.chainOk',
      values: { checked: 12 },
    });
    assert.deepEqual(chainVerdict({ ok: false, checked: 5, firstBrokenId: 'L9' }), {
      type: 'error',
      key: 'admin.logs.chainBroken',
      values: { checked: 5, id: 'L9' },
    });
  });
});
