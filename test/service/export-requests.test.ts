import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Context } from 'moleculer';
import { http, login, startTestNode, type TestNode } from '../support/embedded-node';

type Outcome = {
  eventId: string;
  task: { id: string; status: string } | null;
  requestId?: string;
  error?: { code: string };
};

async function until<T>(
  what: string,
  probe: () => T | null | undefined | false | Promise<T | null | undefined | false>,
  ms = 60_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * Exports requested by event (API.md "Notifications") on the embedded node: the outcome comes back
 * as exports.succeeded carrying the requestId, a repeated requestId makes no second task, and a bad
 * request is answered with exports.failed and a reason.
 */
describe('exports.requested: export by event, answered by event', () => {
  let node: TestNode;
  let token = '';
  const outcomes: (Outcome & { type: string })[] = [];

  before(async () => {
    node = await startTestNode({ DEMO_ORDERS: '500', LOG_RELAY_INTERVAL_MS: '50' });
    const spy = (type: string) => ({
      handler: (ctx: Context<Outcome>) => {
        outcomes.push({ ...ctx.params, type });
      },
    });
    node.broker.createService({
      name: 'erp',
      events: { 'exports.succeeded': spy('exports.succeeded'), 'exports.failed': spy('exports.failed') },
    });
    token = await login(node.baseUrl, 'admin', 'admin');
  });
  after(() => node?.stop());

  it('runs the export as the token owner, once per requestId, and answers exports.succeeded', async () => {
    const request = { requestId: 'erp-42', token, bizType: 'order_export', format: 'csv', filters: {} };
    // A local emit resolves once the handlers ran: the task exists (or the refusal is logged).
    await node.broker.emit('exports.requested', request);
    const done = await until('exports.succeeded', () => outcomes.find((o) => o.requestId === 'erp-42'));
    assert.equal(done.type, 'exports.succeeded');
    assert.equal(done.task!.status, 'SUCCESS');
    // Again after it finished (no in-flight merge can hide a second task): still one.
    await node.broker.emit('exports.requested', request);
    const list = await http(node.baseUrl, 'GET', '/api/file-tasks?kind=EXPORT', { token });
    assert.equal(list.body.items.length, 1, 'the same requestId twice makes one task');
    assert.equal(
      list.body.items[0].createdBy,
      (await http(node.baseUrl, 'GET', '/api/auth/me', { token })).body.id,
    );
  });

  it('answers a bad token or request with exports.failed and a reason', async () => {
    await node.broker.emit('exports.requested', {
      requestId: 'erp-bad-token',
      token: 'x.y.z',
      bizType: 'order_export',
      format: 'csv',
    });
    await node.broker.emit('exports.requested', {
      requestId: 'erp-bad-format',
      token,
      bizType: 'order_export',
      format: 'pdf',
    });
    const badToken = await until('the bad token answer', () =>
      outcomes.find((o) => o.requestId === 'erp-bad-token'),
    );
    assert.equal(badToken.type, 'exports.failed');
    assert.equal(badToken.task, null);
    assert.equal(badToken.error!.code, 'INVALID_TOKEN');
    const badFormat = await until('the bad format answer', () =>
      outcomes.find((o) => o.requestId === 'erp-bad-format'),
    );
    assert.equal(badFormat.error!.code, 'UNSUPPORTED_FORMAT');
  });
});
