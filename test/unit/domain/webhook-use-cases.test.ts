import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type {
  WebhookRepository,
  Webhook,
  WebhookDelivery,
} from '../../../domain/notifications/webhook.ports';
import type { DomainEvent } from '../../../domain/shared/domain-event';
import { isDomainError } from '../../../domain/shared/errors';
import {
  createWebhook,
  deleteWebhook,
  getWebhook,
  listDeliveries,
  listWebhooks,
} from '../../../domain/notifications/use-cases/manage-webhooks';

const code = (c: string) => (e: unknown) => isDomainError(e) && e.code === c;

/** The WebhookRepository port in memory: writes keep their events, as the outbox would. */
class MemoryWebhooks implements WebhookRepository {
  readonly hooks = new Map<string, Webhook>();
  readonly log: WebhookDelivery[] = [];
  readonly events: DomainEvent[] = [];
  async create(w: Webhook, events: DomainEvent[]) {
    this.hooks.set(w.id, w);
    this.events.push(...events);
  }
  async list() {
    return [...this.hooks.values()];
  }
  async find(id: string) {
    return this.hooks.get(id) ?? null;
  }
  async delete(id: string, events: DomainEvent[]) {
    if (!this.hooks.delete(id)) return false;
    this.events.push(...events);
    return true;
  }
  async ensureDelivery(d: WebhookDelivery) {
    this.log.push(d);
    return d;
  }
  async findDelivery(id: string) {
    return this.log.find((d) => d.id === id) ?? null;
  }
  async recordAttempt() {
    return true;
  }
  async deliveries(webhookId: string, afterId: string | null, limit: number) {
    return this.log
      .filter((d) => d.webhookId === webhookId && (afterId === null || d.id < afterId))
      .sort((a, b) => (a.id < b.id ? 1 : -1))
      .slice(0, limit);
  }
}

function setup() {
  let n = 0;
  let hints = 0;
  const deps = {
    webhooks: new MemoryWebhooks(),
    secrets: { seal: (s: string) => `sealed(${s})` },
    targets: (url: string) => (new URL(url).hostname === '127.0.0.1' ? 'loopback address' : null),
    outbox: { appended: () => void hints++ },
    ids: { next: () => `w${++n}` },
    clock: { now: () => new Date('2026-11-24T10:00:00Z') },
  };
  return { deps, hints: () => hints };
}
const admin = { id: 'root', username: 'root', roles: ['ADMIN'], unitId: null };
const actor = { userId: 'root', requestId: 'r1' };
const input = { url: 'https://erp.example/hook', events: ['exports.succeeded'] };

describe('webhook use cases', () => {
  it('creates a webhook with a sealed secret shown once, logging WEBHOOK_CHANGED with the write', async () => {
    const { deps, hints } = setup();
    const created = await createWebhook(deps, admin, actor, input);
    assert.match(created.secret, /^whsec_/);
    assert.equal(deps.webhooks.hooks.get('w1')?.secret, `sealed(${created.secret})`);
    assert.deepEqual(await getWebhook(deps, 'w1'), {
      id: 'w1',
      url: 'https://erp.example/hook',
      events: ['exports.succeeded'],
      bizTypes: [],
      createdBy: 'root',
      createdAt: '2026-11-24T10:00:00.000Z',
    });
    const [ev] = deps.webhooks.events;
    assert.deepEqual(
      [ev.type, ev.targetType, ev.targetId, ev.userId, ev.requestId, ev.detail.op],
      ['WEBHOOK_CHANGED', 'WEBHOOK', 'w1', 'root', 'r1', 'CREATED'],
    );
    assert.equal(hints(), 1);
    assert.equal((await listWebhooks(deps)).items.length, 1);
    assert.equal('secret' in (await listWebhooks(deps)).items[0], false);
  });

  it('refuses a bad spec and a refused target before storing anything', async () => {
    const { deps } = setup();
    await assert.rejects(
      createWebhook(deps, admin, actor, { ...input, url: 'ftp://x' }),
      code('VALIDATION_ERROR'),
    );
    await assert.rejects(
      createWebhook(deps, admin, actor, { ...input, url: 'http://127.0.0.1/x' }),
      code('WEBHOOK_TARGET_FORBIDDEN'),
    );
    assert.equal(deps.webhooks.hooks.size, 0);
    assert.equal(deps.webhooks.events.length, 0);
  });

  it('deletes once: a second delete, a get and the deliveries of a missing webhook are 404', async () => {
    const { deps } = setup();
    await createWebhook(deps, admin, actor, input);
    await deleteWebhook(deps, actor, 'w1');
    assert.deepEqual(deps.webhooks.events[1].detail, { op: 'DELETED' });
    await assert.rejects(deleteWebhook(deps, actor, 'w1'), code('WEBHOOK_NOT_FOUND'));
    await assert.rejects(getWebhook(deps, 'w1'), code('WEBHOOK_NOT_FOUND'));
    await assert.rejects(listDeliveries(deps, 'w1', {}), code('WEBHOOK_NOT_FOUND'));
    assert.equal(deps.webhooks.events.length, 2);
  });

  it('pages deliveries newest first with a cursor', async () => {
    const { deps } = setup();
    await createWebhook(deps, admin, actor, input);
    const at = new Date('2026-11-24T10:00:00Z');
    for (const id of ['e1.w1', 'e2.w1', 'e3.w1'])
      await deps.webhooks.ensureDelivery({
        id,
        webhookId: 'w1',
        eventId: id.slice(0, 2),
        event: 'exports.succeeded',
        body: '{}',
        status: 'PENDING',
        attempts: 0,
        lastStatusCode: null,
        lastError: null,
        nextAttemptAt: null,
        createdAt: at,
        updatedAt: at,
      });
    const first = await listDeliveries(deps, 'w1', { limit: 2 });
    assert.deepEqual(
      first.items.map((d) => d.id),
      ['e3.w1', 'e2.w1'],
    );
    assert.equal(first.items[0].createdAt, '2026-11-24T10:00:00.000Z');
    const second = await listDeliveries(deps, 'w1', { limit: 2, cursor: first.nextCursor! });
    assert.deepEqual(
      second.items.map((d) => d.id),
      ['e1.w1'],
    );
    assert.equal(second.nextCursor, null);
  });
});
