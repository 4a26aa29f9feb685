import { afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import type { JobInfo, JobQueue } from '../../domain/ports/job-queue.port';

/**
 * Opens an unstarted queue named `queueName` on the suite's backend. Two calls with the same name
 * must reach the same jobs, as two nodes would. `cleanup` stops the queue (it may already be
 * stopped) and releases what the call opened.
 */
export type MakeQueue = (queueName: string) => Promise<{ queue: JobQueue; cleanup: () => Promise<void> }>;

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export async function waitFor(
  what: string,
  check: () => boolean | Promise<boolean>,
  timeoutMs = 5000,
): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) assert.fail(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(20);
  }
}

const stateOf = async (q: JobQueue, id: string) => (await q.getJob(id))?.state;

/** The behaviour every JobQueue adapter must show; each case runs on its own queue name. */
export function queueContract(name: string, makeQueue: MakeQueue): void {
  describe(`JobQueue contract: ${name}`, () => {
    const run = crypto.randomBytes(3).toString('hex');
    let seq = 0;
    const cleanups: (() => Promise<void>)[] = [];
    const freshName = () => `ct${run}n${++seq}`;
    const open = async (queueName: string) => {
      const { queue, cleanup } = await makeQueue(queueName);
      cleanups.push(cleanup);
      await queue.start();
      return queue;
    };

    afterEach(async () => {
      while (cleanups.length > 0) await cleanups.pop()!();
    });

    it('runs the handler with the job data', async () => {
      const q = await open(freshName());
      const seen: JobInfo[] = [];
      q.process('work', 1, async (job) => {
        seen.push(job);
      });
      const id = await q.add('work', { order: 42, note: '总部' });
      await waitFor('the handler', () => seen.length === 1);
      assert.deepEqual(seen[0], { id, name: 'work', data: { order: 42, note: '总部' }, attempt: 1 });
      await waitFor('completed', async () => (await stateOf(q, id)) === 'completed');
      assert.deepEqual(await q.getJob(id), { id, state: 'completed', attemptsMade: 1, failedReason: null });
      assert.equal(await q.getJob('no-such-job'), null);
    });

    it('adds a job with a fixed jobId once', async () => {
      const q = await open(freshName());
      const a = await q.add('work', { n: 1 }, { jobId: 'export-1' });
      const b = await q.add('work', { n: 2 }, { jobId: 'export-1' });
      assert.equal(a, 'export-1');
      assert.equal(b, 'export-1');
      const runs: unknown[] = [];
      q.process('work', 2, async (job) => {
        runs.push(job.data);
      });
      await waitFor('completed', async () => (await stateOf(q, 'export-1')) === 'completed');
      assert.equal(await q.add('work', { n: 3 }, { jobId: 'export-1' }), 'export-1');
      await sleep(400);
      assert.deepEqual(runs, [{ n: 1 }]);
    });

    it('retries with backoff until the handler succeeds', async () => {
      const q = await open(freshName());
      const tries: { attempt: number; at: number }[] = [];
      q.process('flaky', 1, async (job) => {
        tries.push({ attempt: job.attempt, at: Date.now() });
        if (job.attempt < 3) throw new Error(`try ${job.attempt} failed`);
      });
      const id = await q.add('flaky', {}, { attempts: 4, backoff: { type: 'exponential', delayMs: 150 } });
      await waitFor('completed', async () => (await stateOf(q, id)) === 'completed');
      assert.deepEqual(
        tries.map((t) => t.attempt),
        [1, 2, 3],
      );
      // Exponential: 150 ms before retry 1, 300 ms before retry 2 (a little slack for timers).
      assert.ok(tries[1].at - tries[0].at >= 140, `first backoff ${tries[1].at - tries[0].at} ms`);
      assert.ok(tries[2].at - tries[1].at >= 290, `second backoff ${tries[2].at - tries[1].at} ms`);
      const status = await q.getJob(id);
      assert.equal(status?.attemptsMade, 3);
    });

    it('fails the job with its last reason once attempts are used up', async () => {
      const q = await open(freshName());
      let calls = 0;
      q.process('doomed', 1, async (job) => {
        calls++;
        throw new Error(`boom ${job.attempt}`);
      });
      const id = await q.add('doomed', {}, { attempts: 2, backoff: { type: 'fixed', delayMs: 50 } });
      await waitFor('failed', async () => (await stateOf(q, id)) === 'failed');
      assert.deepEqual(await q.getJob(id), { id, state: 'failed', attemptsMade: 2, failedReason: 'boom 2' });
      assert.equal(calls, 2);
      const counts = await q.counts();
      assert.equal(counts.failed, 1);
      assert.equal(counts.active + counts.waiting + counts.delayed, 0);
    });

    it('fails at once on an error marked retryable: false', async () => {
      const q = await open(freshName());
      let calls = 0;
      q.process('strict', 1, async () => {
        calls++;
        throw Object.assign(new Error('bad input'), { retryable: false });
      });
      const id = await q.add('strict', {}, { attempts: 5, backoff: { type: 'fixed', delayMs: 10 } });
      await waitFor('failed', async () => (await stateOf(q, id)) === 'failed');
      await sleep(300);
      assert.equal(calls, 1);
      assert.deepEqual(await q.getJob(id), {
        id,
        state: 'failed',
        attemptsMade: 1,
        failedReason: 'bad input',
      });
    });

    it('does not run a delayed job before its delay', async () => {
      const q = await open(freshName());
      let ranAt = 0;
      q.process('later', 1, async () => {
        ranAt = Date.now();
      });
      const addedAt = Date.now();
      const id = await q.add('later', {}, { delayMs: 700 });
      assert.equal(await stateOf(q, id), 'delayed');
      assert.equal((await q.counts()).delayed, 1);
      await waitFor('the delayed run', () => ranAt > 0, 3000);
      assert.ok(ranAt - addedAt >= 690, `ran after ${ranAt - addedAt} ms`);
    });

    it('never runs more handlers at once than the concurrency', async () => {
      const q = await open(freshName());
      let current = 0;
      let peak = 0;
      let done = 0;
      q.process('slow', 3, async () => {
        peak = Math.max(peak, ++current);
        await sleep(60);
        current--;
        done++;
      });
      await Promise.all(Array.from({ length: 12 }, (_, i) => q.add('slow', { i })));
      await waitFor('12 jobs', () => done === 12);
      assert.equal(peak, 3);
    });

    it('fires a repeatable job once per tick though two nodes register it', async () => {
      const queueName = freshName();
      const [a, b] = [await open(queueName), await open(queueName)];
      const runs: { id: string; data: unknown }[] = [];
      for (const q of [a, b]) {
        await q.addRepeatable('tick', { k: 1 }, { jobId: 'every-second', cron: '* * * * * *' });
        q.process('tick', 2, async (job) => {
          runs.push({ id: job.id, data: job.data });
        });
      }
      await sleep(2300);
      await a.removeRepeatable('every-second');
      const fired = runs.length;
      // 2.3 s span 2 or 3 second boundaries (the last maybe not run yet); a schedule registered
      // twice would fire about twice per boundary.
      assert.ok(fired >= 1 && fired <= 3, `fired ${fired} times`);
      assert.equal(new Set(runs.map((r) => r.id)).size, runs.length, 'no tick ran twice');
      assert.deepEqual(runs[0].data, { k: 1 });
      await sleep(1100);
      assert.ok(runs.length <= fired + 1, `still firing after removal: ${runs.length - fired} more`);
    });

    it('keeps jobs across a restart', async () => {
      const queueName = freshName();
      const first = await open(queueName);
      const id = await first.add('work', { n: 7 }, { attempts: 2 });
      await first.stop();
      const second = await open(queueName);
      const seen: JobInfo[] = [];
      second.process('work', 1, async (job) => {
        seen.push(job);
      });
      await waitFor('the job after restart', () => seen.length === 1);
      assert.deepEqual(seen[0], { id, name: 'work', data: { n: 7 }, attempt: 1 });
    });

    it('never runs one job twice when two nodes process the same queue', async () => {
      const queueName = freshName();
      const nodes = [await open(queueName), await open(queueName)];
      const runs = new Map<string, number>();
      const perNode = [0, 0];
      nodes.forEach((q, n) => {
        q.process('work', 4, async (job) => {
          runs.set(job.id, (runs.get(job.id) ?? 0) + 1);
          perNode[n]++;
          await sleep(10);
        });
      });
      const ids = await Promise.all(Array.from({ length: 50 }, (_, i) => nodes[i % 2].add('work', { i })));
      assert.equal(new Set(ids).size, 50);
      await waitFor('50 jobs', () => runs.size === 50, 10_000);
      await sleep(300);
      const twice = [...runs].filter(([, n]) => n !== 1);
      assert.deepEqual(twice, [], 'every job ran exactly once');
      // Both took jobs, so the claims really raced.
      assert.ok(perNode[0] > 0 && perNode[1] > 0, `jobs per node: ${perNode.join(', ')}`);
    });
  });
}
