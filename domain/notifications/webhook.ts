import crypto from 'node:crypto';
import { isShortCode } from '../shared/identifiers';
import { BUS_EVENT_NAMES, isBusEventName, type BusEventName } from './integration-event';
import { ValidationErrors } from '../shared/validation.errors';

export interface WebhookSpec {
  url: string;
  events: BusEventName[];
  /** Empty: every biz type. */
  bizTypes: string[];
}

const invalid = (message: string, field: string) => ValidationErrors.invalidField(field, message);

/** Checks `POST /api/webhooks`: an absolute http(s) URL without credentials, known events. */
export function parseWebhookSpec(p: Record<string, unknown>): WebhookSpec {
  if (typeof p.url !== 'string' || p.url.length === 0 || p.url.length > 2048)
    throw invalid('url must be an absolute http(s) URL of at most 2048 characters', 'url');
  let u: URL;
  try {
    u = new URL(p.url);
  } catch {
    throw invalid('url must be an absolute http(s) URL', 'url');
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw invalid('url must use http or https', 'url');
  if (u.username || u.password) throw invalid('url must not carry credentials', 'url');
  if (!Array.isArray(p.events) || p.events.length === 0 || !p.events.every(isBusEventName))
    throw invalid(`events must be a non-empty list of: ${BUS_EVENT_NAMES.join(', ')}`, 'events');
  const bizTypes = p.bizTypes ?? [];
  if (!Array.isArray(bizTypes) || bizTypes.length > 100 || !bizTypes.every(isShortCode))
    throw invalid('bizTypes must be a list of biz type codes', 'bizTypes');
  return { url: u.toString(), events: [...new Set(p.events)], bizTypes: [...new Set(bizTypes)] };
}

/** Whether a webhook wants an event about a task of `bizType` (null: no task, e.g. a rejected request). */
export const webhookWants = (
  w: { events: readonly string[]; bizTypes: readonly string[] },
  event: string,
  bizType: string | null,
): boolean =>
  w.events.includes(event) && (w.bizTypes.length === 0 || (bizType !== null && w.bizTypes.includes(bizType)));

/** `X-FTC-Signature`: GitHub style, HMAC-SHA256 of the raw body with the webhook's secret. */
export const signBody = (secret: string, body: string): string =>
  `sha256=${crypto.createHmac('sha256', secret).update(body).digest('hex')}`;

export const newWebhookSecret = (): string => `whsec_${crypto.randomBytes(24).toString('base64url')}`;

/** One delivery per event and webhook, whoever fans it out and how often. */
export const deliveryId = (eventId: string, webhookId: string): string => `${eventId}.${webhookId}`;

export interface RetryPolicy {
  baseMs: number;
  maxDelayMs: number;
  windowMs: number;
}

/**
 * When to try again after `attempts` failed tries, or null to give up: exponential (base·2ⁿ⁻¹,
 * capped) with jitter on the upper half, so an endpoint coming back is not hit by every delivery
 * at once. Retried until a try fails after the window (from the delivery's creation) has passed,
 * so a delivery is tried for at least the whole window.
 */
export function nextAttemptAt(
  policy: RetryPolicy,
  attempts: number,
  createdAt: Date,
  now: Date,
  random: () => number = Math.random,
): Date | null {
  if (now.getTime() - createdAt.getTime() >= policy.windowMs) return null;
  const exp = Math.min(policy.maxDelayMs, policy.baseMs * 2 ** Math.min(30, attempts - 1));
  const delay = Math.round(exp / 2 + random() * (exp / 2));
  return new Date(now.getTime() + delay);
}
