import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { isPrivateAddress, refusedLiteral, TargetRefused } from '../../../mixins/webhooks/target-guard';
import { sendOnce } from '../../../mixins/webhooks/webhook-sender';
import { nextAttemptAt, parseWebhookSpec, webhookWants } from '../../../domain/notifications/webhook';
import { busEventOf } from '../../../domain/notifications/integration-event';
import { domainEvent } from '../../../domain/shared/domain-event';

describe('webhook targets (SSRF)', () => {
  it('knows loopback, private, link-local and mapped addresses', () => {
    for (const ip of [
      '127.0.0.1',
      '10.1.2.3',
      '172.20.0.1',
      '192.168.1.1',
      '169.254.169.254',
      '::1',
      'fe80::1',
      'fd00::1',
      '::ffff:127.0.0.1',
      '0.0.0.0',
    ])
      assert.equal(isPrivateAddress(ip), true, ip);
    for (const ip of ['93.184.216.34', '8.8.8.8', '2606:4700::1111'])
      assert.equal(isPrivateAddress(ip), false, ip);
  });

  it('refuses private literals at creation unless allowed', () => {
    assert.ok(refusedLiteral('http://127.0.0.1:8080/x', false));
    assert.ok(refusedLiteral('http://[::1]/x', false));
    assert.ok(refusedLiteral('http://localhost/x', false));
    assert.equal(refusedLiteral('http://127.0.0.1:8080/x', true), null);
    assert.equal(refusedLiteral('https://hooks.example.com/x', false), null);
  });

  it('refuses at delivery a name that resolves to loopback, and follows no redirect', async () => {
    const server = http.createServer((_req, res) =>
      res.writeHead(302, { location: 'http://example.com/' }).end(),
    );
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    try {
      await assert.rejects(
        sendOnce(`http://localhost:${port}/`, '{}', {}, { timeoutMs: 2000, allowPrivate: false }),
        (e) => e instanceof TargetRefused,
      );
      const r = await sendOnce(
        `http://localhost:${port}/`,
        '{}',
        {},
        { timeoutMs: 2000, allowPrivate: true },
      );
      assert.equal(r.statusCode, 302, 'the redirect is the answer, not followed');
    } finally {
      server.close();
    }
  });
});

describe('webhook rules', () => {
  it('retries with growing, jittered delays for the whole window, then gives up', () => {
    const policy = { baseMs: 1000, maxDelayMs: 8000, windowMs: 60_000 };
    const t0 = new Date(0);
    const delays = [1, 2, 3, 4, 5].map((n) => nextAttemptAt(policy, n, t0, t0, () => 1)!.getTime());
    assert.deepEqual(delays, [1000, 2000, 4000, 8000, 8000]);
    assert.equal(
      nextAttemptAt(policy, 1, t0, t0, () => 0)!.getTime(),
      500,
      'jitter: half to all of the delay',
    );
    assert.ok(nextAttemptAt(policy, 9, t0, new Date(59_999)), 'still inside the window');
    assert.equal(nextAttemptAt(policy, 9, t0, new Date(60_000)), null);
  });

  it('validates specs and matches events by type and biz type', () => {
    const w = parseWebhookSpec({
      url: 'https://h.example/x',
      events: ['exports.succeeded'],
      bizTypes: ['order_export'],
    });
    assert.equal(webhookWants(w, 'exports.succeeded', 'order_export'), true);
    assert.equal(webhookWants(w, 'exports.succeeded', 'invoice'), false);
    assert.equal(webhookWants(w, 'exports.failed', 'order_export'), false);
    assert.throws(() => parseWebhookSpec({ url: 'https://u:p@h.example/', events: ['files.uploaded'] }));
  });

  it('publishes a failure only when no retry follows', () => {
    const ev = (detail: Record<string, unknown>) =>
      domainEvent({ type: 'EXPORT_FAILED', userId: null, targetType: 'FILE_TASK', detail }, 'e1', new Date());
    assert.equal(busEventOf(ev({ willRetry: true })), null);
    assert.equal(busEventOf(ev({ willRetry: false })), 'exports.failed');
  });
});
