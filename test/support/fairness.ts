import assert from 'node:assert/strict';
import type { Context, ServiceBroker } from 'moleculer';
import { DEMO_PASSWORD } from '../../mixins/demo/demo-directory';
import { asSystem } from '../../mixins/auth/caller-identity.middleware';
import { EXPORT_PROGRESS } from '../../mixins/http/progress-hub';
import { http, login, startTestNode } from './embedded-node';
import { waitForTask } from './exports';
import { slowChunkReads } from './crashing-node';

type Task = { id: string; status: string; export: { waitingReason: string | null; rowCount: number | null } };

/**
 * API.md "Fair scheduling and quotas" on one node with 2 worker slots (EXPORT_CONCURRENCY) and
 * EXPORT_USER_CONCURRENCY 2: admin (user A) queues 4 full exports, then bob (user B) a small one;
 * B's finishes before A's third starts, though A's jobs were queued first. Run on the embedded
 * queue and on bull.
 */
export async function fairnessScenario(
  base: string,
  a: string,
  b: string,
  opts: {
    events?: { taskId: string; status: string }[];
    slotsFull?: boolean;
    /** The orders on the node: A's exports are all of them. */
    rows?: number;
    /** A's columns (default: the biz type's): fewer cost less CPU, the chunk reads pace the run. */
    columns?: string[];
  } = {},
): Promise<{ order: string[] }> {
  const { events, slotsFull = true, rows = 20_000, columns } = opts;
  const call = (method: string, url: string, token: string, body?: unknown) =>
    http(base, method, url, { token, body });
  const full = (i: number) =>
    call('POST', '/api/exports', a, {
      bizType: 'order_export',
      format: 'csv',
      // Keyed, so four identical exports are not merged into one.
      idempotencyKey: `fair-a-${i}-${Date.now()}`,
      ...(columns ? { columns } : {}),
    });
  const get = async (id: string, token = a) =>
    (await call('GET', `/api/file-tasks/${id}`, token)).body as Task;
  // A's first two run at once (A's cap, the node's two slots), the second from halfway through the
  // first, so the first slot to free is A1's while A2 still runs for a while.
  const first = [await full(1)];
  await waitForTask(
    { baseUrl: base },
    a,
    first[0].body.id,
    60_000,
    (t) => t.export!.progress.rows >= rows / 2,
  );
  first.push(await full(2));
  for (const r of first) assert.equal(r.status, 202, JSON.stringify(r.body));
  await waitForTask({ baseUrl: base }, a, first[1].body.id, 60_000, (t) => t.status !== 'PENDING');
  const rest = [await full(3), await full(4)];
  for (const r of rest) {
    assert.equal(r.status, 202);
    assert.equal(r.body.export.waitingReason, 'USER_CONCURRENCY', JSON.stringify(r.body.export));
  }
  const small = await call('POST', '/api/exports', b, {
    bizType: 'order_export',
    format: 'csv',
    // A few hundred rows at most: small next to A's exports even where B starts at once (a free slot).
    filters: { status: [5], city: '上海' },
    columns: ['order_no'],
  });
  assert.equal(small.status, 202, JSON.stringify(small.body));
  // With every slot busy B waits for one; with a slot free it starts at once.
  if (slotsFull) assert.equal(small.body.export.waitingReason, 'NO_SLOT');
  const ids = {
    a1: first[0].body.id,
    a2: first[1].body.id,
    a3: rest[0].body.id,
    a4: rest[1].body.id,
    b: small.body.id,
  };
  const names = new Map(Object.entries(ids).map(([k, v]) => [v as string, k]));
  // Polls every task until all are done (B first in each round, so B's end is never seen late).
  const timeline: string[] = [];
  const t0 = Date.now();
  const seen = new Map<string, string>();
  const deadline = Date.now() + 180_000;
  for (;;) {
    for (const name of ['b', 'a1', 'a2', 'a3', 'a4'] as const) {
      const t = await get(ids[name]);
      if (seen.get(name) !== t.status) timeline.push(`${name} ${t.status} +${Date.now() - t0}`);
      seen.set(name, t.status);
      if (!['PENDING', 'EXPORTING'].includes(t.status)) assert.equal(t.status, 'SUCCESS', JSON.stringify(t));
    }
    if ([...seen.values()].every((st) => st === 'SUCCESS')) break;
    if (Date.now() > deadline) throw new Error(`exports still running: ${timeline.join(', ')}`);
    await new Promise((r) => setTimeout(r, 40));
  }
  // The server's own order of starts and ends when the caller hears the progress broadcasts;
  // else the polled one.
  const order = (events ?? []).length
    ? events!
        .filter((e) => names.has(e.taskId) && ['EXPORTING', 'SUCCESS'].includes(e.status))
        .map((e) => `${names.get(e.taskId)} ${e.status}`)
        .filter((e, n, all) => all.indexOf(e) === n)
    : timeline.map((e) => e.replace(/ \+\d+$/, ''));
  const at = (e: string) => order.indexOf(e);
  assert.ok(
    at('b SUCCESS') >= 0 && at('b SUCCESS') < at('a3 EXPORTING'),
    `B must finish before A3 starts: ${order.join(', ')}`,
  );
  assert.ok(at('a1 SUCCESS') < at('b EXPORTING') || !slotsFull, `B waited for one slot: ${order.join(', ')}`);
  return { order };
}

/** Records the progress broadcasts a node hears, in the order it hears them. */
export function progressEvents(broker: ServiceBroker): { taskId: string; status: string }[] {
  const events: { taskId: string; status: string }[] = [];
  broker.createService({
    name: 'fairnessWatch',
    events: {
      [EXPORT_PROGRESS]: {
        handler(ctx: Context<{ taskId: string; status: string }>) {
          events.push({ taskId: ctx.params.taskId, status: ctx.params.status });
        },
      },
    },
  });
  return events;
}

/** A node with 2 worker slots, EXPORT_USER_CONCURRENCY 2, 20,000 orders, bob granted order_export. */
export async function fairNode(env: Record<string, string>) {
  const node = await startTestNode(
    {
      DEMO_ORDERS: '20000',
      EXPORT_CHUNK_ROWS: '2000',
      EXPORT_BATCH_ROWS: '250',
      EXPORT_CONCURRENCY: '2',
      EXPORT_USER_CONCURRENCY: '2',
      ...env,
      // Chunk reads slowed (10 chunks of 2000 rows): on a quiet machine a 20,000-row export otherwise
      // ends before the next request arrives, and no export is ever seen held by a cap.
    },
    [slowChunkReads(400)],
  );
  // The demo orders are generated while the node starts: wait for all of them.
  for (
    let i = 0;
    (await node.broker.call<{ orders: number }, unknown>('shop.stats', {}, asSystem())).orders < 20_000;
    i++
  ) {
    if (i > 600) throw new Error('demo orders not generated');
    await new Promise((r) => setTimeout(r, 100));
  }
  const admin = await login(node.baseUrl, 'admin', 'admin');
  const bob = await login(node.baseUrl, 'bob', DEMO_PASSWORD);
  const grant = await http(node.baseUrl, 'POST', '/api/permissions', {
    token: admin,
    body: { bizType: 'order_export', type: 'ROLE', subject: 'SALES', actions: ['export', 'read'] },
  });
  assert.equal(grant.status, 201, JSON.stringify(grant.body));
  return { node, admin, bob };
}
