import type { DomainEvent } from '../shared/domain-event';

/** A registered endpoint (API.md "Notifications"). */
export interface Webhook {
  id: string;
  url: string;
  events: string[];
  /** Empty: every biz type. */
  bizTypes: string[];
  /** Sealed at rest (the SecretSealer port): every delivery is signed with it. */
  secret: string;
  createdBy: string;
  createdAt: Date;
}

export type DeliveryStatus = 'PENDING' | 'DELIVERED' | 'FAILED';

/** One event's delivery to one webhook, with the outcome of its latest attempt. */
export interface WebhookDelivery {
  /** `<eventId>.<webhookId>`: one delivery per event and webhook, however often it is fanned out. */
  id: string;
  webhookId: string;
  eventId: string;
  event: string;
  /** The exact bytes sent (and signed) on every attempt. */
  body: string;
  status: DeliveryStatus;
  attempts: number;
  lastStatusCode: number | null;
  lastError: string | null;
  nextAttemptAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

/** Webhooks and their delivery log. Writes of a webhook store their domain events with it (the outbox). */
export interface WebhookRepository {
  create(webhook: Webhook, events: DomainEvent[]): Promise<void>;
  list(): Promise<Webhook[]>;
  find(id: string): Promise<Webhook | null>;
  /** Deletes the webhook and its delivery log (events stored only if it existed); false when there was none. */
  delete(id: string, events: DomainEvent[]): Promise<boolean>;
  /** Adds the delivery unless it exists; answers the stored one either way. */
  ensureDelivery(delivery: WebhookDelivery): Promise<WebhookDelivery>;
  findDelivery(id: string): Promise<WebhookDelivery | null>;
  /**
   * Records attempt number `attempt` (counted from 1), if it is the next one: false when another
   * worker recorded it first (a redelivered job), so each attempt counts once.
   */
  recordAttempt(
    id: string,
    attempt: number,
    outcome: Pick<WebhookDelivery, 'status' | 'lastStatusCode' | 'lastError' | 'nextAttemptAt'>,
    now: Date,
  ): Promise<boolean>;
  /** One page of a webhook's deliveries, newest event first. */
  deliveries(webhookId: string, afterId: string | null, limit: number): Promise<WebhookDelivery[]>;
}

/** Seals a webhook's signing secret for storage (the key is configuration). */
export interface SecretSealer {
  seal(plain: string): string;
}

/** Why a target URL is refused before anything is sent (loopback, private range...); null: allowed. */
export type TargetPolicy = (url: string) => string | null;
