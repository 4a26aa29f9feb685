import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { Redis } from 'ioredis';
import { BullJobQueue, connectionName, type BullQueueOptions } from '../../mixins/queue/bull.queue';
import { bullPrefix, createJobQueue } from '../../mixins/queue/queue.factory';
import { loadAppConfig } from '../../mixins/config/app-config';
import type { JobInfo } from '../../domain/ports/job-queue.port';
import { queueContract, sleep, waitFor } from '../support/queue-contract';
import { servers } from '../support/servers';

const quiet = { warn: () => {}, error: (m: string, e: unknown) => console.error(m, e) };

describe('bull queue on Redis', async () => {
  const s = await servers('redis');
  if (s.skip) {
    it('needs a Redis server', { skip: s.skip }, () => {});
    return;
  }
  const url = s.url.redis;
  // A key prefix of its own per run: nothing here can touch another run's or a real queue's keys.
  const prefix = `ftc-test-${crypto.randomBytes(4).toString('hex')}`;
  const names = new Set<string>();
  const make = async (queueName: string, options: BullQueueOptions = {}) => {
    names.add(queueName);
    const queue = new BullJobQueue(queueName, url, { prefix, logger: quiet, ...options });
    return { queue, cleanup: () => queue.stop() };
  };

  after(async () => {
    for (const name of names) {
      const q = new BullJobQueue(name, url, { prefix, logger: quiet });
      await q.start();
      await q.obliterate();
      await q.stop();
    }
    const redis = new Redis(url);
    try {
      const left = await redis.keys(`${prefix}:*`);
      assert.deepEqual(left, [], 'obliterate left keys behind');
    } finally {
      redis.disconnect();
    }
  });

  queueContract('bull', (queueName) => make(queueName));

  it('shares one client and one subscriber: a queue costs one more connection', async () => {
    const redis = new Redis(url);
    const a = (await make(`conn${crypto.randomBytes(3).toString('hex')}`)).queue;
    const b = (await make(`conn${crypto.randomBytes(3).toString('hex')}`)).queue;
    // bull renames each blocking connection after its queue: prefix:base64(name).
    const workers = [...names].slice(-2).map((n) => `${prefix}:${Buffer.from(n).toString('base64')}`);
    const ours = async () => {
      const list = String(await redis.client('LIST'));
      const named = [...list.matchAll(/ name=(\S*)/g)].map((m) => m[1]);
      const count = (name: string) => named.filter((n) => n === name).length;
      return {
        client: count(connectionName('client')),
        subscriber: count(connectionName('subscriber')),
        bclient: workers.reduce((sum, w) => sum + count(w), 0),
      };
    };
    try {
      try {
        await Promise.all([a.start(), b.start()]);
        a.process('x', 1, async () => {});
        b.process('x', 1, async () => {});
        await waitFor('both workers connected', async () => (await ours()).bclient === 2);
        assert.deepEqual(await ours(), { client: 1, subscriber: 1, bclient: 2 });
      } finally {
        await Promise.all([a.stop(), b.stop()]);
      }
      await waitFor('connections closed', async () => {
        const n = await ours();
        return n.client + n.subscriber + n.bclient === 0;
      });
    } finally {
      redis.disconnect();
    }
  });

  it("keeps two namespaces on one Redis database apart: neither takes the other's jobs", async () => {
    // The deployment's own path (createJobQueue from the configuration), as two deployments on one
    // Redis database with the same queue names would build it.
    const tag = crypto.randomBytes(4).toString('hex');
    const queueName = `ns${tag}`;
    const deployment = (namespace: string) => {
      const config = loadAppConfig({ REDIS_URL: url, NAMESPACE: namespace, SHUTDOWN_TIMEOUT_MS: '2000' });
      return createJobQueue(config, queueName, null as never, { logger: quiet }) as BullJobQueue;
    };
    const a = deployment(`ftc-test-a${tag}`);
    const b = deployment(`ftc-test-b${tag}`);
    const seen = { a: [] as string[], b: [] as string[] };
    const redis = new Redis(url);
    try {
      await Promise.all([a.start(), b.start()]);
      // Only A takes jobs; B's jobs must wait for a worker of B's own.
      a.process('work', 2, async (job: JobInfo<{ from: string }>) => void seen.a.push(job.data.from));
      for (let i = 0; i < 3; i++) await b.add('work', { from: 'b' });
      for (let i = 0; i < 2; i++) await a.add('work', { from: 'a' });
      await waitFor('A ran its own jobs', async () => seen.a.length >= 2);
      await sleep(500);
      assert.deepEqual(seen.a, ['a', 'a'], 'A took only its own jobs');
      assert.equal((await b.counts()).waiting, 3, "B's jobs are still waiting for B");
      b.process('work', 2, async (job: JobInfo<{ from: string }>) => void seen.b.push(job.data.from));
      await waitFor('B ran its own jobs', async () => seen.b.length >= 3);
      assert.deepEqual(seen.b, ['b', 'b', 'b']);
      assert.deepEqual(seen.a, ['a', 'a']);
      // The keys carry the namespace; none are under the default prefix.
      assert.ok((await redis.keys(`ftc-test-a${tag}-bull:${queueName}:*`)).length > 0);
      assert.deepEqual(await redis.keys(`bull:${queueName}:*`), []);
    } finally {
      await Promise.all([a.obliterate(), b.obliterate()]).catch(() => undefined);
      await Promise.all([a.stop(), b.stop()]);
      redis.disconnect();
    }
  });

  it('keeps the default namespace on the keys queues have always had', () => {
    assert.equal(bullPrefix(loadAppConfig({}).namespace), 'bull');
    assert.equal(bullPrefix('prod'), 'prod-bull');
  });
});
