import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  classifyExportError,
  ExportFailure,
  isOutageError,
  OUTAGE_MAX_WAIT_MS,
  outageRetry,
} from '../../../domain/exports/export-failure';
import { FileTask } from '../../../domain/file-tasks/file-task';

const policy = { windowMs: 600_000 };
const T0 = 1_800_000_000_000;

describe('export failures: outages are not attempts', () => {
  it('classifies unreachable services, transporter, databases and Redis as outages', () => {
    const outages: unknown[] = [
      { type: 'SERVICE_NOT_AVAILABLE', message: "Service 'metadata.get' is not available." },
      { type: 'SERVICE_NOT_FOUND', code: 404, message: "Service 'directory.resolveUser' is not found." },
      { type: 'REQUEST_TIMEOUT', code: 504, message: 'Request is timed out' },
      { type: 'BAD_GATEWAY', code: 502, message: 'The broker is disconnected' },
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:3306'), { code: 'ECONNREFUSED' }),
      Object.assign(new Error('Connection lost'), { code: 'PROTOCOL_CONNECTION_LOST' }),
      { name: 'QueryFailedError', message: 'x', driverError: { code: 'ER_SERVER_SHUTDOWN' } },
      Object.assign(new Error('Reached the max retries per request limit'), {
        name: 'MaxRetriesPerRequestError',
      }),
      new Error('Connection is closed.'),
      { code: 'SOURCE_UNAVAILABLE', message: 'export data source "shop" is unreachable' },
    ];
    for (const e of outages) {
      assert.equal(isOutageError(e), true, JSON.stringify(e));
      assert.equal(classifyExportError(e).reason, 'SOURCE_UNAVAILABLE', JSON.stringify(e));
    }
  });

  it('keeps errors of the export itself apart: they count as attempts', () => {
    const own: [unknown, string][] = [
      [{ code: 'INVALID_EXPORT_COLUMNS', message: 'no such column' }, 'BIZ_TYPE_INVALID'],
      [{ code: 'STORAGE_WRITE_FAILED', message: 'disk full' }, 'STORAGE_ERROR'],
      [new TypeError('x is undefined'), 'INTERNAL'],
      [{ name: 'QueryFailedError', message: 'bad', driverError: { code: 'ER_BAD_FIELD_ERROR' } }, 'INTERNAL'],
      [new ExportFailure('PERMISSION_REVOKED', 'no'), 'PERMISSION_REVOKED'],
    ];
    for (const [e, reason] of own) {
      assert.equal(isOutageError(e), false, JSON.stringify(e));
      const f = classifyExportError(e);
      assert.equal(f.reason, reason);
      assert.deepEqual(outageRetry(f, null, T0, 0.5, policy), { wait: false });
    }
  });

  it('waits an outage out with capped, jittered, growing delays until the window ends', () => {
    const f = new ExportFailure('SOURCE_UNAVAILABLE', 'down');
    const first = outageRetry(f, null, T0, 0, policy);
    assert.ok(first.wait);
    assert.deepEqual(first.next, { since: T0, waits: 1 });
    assert.equal(first.delayMs, 500, 'half of the first 1 s wait at the lowest jitter');
    let state = first.next;
    const delays: number[] = [];
    for (let i = 0; i < 12; i++) {
      const d = outageRetry(f, state, T0 + 60_000, 0.999, policy);
      assert.ok(d.wait);
      assert.equal(d.next.since, T0, 'the window counts from the first outage failure');
      delays.push(d.delayMs);
      state = d.next;
    }
    assert.ok(delays[1] > delays[0], 'grows');
    assert.ok(Math.max(...delays) <= OUTAGE_MAX_WAIT_MS, 'capped');
    assert.ok(Math.min(...delays.slice(6)) >= OUTAGE_MAX_WAIT_MS / 2, 'jitter never collapses the wait');
    // Two exports failing at the same instant come back at different times.
    const a = outageRetry(f, state, T0, 0.1, policy);
    const b = outageRetry(f, state, T0, 0.9, policy);
    assert.ok(a.wait && b.wait && a.delayMs !== b.delayMs);
    // Past the window the failure is an attempt again.
    assert.deepEqual(outageRetry(f, state, T0 + 600_000, 0.5, policy), { wait: false });
    assert.deepEqual(outageRetry(f, null, T0, 0.5, { windowMs: 0 }), { wait: false });
  });

  it('gives back the attempt an outage spent, so the export keeps all its attempts', () => {
    const now = new Date(T0);
    const t = FileTask.exportRequested({
      id: 'T1',
      bizType: 'order_export',
      bizDomain: null,
      name: 'orders',
      createdBy: 'u1',
      unitId: null,
      unitPath: null,
      format: 'csv',
      spec: { filters: {}, columns: ['a'], rowScope: null, requester: { id: 'u1', roles: [], unitId: null } },
      idempotencyKey: null,
      requestHash: 'h',
      now,
    });
    for (let i = 0; i < 10; i++) {
      t.start('w', new Date(T0 + 60_000), now);
      t.failForOutage("Service 'metadata.get' is not available.", now);
      assert.deepEqual(
        [t.status, t.exportAttrs.failureReason, t.exportAttrs.attempts],
        ['FAILED', 'SOURCE_UNAVAILABLE', 0],
      );
      assert.equal(t.mayRetry(3), true);
      t.retry(now);
    }
    t.start('w', new Date(T0 + 60_000), now);
    t.fail('SOURCE_UNAVAILABLE', 'still down after the window', now);
    assert.equal(t.exportAttrs.attempts, 1, 'an outage past its window counts');
  });
});
