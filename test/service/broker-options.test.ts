import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Errors, ServiceBroker } from 'moleculer';
import { brokerOptions } from '../../moleculer.config';
import { asSystem } from '../../mixins/auth/caller-identity.middleware';
import { loadAppConfig } from '../../mixins/config/app-config';
import { freePort } from '../support/cluster';
import { startTestNode, type TestNode } from '../support/embedded-node';

describe('broker options', () => {
  it('uses MsgPack with a bounded chunk size, tracking, and retries only retryable errors', () => {
    const o = brokerOptions(loadAppConfig({ RETRIES: '2' }));
    assert.equal(o.serializer, 'MsgPack');
    assert.ok((o.transit?.maxChunkSize ?? Infinity) <= 128 * 1024);
    assert.equal(o.tracking?.enabled, true);
    assert.equal(o.transporter, null);
    assert.equal(o.retryPolicy?.retries, 2);
    const check = o.retryPolicy?.check as (err: Error) => boolean;
    assert.equal(check(new Errors.MoleculerRetryableError('x', 503, 'DOWN')), true);
    assert.equal(check(new Errors.RequestTimeoutError({ action: 'a', nodeID: 'n' })), true);
    assert.equal(check(new Errors.MoleculerClientError('x', 400, 'BAD')), false);
    assert.equal(check(new Error('plain')), false);
  });

  it('retries a retryable failure and not a client error', async () => {
    const broker = new ServiceBroker({
      ...brokerOptions(loadAppConfig({ RETRIES: '2', LOG_LEVEL: 'fatal', JWT_SECRET: 'x'.repeat(32) })),
      logger: false,
    });
    let flaky = 0;
    let bad = 0;
    broker.createService({
      name: 't',
      actions: {
        flaky() {
          if (++flaky < 3) throw new Errors.MoleculerRetryableError('down', 503, 'DOWN');
          return 'ok';
        },
        bad() {
          bad++;
          throw new Errors.MoleculerClientError('bad', 400, 'BAD');
        },
      },
    });
    await broker.start();
    try {
      assert.equal(await broker.call('t.flaky', {}, asSystem()), 'ok');
      assert.equal(flaky, 3);
      await assert.rejects(broker.call('t.bad', {}, asSystem()), { type: 'BAD' });
      assert.equal(bad, 1);
    } finally {
      await broker.stop();
    }
  });
});

describe('Prometheus metrics when METRICS_PORT is set', () => {
  let node: TestNode;
  let port: number;
  before(async () => {
    port = await freePort();
    node = await startTestNode({ SERVICES: 'api,directory', METRICS_PORT: String(port) });
  });
  after(() => node.stop());

  it('serves Moleculer metrics in the Prometheus text format', async () => {
    await fetch(`${node.baseUrl}/api/health`);
    const res = await fetch(`http://127.0.0.1:${port}/metrics`);
    assert.equal(res.status, 200);
    const text = await res.text();
    assert.match(text, /moleculer_request_total/);
    assert.match(text, /# TYPE /);
  });
});
