import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Errors, Serializers, ServiceBroker, type ActionHandler, type Middleware } from 'moleculer';
import { brokerOptions } from '../../moleculer.config';
import { MsgpackSerializer } from '../../mixins/broker/msgpack.serializer';
import { asSystem } from '../../mixins/auth/caller-identity.middleware';
import { loadAppConfig } from '../../mixins/config/app-config';
import { freePort } from '../support/cluster';
import { http, login, startTestNode, type TestNode } from '../support/embedded-node';

describe('broker options', () => {
  it('speaks the MessagePack of Moleculer’s MsgPack serializer (msgpack5) both ways', () => {
    const ours = new MsgpackSerializer() as unknown as {
      serialize(o: unknown): Buffer;
      deserialize(b: Buffer): unknown;
    };
    const theirs = new Serializers.MsgPack() as unknown as typeof ours;
    (theirs as unknown as { init(b: unknown): void }).init({});
    const packet = {
      ver: '4',
      sender: 'node-1',
      id: 'req-1',
      action: 'fileTasks.get',
      params: { id: 'x', n: 12, f: 1.5, neg: -(2 ** 40), big: 2 ** 60, list: [1, 'a', null] },
      meta: { token: 't', gone: undefined, user: null },
      chunk: Buffer.from('bytes'),
      at: new Date('2026-12-04T08:00:00.123Z'),
      stream: false,
      seq: null,
    };
    const expected = theirs.deserialize(theirs.serialize(packet));
    assert.deepEqual(ours.deserialize(theirs.serialize(packet)), expected);
    assert.deepEqual(theirs.deserialize(ours.serialize(packet)), expected);
    assert.deepEqual(ours.deserialize(ours.serialize(packet)), expected);
    const back = ours.deserialize(theirs.serialize(packet)) as typeof packet;
    assert.ok(Buffer.isBuffer(back.chunk));
    assert.ok(back.at instanceof Date);
    assert.equal('gone' in back.meta, false);
  });

  it('uses MsgPack with a bounded chunk size, tracking, and retries only retryable errors', () => {
    const o = brokerOptions(loadAppConfig({ RETRIES: '2' }));
    assert.ok(o.serializer instanceof MsgpackSerializer);
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

describe('the gateway’s HTTP entry under the broker’s retry policy', () => {
  let node: TestNode;
  // Every fileTasks.list fails as a service that is down would: retryable, 503. (Not
  // fileTasks.get: GET /api/file-tasks/:id is a direct read, which has no `api.rest` call at all.)
  const failingList: Middleware = {
    localAction(next: ActionHandler, action: { name?: string }): ActionHandler {
      if (action.name !== 'fileTasks.list') return next;
      return () => Promise.reject(new Errors.MoleculerRetryableError('down', 503, 'DOWN'));
    },
  };
  before(async () => {
    node = await startTestNode({ RETRIES: '2' }, [failingList]);
  });
  after(() => node.stop());

  it('retries the failing action, never moleculer-web’s handler of the whole HTTP request', async () => {
    const token = await login(node.baseUrl, 'admin', 'admin');
    const api = node.broker.getLocalService('api') as unknown as {
      actions: { rest: (...a: unknown[]) => Promise<unknown> };
    };
    const rest = api.actions.rest;
    let restCalls = 0;
    api.actions.rest = (...a: unknown[]) => {
      restCalls++;
      return rest(...a);
    };
    const retried: string[] = [];
    const logger = node.broker.logger;
    const warn = logger.warn.bind(logger);
    logger.warn = (...args: unknown[]) => {
      if (typeof args[0] === 'string' && args[0].startsWith('Retry to call')) retried.push(args[0]);
      warn(...args);
    };
    try {
      const r = await http(node.baseUrl, 'GET', '/api/file-tasks', { token });
      assert.equal(r.status, 503);
    } finally {
      logger.warn = warn;
    }
    // Re-running `api.rest` replays the route on a request already read (and after 100 ms, 200 ms…):
    // a retryable error has had its retries where the action was called.
    assert.deepEqual(
      retried.filter((m) => m.includes("'api.rest'")),
      [],
    );
    // …on a request that did go through moleculer-web's handler (a direct read would prove nothing).
    assert.equal(restCalls, 1);
  });
});
