import { EntitySchema } from 'typeorm';
import { jsonText } from '../column-types';
import type { Webhook, WebhookDelivery } from '../../../domain/notifications/webhook.ports';

/** The stored rows are the domain's records (domain/notifications/webhook.ports.ts). */
export type WebhookRow = Webhook;

export const WebhookSchema = new EntitySchema<WebhookRow>({
  name: 'Webhook',
  tableName: 'webhooks',
  columns: {
    id: { type: 'varchar', length: 64, primary: true },
    url: { type: 'varchar', length: 2048 },
    events: { type: 'text', transformer: jsonText },
    bizTypes: { name: 'biz_types', type: 'text', transformer: jsonText },
    secret: { type: 'varchar', length: 128 },
    createdBy: { name: 'created_by', type: 'varchar', length: 64 },
    createdAt: { name: 'created_at', type: 'datetime', precision: 3 },
  },
});

export type WebhookDeliveryRow = WebhookDelivery;

export const WebhookDeliverySchema = new EntitySchema<WebhookDeliveryRow>({
  name: 'WebhookDelivery',
  tableName: 'webhook_deliveries',
  columns: {
    id: { type: 'varchar', length: 128, primary: true },
    webhookId: { name: 'webhook_id', type: 'varchar', length: 64 },
    eventId: { name: 'event_id', type: 'varchar', length: 64 },
    event: { type: 'varchar', length: 64 },
    body: { type: 'text' },
    status: { type: 'varchar', length: 16 },
    attempts: { type: 'int', default: 0 },
    lastStatusCode: { name: 'last_status_code', type: 'int', nullable: true },
    lastError: { name: 'last_error', type: 'varchar', length: 500, nullable: true },
    nextAttemptAt: { name: 'next_attempt_at', type: 'datetime', precision: 3, nullable: true },
    createdAt: { name: 'created_at', type: 'datetime', precision: 3 },
    updatedAt: { name: 'updated_at', type: 'datetime', precision: 3 },
  },
});

export const WEBHOOK_ENTITIES = [WebhookSchema, WebhookDeliverySchema];
