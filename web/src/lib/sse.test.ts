import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SseParser, percent, readProgress } from './sse';

describe('console: server-sent events', () => {
  it('parses events split across chunks, skipping comments and retry lines', () => {
    const p = new SseParser();
    assert.deepEqual(p.push('retry: 3000\nevent: status\ndata: {"status":"PEN'), []);
    assert.deepEqual(p.push('DING"}\n\n: keepalive\n\nevent: progress\r\ndata: {"rows":5}\r\n\r\n'), [
      { event: 'status', data: '{"status":"PENDING"}' },
      { event: 'progress', data: '{"rows":5}' },
    ]);
  });

  it('reads progress from the first event (the task) and from later events', () => {
    assert.deepEqual(
      readProgress({ id: 't', status: 'EXPORTING', export: { progress: { rows: 3, total: 10 } } }),
      {
        status: 'EXPORTING',
        rows: 3,
        total: 10,
        willRetry: false,
      },
    );
    assert.deepEqual(readProgress({ taskId: 't', status: 'FAILED', rows: 7, willRetry: true }), {
      status: 'FAILED',
      rows: 7,
      total: null,
      willRetry: true,
    });
    assert.equal(readProgress({ nope: 1 }), null);
    assert.equal(percent({ rows: 50, total: 200 }), 25);
    assert.equal(percent({ rows: 50, total: null }), null);
  });
});
