import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { ServiceBroker, type BrokerOptions } from 'moleculer';
import { MoleculerCache } from '../../mixins/cache/moleculer-cache';
import { servers } from '../support/servers';

function cacheSuite(name: string, cacher: () => BrokerOptions['cacher']) {
  describe(`cache on ${name}`, () => {
    let a: ServiceBroker;
    let b: ServiceBroker;
    let ca: MoleculerCache;
    let cb: MoleculerCache;
    const prefix = `t${crypto.randomBytes(3).toString('hex')}.`;

    before(async () => {
      a = new ServiceBroker({ logger: false, cacher: cacher(), nodeID: 'a' });
      b = new ServiceBroker({ logger: false, cacher: cacher(), nodeID: 'b' });
      await Promise.all([a.start(), b.start()]);
      ca = new MoleculerCache(a.cacher!, prefix);
      cb = new MoleculerCache(b.cacher!, prefix);
    });
    after(async () => {
      await ca.clean('*');
      await Promise.all([a.stop(), b.stop()]);
    });

    it('stores, reads and deletes values', async () => {
      assert.equal(await ca.get('missing'), null);
      await ca.set('k', { n: 1, s: 'x' });
      assert.deepEqual(await ca.get('k'), { n: 1, s: 'x' });
      await ca.del('k');
      assert.equal(await ca.get('k'), null);
    });

    it('cleans by pattern and keeps the rest', async () => {
      await ca.set('perm.u1', 1);
      await ca.set('perm.u2', 2);
      await ca.set('meta.x', 3);
      await ca.clean('perm.*');
      assert.equal(await ca.get('perm.u1'), null);
      assert.equal(await ca.get('perm.u2'), null);
      assert.equal(await ca.get('meta.x'), 3);
    });

    it('expires entries after their ttl', async () => {
      await ca.set('short', 'v', 1);
      assert.equal(await ca.get('short'), 'v');
      await new Promise((r) => setTimeout(r, 1500));
      assert.equal(await ca.get('short'), null);
    });

    it('counts atomically: parallel increments each get their own number; del resets', async () => {
      const counts = await Promise.all(Array.from({ length: 20 }, () => ca.increment('tries', 60)));
      assert.deepEqual(
        [...counts].sort((x, y) => x - y),
        Array.from({ length: 20 }, (_, i) => i + 1),
      );
      await ca.del('tries');
      assert.equal(await ca.increment('tries', 60), 1);
      await ca.del('tries');
    });

    if (name === 'Redis') {
      it('counts across nodes: increments on two nodes share one counter', async () => {
        const both = await Promise.all([
          ...Array.from({ length: 10 }, () => ca.increment('shared.tries', 60)),
          ...Array.from({ length: 10 }, () => cb.increment('shared.tries', 60)),
        ]);
        assert.equal(Math.max(...both), 20);
        assert.equal(new Set(both).size, 20);
      });

      it('is shared: a clean on one node is seen by the other at once', async () => {
        await cb.set('shared.k', 'v');
        assert.equal(await ca.get('shared.k'), 'v');
        await ca.clean('shared.*');
        assert.equal(await cb.get('shared.k'), null);
      });
    }
  });
}

cacheSuite('MemoryLRU', () => ({ type: 'MemoryLRU', options: { max: 100 } }));

describe('Redis', async () => {
  const s = await servers('redis');
  if (s.skip) {
    it('needs Redis', { skip: s.skip }, () => {});
    return;
  }
  cacheSuite('Redis', () => ({ type: 'Redis', options: { redis: s.url.redis, prefix: 'ftc-test-cache' } }));
});
