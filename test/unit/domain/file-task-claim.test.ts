import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FileTask } from '../../../domain/file-tasks/file-task';

const t0 = new Date('2026-01-01T00:00:00Z');
const at = (s: number) => new Date(t0.getTime() + s * 1000);

function exportTask(): FileTask {
  return FileTask.exportRequested({
    id: 't1',
    bizType: 'order_export',
    bizDomain: null,
    name: 'orders.csv',
    createdBy: 'u1',
    unitId: null,
    unitPath: null,
    format: 'csv',
    spec: { filters: {}, columns: ['id'], rowScope: null, requester: { id: 'u1', roles: [], unitId: null } },
    idempotencyKey: null,
    requestHash: 'h',
    now: t0,
  });
}

describe('FileTask.claim (start, take over or retry: the aggregate decides)', () => {
  it('starts a PENDING task and spends an attempt', () => {
    const t = exportTask();
    assert.equal(t.claim('a', at(60), at(1), 3), 'START');
    assert.equal(t.status, 'EXPORTING');
    assert.equal(t.exportAttrs.attempts, 1);
    assert.equal(t.exportAttrs.leaseOwner, 'a');
  });

  it('takes over an EXPORTING task only once its lease ran out', () => {
    const t = exportTask();
    t.claim('a', at(60), at(1), 3);
    const v = t.version;
    assert.equal(t.claim('b', at(120), at(30), 3), null, 'live lease: not this run');
    assert.equal(t.exportAttrs.leaseOwner, 'a');
    assert.equal(t.claim('b', at(120), at(60), 3), 'TAKE_OVER');
    assert.equal(t.exportAttrs.leaseOwner, 'b');
    assert.equal(t.exportAttrs.attempts, 2);
    assert.ok(t.version > v, 'the dead worker must lose its conditional writes');
  });

  it('retries a FAILED task with a retryable reason and attempts left, and nothing else', () => {
    const t = exportTask();
    t.claim('a', at(60), at(1), 2);
    t.fail('SOURCE_UNAVAILABLE', 'down', at(2));
    assert.equal(t.claim('b', at(60), at(3), 2), 'RETRY');
    assert.equal(t.status, 'EXPORTING');
    t.fail('SOURCE_UNAVAILABLE', 'down', at(4));
    assert.equal(t.claim('c', at(60), at(5), 2), null, 'attempts used up');
    const p = exportTask();
    p.claim('a', at(60), at(1), 3);
    p.fail('ROW_LIMIT_EXCEEDED', 'too many', at(2));
    assert.equal(p.claim('b', at(60), at(3), 3), null, 'not retryable');
    assert.equal(p.status, 'FAILED');
  });

  it('leaves SUCCESS and CANCELLED tasks alone', () => {
    const t = exportTask();
    t.cancel(at(1));
    assert.equal(t.claim('a', at(60), at(2), 3), null);
    assert.equal(t.status, 'CANCELLED');
  });
});
