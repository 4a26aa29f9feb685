import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { asSystem } from '../../mixins/auth/caller-identity.middleware';
import type { TestNode } from '../support/embedded-node';
import { fairNode, fairnessScenario, progressEvents } from '../support/fairness';
import { servers } from '../support/servers';

/** export-fairness.test.ts's scenario with the export queue on bull (its own file: one exporting node per process). */
describe('fair export scheduling on bull', async () => {
  const s = await servers('redis');
  if (s.skip) {
    it('needs Redis', { skip: s.skip }, () => {});
    return;
  }
  let node: TestNode;
  let admin: string;
  let bob: string;
  let events: { taskId: string; status: string }[];
  before(async () => {
    const redis = new Redis(s.url.redis);
    await redis.flushdb(); // the test's own db number, never FLUSHALL on a shared server
    redis.disconnect();
    ({ node, admin, bob } = await fairNode({ REDIS_URL: s.url.redis }));
    events = progressEvents(node.broker);
  });
  after(() => node.stop());

  it("runs B's small export before A's third of four", async () => {
    assert.equal(
      (await node.broker.call<{ queue: { kind: string } }, unknown>('exportWorker.status', {}, asSystem()))
        .queue.kind,
      'bull',
    );
    await fairnessScenario(node.baseUrl, admin, bob, { events });
  });
});
