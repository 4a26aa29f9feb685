import { api } from './client';
import type { Page } from './types';

/** Typed calls of the integration routes (API.md v1.1): service accounts and webhooks. */

export interface ServiceAccount {
  id: string;
  name: string;
  roles: string[];
  unitId: string | null;
  createdAt: string;
  createdBy?: string | null;
}

export const WEBHOOK_EVENTS = [
  'exports.succeeded',
  'exports.failed',
  'exports.cancelled',
  'files.uploaded',
  'files.expired',
] as const;

export interface Webhook {
  id: string;
  url: string;
  events: string[];
  bizTypes: string[];
  createdAt: string;
}

export type DeliveryStatus = 'PENDING' | 'DELIVERED' | 'FAILED';

export interface WebhookDelivery {
  id: string;
  event: string;
  status: DeliveryStatus;
  attempts: number;
  lastStatusCode: number | null;
  lastError?: string | null;
  nextAttemptAt: string | null;
  createdAt?: string;
}

const id = (x: string) => encodeURIComponent(x);

export const serviceAccounts = {
  list: () => api.get<{ items: ServiceAccount[] }>('/service-accounts'),
  /** The answer carries the token: the only time it is shown. */
  create: (body: { name: string; roles: string[]; unitId: string | null }) =>
    api.post<ServiceAccount & { token: string }>('/service-accounts', body),
  revoke: (accountId: string) => api.delete<void>(`/service-accounts/${id(accountId)}`),
};

export const webhooks = {
  list: () => api.get<Page<Webhook>>('/webhooks'),
  /** The answer carries the signing secret: the only time it is shown. */
  create: (body: { url: string; events: string[]; bizTypes?: string[] }) =>
    api.post<Webhook & { secret: string }>('/webhooks', body),
  remove: (webhookId: string) => api.delete<void>(`/webhooks/${id(webhookId)}`),
  deliveries: (webhookId: string, cursor?: string) =>
    api.get<Page<WebhookDelivery>>(`/webhooks/${id(webhookId)}/deliveries`, { limit: 50, cursor }),
};
