import type { JobQueue } from '../../domain/ports/job-queue.port';
import type { DomainEvent } from '../../domain/shared/domain-event';
import { busEventOf, integrationEvent } from '../../domain/notifications/integration-event';
import { deliveryId, webhookWants } from '../../domain/notifications/webhook';
import type { WebhookRepository } from '../../domain/notifications/webhook.ports';

export const WEBHOOK_QUEUE = 'webhooks';
export const WEBHOOK_JOB = 'webhook-delivery';

export interface DeliveryJobData {
  deliveryId: string;
}

/** One queue job per attempt: the id makes adding the same attempt twice a no-op. */
export const attemptJobId = (id: string, attempt: number): string => `${id}.${attempt}`;

/** Infrastructure failures of a delivery job (database away) are retried by the queue itself. */
export const deliveryJobOptions = (id: string, attempt: number, delayMs: number) => ({
  jobId: attemptJobId(id, attempt),
  delayMs: Math.max(0, delayMs),
  attempts: 5,
  backoff: { type: 'exponential' as const, delayMs: 5_000 },
});

/**
 * The webhook part of the relay's publication step: a delivery row per (event, webhook that wants
 * it) and a queue job for its next attempt. Both idempotent, so a publication repeated after a
 * crash adds nothing twice; a delivery already finished is left alone.
 */
export async function fanOutToWebhooks(
  repo: WebhookRepository,
  queue: JobQueue,
  events: readonly DomainEvent[],
  now = new Date(),
): Promise<number> {
  const published = events.flatMap((e) => {
    const type = busEventOf(e);
    return type ? [{ e, type }] : [];
  });
  if (published.length === 0) return 0;
  const webhooks = await repo.list();
  let added = 0;
  for (const { e, type } of published) {
    const payload = integrationEvent(e);
    const body = JSON.stringify({
      id: e.id,
      type,
      occurredAt: payload.occurredAt,
      data: {
        task: payload.task,
        ...(payload.requestId ? { requestId: payload.requestId } : {}),
        ...(payload.error ? { error: payload.error } : {}),
      },
    });
    for (const w of webhooks) {
      if (!webhookWants(w, type, e.bizType)) continue;
      const d = await repo.ensureDelivery({
        id: deliveryId(e.id, w.id),
        webhookId: w.id,
        eventId: e.id,
        event: type,
        body,
        status: 'PENDING',
        attempts: 0,
        lastStatusCode: null,
        lastError: null,
        nextAttemptAt: now,
        createdAt: now,
        updatedAt: now,
      });
      if (d.status !== 'PENDING') continue;
      const due = d.nextAttemptAt ? d.nextAttemptAt.getTime() - now.getTime() : 0;
      await queue.add<DeliveryJobData>(
        WEBHOOK_JOB,
        { deliveryId: d.id },
        deliveryJobOptions(d.id, d.attempts + 1, due),
      );
      added++;
    }
  }
  return added;
}
