import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { DomainEvent } from '../../../domain/shared/domain-event';
import {
  requestExportByEvent,
  type ExportByEventDeps,
} from '../../../domain/notifications/use-cases/request-export-by-event';

/** requestExportByEvent over fakes: what it asks for, and what it answers when it cannot. */
function setup(fail: { owner?: number; create?: number } = {}) {
  const logged: DomainEvent[] = [];
  const requested: unknown[] = [];
  const failWith = (status: number) => Object.assign(new Error(`status ${status}`), { status });
  const d: ExportByEventDeps = {
    ownerOf: async () => {
      if (fail.owner) throw failWith(fail.owner);
      return { id: 'u1', username: 'erp', roles: [], unitId: null };
    },
    requestExport: async (request) => {
      if (fail.create) throw failWith(fail.create);
      requested.push(request);
    },
    logEvents: async (events) => void logged.push(...events),
    describe: (e) => ({
      status: (e as { status?: number }).status ?? 400,
      code: 'X',
      message: (e as Error).message,
    }),
    ids: { next: () => 'e1' },
    clock: { now: () => new Date('2026-12-04T00:00:00Z') },
    outbox: { appended: () => undefined },
    logger: { error: () => undefined },
  };
  return { d, logged, requested };
}

const event = { requestId: 'req-1', token: 't', bizType: 'order_export', format: 'csv', filters: {} };

describe('exports requested by event', () => {
  it('requests the export as the token owner with requestId as the idempotency key, answering nothing itself', async () => {
    const { d, logged, requested } = setup();
    await requestExportByEvent(d, event, 'trace');
    assert.equal((requested[0] as { idempotencyKey: string }).idempotencyKey, 'req-1');
    assert.deepEqual(logged, []);
  });

  it('answers a refused request at once, retryable only when a dependency was down', async () => {
    for (const [status, retryable] of [
      [403, false],
      [503, true],
    ] as const) {
      const { d, logged } = setup({ create: status });
      await requestExportByEvent(d, event, 'trace');
      assert.equal(logged.length, 1);
      assert.equal(logged[0].type, 'EXPORT_REQUEST_REJECTED');
      assert.equal(logged[0].userId, 'u1');
      assert.deepEqual((logged[0].subject as { error: { retryable: boolean } }).error.retryable, retryable);
      assert.equal((logged[0].subject as { requestId: string }).requestId, 'req-1');
    }
  });

  it('answers a malformed envelope without asking anybody', async () => {
    const { d, logged, requested } = setup();
    await requestExportByEvent(d, { token: 't' }, null);
    assert.equal(requested.length, 0);
    assert.equal(logged[0].userId, null);
  });
});
