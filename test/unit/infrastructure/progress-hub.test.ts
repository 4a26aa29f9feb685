import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import type { ServerResponse } from 'node:http';
import {
  awaitsRetry,
  FileTask,
  type FailureReason,
  type FileTaskStatus,
} from '../../../domain/file-tasks/file-task';
import { ProgressHub, type TaskState } from '../../../mixins/http/progress-hub';

const MAX = 3;

/** What a stream was sent, and whether the hub ended it. */
class FakeResponse extends EventEmitter {
  chunks: string[] = [];
  ended = false;
  writeHead() {
    return this;
  }
  write(chunk: string) {
    assert.ok(!this.ended, 'written after the end');
    this.chunks.push(chunk);
    return true;
  }
  end() {
    this.ended = true;
    this.emit('close');
    return this;
  }
  get events() {
    return this.chunks
      .join('')
      .split('\n\n')
      .filter((b) => b.includes('data: '))
      .map((b) => ({
        event: /event: (\w+)/.exec(b)?.[1],
        data: JSON.parse(/data: (.*)/.exec(b)![1]) as {
          status: string;
          willRetry?: boolean;
          reason?: string;
        },
      }));
  }
}

const state = (
  status: FileTaskStatus,
  failureReason: FailureReason | null = null,
  attempts = 1,
  id = 'T1',
): TaskState => ({ id, status, export: { progress: { rows: 10 }, failureReason, attempts } });

describe('awaitsRetry', () => {
  it('holds for a FAILED export with a retryable reason and attempts left, and nothing else', () => {
    const cases: [FileTaskStatus, FailureReason | null, number, boolean][] = [
      ['FAILED', 'SOURCE_UNAVAILABLE', 1, true],
      ['FAILED', 'INTERNAL', MAX - 1, true],
      ['FAILED', 'SOURCE_UNAVAILABLE', MAX, false],
      ['FAILED', 'ROW_LIMIT_EXCEEDED', 1, false],
      ['FAILED', 'PERMISSION_REVOKED', 1, false],
      ['FAILED', null, 1, false],
      ['EXPORTING', 'SOURCE_UNAVAILABLE', 1, false],
      ['PENDING', null, 1, false],
      ['SUCCESS', null, 1, false],
    ];
    for (const [status, reason, attempts, want] of cases)
      assert.equal(
        awaitsRetry(status, { failureReason: reason, attempts }, MAX),
        want,
        `${status} ${reason} ${attempts}`,
      );
    assert.equal(awaitsRetry('FAILED', null, MAX), false, 'a FILE task is never retried');
  });

  it('agrees with the decision the worker makes on the same failure', () => {
    for (const reason of ['SOURCE_UNAVAILABLE', 'BIZ_TYPE_INVALID'] as const)
      for (let attempts = 1; attempts <= MAX; attempts++) {
        const now = new Date();
        const t = FileTask.exportRequested({
          id: 'T1',
          bizType: 'orders',
          bizDomain: null,
          name: 'orders',
          createdBy: 'U1',
          unitId: null,
          unitPath: null,
          format: 'csv',
          spec: {
            filters: {},
            columns: ['id'],
            rowScope: null,
            requester: { id: 'U1', roles: [], unitId: null },
          },
          idempotencyKey: null,
          requestHash: 'h',
          now,
        });
        for (let i = 0; i < attempts; i++) {
          if (i > 0) t.retry(now);
          t.start('node:1:1', new Date(now.getTime() + 60_000), now);
          t.fail(reason, 'x', now);
        }
        assert.equal(t.exportAttrs.attempts, attempts);
        assert.equal(awaitsRetry(t.status, t.exportAttrs, MAX), t.mayRetry(MAX), `${reason} ${attempts}`);
      }
  });
});

describe('ProgressHub', () => {
  const hub = new ProgressHub(MAX);
  after(() => hub.close());
  const open = (t: TaskState) => {
    const res = new FakeResponse();
    hub.open(res as unknown as ServerResponse, t);
    return res;
  };

  it('keeps the stream of a FAILED export open while another attempt follows, and says so', () => {
    const res = open(state('FAILED', 'SOURCE_UNAVAILABLE', 1, 'R1'));
    assert.equal(res.ended, false);
    assert.deepEqual(
      res.events.map((e) => [e.event, e.data.status, e.data.willRetry]),
      [['status', 'FAILED', true]],
    );
    hub.publish({ taskId: 'R1', status: 'EXPORTING', rows: 0, total: null });
    assert.equal(res.ended, false);
    hub.publish({ taskId: 'R1', status: 'FAILED', willRetry: false, reason: 'SOURCE_UNAVAILABLE' });
    assert.equal(res.ended, true);
    assert.deepEqual(
      res.events.map((e) => [e.event, e.data.status]),
      [
        ['status', 'FAILED'],
        ['progress', 'EXPORTING'],
        ['status', 'FAILED'],
      ],
    );
  });

  it('ends the stream at once on a final FAILED: no attempts left, or a reason no retry fixes', () => {
    for (const t of [state('FAILED', 'SOURCE_UNAVAILABLE', MAX), state('FAILED', 'ROW_LIMIT_EXCEEDED', 1)]) {
      const res = open(t);
      assert.equal(res.ended, true, JSON.stringify(t));
      assert.deepEqual(
        res.events.map((e) => [e.data.status, e.data.willRetry, e.data.reason]),
        [['FAILED', false, undefined]],
      );
    }
  });

  it('sends the API view unchanged for other statuses, ending the stream only at a terminal one', () => {
    const running = open(state('EXPORTING', null, 1, 'E1'));
    assert.equal(running.ended, false);
    assert.deepEqual(running.events[0].data, state('EXPORTING', null, 1, 'E1'));
    const done = open(state('SUCCESS'));
    assert.equal(done.ended, true);
    assert.deepEqual(done.events[0].data, state('SUCCESS'));
    hub.publish({ taskId: 'E1', status: 'SUCCESS', rows: 10, total: 10 });
    assert.equal(running.ended, true);
  });

  it('catches up with a change read after subscribing, keeping a retried FAILED open', () => {
    const res = open(state('EXPORTING', null, 1, 'C1'));
    hub.catchUp(state('EXPORTING', null, 1, 'C1'), state('EXPORTING', null, 1, 'C1'));
    assert.equal(res.events.length, 1, 'nothing changed: nothing sent');
    hub.catchUp(state('EXPORTING', null, 1, 'C1'), state('FAILED', 'STORAGE_ERROR', 1, 'C1'));
    assert.equal(res.ended, false);
    assert.deepEqual(res.events[1].data, {
      taskId: 'C1',
      status: 'FAILED',
      rows: 10,
      reason: 'STORAGE_ERROR',
      willRetry: true,
    });
    // The same status, but the retries ran out in between: now it is final.
    hub.catchUp(state('FAILED', 'STORAGE_ERROR', 1, 'C1'), state('FAILED', 'STORAGE_ERROR', MAX, 'C1'));
    assert.equal(res.ended, true);
    assert.equal(res.events[2].data.willRetry, false);
  });
});
