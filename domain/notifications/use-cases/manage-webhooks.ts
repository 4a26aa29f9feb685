import type { Clock } from '../../ports/clock.port';
import type { IdGenerator } from '../../ports/id-generator.port';
import type { OutboxHint } from '../../ports/outbox.port';
import { actorEvent, type Actor } from '../../shared/domain-event';
import { decodeCursor, encodeCursor, pageLimit } from '../../shared/pagination';
import type { Principal } from '../../shared/principal';
import { NotificationErrors } from '../notification.errors';
import { newWebhookSecret, parseWebhookSpec } from '../webhook';
import type {
  SecretSealer,
  TargetPolicy,
  Webhook,
  WebhookDelivery,
  WebhookRepository,
} from '../webhook.ports';

/** What the webhook use cases reach outside the domain. */
export interface WebhookDeps {
  webhooks: WebhookRepository;
  secrets: SecretSealer;
  targets: TargetPolicy;
  outbox: OutboxHint;
  ids: IdGenerator;
  clock: Clock;
}

/** A webhook as the API shows it: never its secret. */
export const webhookView = (w: Webhook) => ({
  id: w.id,
  url: w.url,
  events: w.events,
  bizTypes: w.bizTypes,
  createdBy: w.createdBy,
  createdAt: w.createdAt.toISOString(),
});

export const deliveryView = (d: WebhookDelivery) => ({
  id: d.id,
  event: d.event,
  eventId: d.eventId,
  status: d.status,
  attempts: d.attempts,
  lastStatusCode: d.lastStatusCode,
  lastError: d.lastError,
  nextAttemptAt: d.nextAttemptAt ? d.nextAttemptAt.toISOString() : null,
  createdAt: d.createdAt.toISOString(),
  updatedAt: d.updatedAt.toISOString(),
});

const changed = (
  d: Pick<WebhookDeps, 'ids' | 'clock'>,
  actor: Actor,
  id: string,
  detail: Record<string, unknown>,
) =>
  actorEvent(d, actor, {
    type: 'WEBHOOK_CHANGED',
    targetType: 'WEBHOOK',
    targetId: id,
    bizType: null,
    detail,
  });

/**
 * `POST /api/webhooks`: an absolute http(s) URL that is not a refused target, known events. The
 * answer is the only time the secret is shown: the receiver needs it to verify signatures.
 */
export async function createWebhook(
  d: WebhookDeps,
  user: Principal,
  actor: Actor,
  input: Record<string, unknown>,
) {
  const spec = parseWebhookSpec(input);
  const refused = d.targets(spec.url);
  if (refused) throw NotificationErrors.targetForbidden(refused);
  const secret = newWebhookSecret();
  const webhook: Webhook = {
    id: d.ids.next(),
    ...spec,
    secret: d.secrets.seal(secret),
    createdBy: user.id,
    createdAt: d.clock.now(),
  };
  const event = changed(d, actor, webhook.id, {
    op: 'CREATED',
    url: webhook.url,
    events: webhook.events,
    bizTypes: webhook.bizTypes,
  });
  await d.webhooks.create(webhook, [event]);
  d.outbox.appended();
  return { ...webhookView(webhook), secret };
}

export async function listWebhooks(d: Pick<WebhookDeps, 'webhooks'>) {
  return { items: (await d.webhooks.list()).map(webhookView), nextCursor: null };
}

async function existing(d: Pick<WebhookDeps, 'webhooks'>, id: string): Promise<Webhook> {
  const w = await d.webhooks.find(id);
  if (!w) throw NotificationErrors.webhookNotFound(id);
  return w;
}

export async function getWebhook(d: Pick<WebhookDeps, 'webhooks'>, id: string) {
  return webhookView(await existing(d, id));
}

/** Deletes the webhook and its delivery log; its pending deliveries find no webhook and stop. */
export async function deleteWebhook(d: WebhookDeps, actor: Actor, id: string): Promise<void> {
  if (!(await d.webhooks.delete(id, [changed(d, actor, id, { op: 'DELETED' })])))
    throw NotificationErrors.webhookNotFound(id);
  d.outbox.appended();
}

/** One page of a webhook's deliveries, newest event first (API.md "Pagination"). */
export async function listDeliveries(
  d: Pick<WebhookDeps, 'webhooks'>,
  id: string,
  page: { limit?: number; cursor?: string },
) {
  await existing(d, id);
  const limit = pageLimit(page.limit);
  const after = decodeCursor<{ id: string }>(page.cursor, { id: 'string' });
  const rows = await d.webhooks.deliveries(id, after?.id ?? null, limit + 1);
  const items = rows.slice(0, limit);
  return {
    items: items.map(deliveryView),
    nextCursor: rows.length > limit ? encodeCursor({ id: items[items.length - 1].id }) : null,
  };
}
