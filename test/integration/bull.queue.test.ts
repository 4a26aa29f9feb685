import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { Redis } from 'ioredis';
import { BullJobQueue, connectionName, type BullQueueOptions } from '../../mixins/queue/bull.queue';
import { queueContract, waitFor } from '../support/queue-contract';
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
});
