import type { DataSource } from 'typeorm';
import type { WebhookRepository as WebhookRepositoryPort } from '../../domain/notifications/webhook.ports';
import type { DomainEvent } from '../../domain/shared/domain-event';
import { isDuplicateKey } from '../database/db-errors';
import { appendToOutbox } from '../operation-log/outbox';
import {
  WebhookDeliverySchema,
  WebhookSchema,
  type WebhookDeliveryRow,
  type WebhookRow,
} from '../database/schemas/webhook.schema';

/** Webhooks and their delivery log, on TypeORM. */
export class WebhookRepository implements WebhookRepositoryPort {
  constructor(private readonly ds: DataSource) {}

  async create(row: WebhookRow, events: DomainEvent[]): Promise<void> {
    await this.ds.transaction(async (em) => {
      await em.getRepository(WebhookSchema).insert(row);
      await appendToOutbox(em, events);
    });
  }

  async list(): Promise<WebhookRow[]> {
    return this.ds.getRepository(WebhookSchema).find({ order: { id: 'ASC' } });
  }

  async find(id: string): Promise<WebhookRow | null> {
    return this.ds.getRepository(WebhookSchema).findOneBy({ id });
  }

  /** Deletes the webhook and its delivery log; pending deliveries find no webhook and stop. */
  async delete(id: string, events: DomainEvent[]): Promise<boolean> {
    return this.ds.transaction(async (em) => {
      const r = await em.getRepository(WebhookSchema).delete({ id });
      await em.getRepository(WebhookDeliverySchema).delete({ webhookId: id });
      const deleted = (r.affected ?? 0) > 0;
      if (deleted) await appendToOutbox(em, events);
      return deleted;
    });
  }

  /** Adds the delivery unless it exists; answers the stored one either way. */
  async ensureDelivery(row: WebhookDeliveryRow): Promise<WebhookDeliveryRow> {
    try {
      await this.ds.getRepository(WebhookDeliverySchema).insert(row);
      return row;
    } catch (e) {
      if (!isDuplicateKey(e)) throw e;
      return (await this.findDelivery(row.id)) ?? row;
    }
  }

  async findDelivery(id: string): Promise<WebhookDeliveryRow | null> {
    return this.ds.getRepository(WebhookDeliverySchema).findOneBy({ id });
  }

  /**
   * Records attempt number `attempt` (counted from 1), if it is the next one: false when another
   * worker recorded it first (a redelivered job), so each attempt counts once.
   */
  async recordAttempt(
    id: string,
    attempt: number,
    outcome: Pick<WebhookDeliveryRow, 'status' | 'lastStatusCode' | 'lastError' | 'nextAttemptAt'>,
    now: Date,
  ): Promise<boolean> {
    const r = await this.ds
      .createQueryBuilder()
      .update(WebhookDeliverySchema)
      .set({ ...outcome, attempts: attempt, updatedAt: now })
      .where("id = :id AND attempts = :before AND status = 'PENDING'", { id, before: attempt - 1 })
      .updateEntity(false)
      .execute();
    return (r.affected ?? 0) > 0;
  }

  /** One page of a webhook's deliveries, newest event first. */
  async deliveries(webhookId: string, afterId: string | null, limit: number): Promise<WebhookDeliveryRow[]> {
    const q = this.ds
      .getRepository(WebhookDeliverySchema)
      .createQueryBuilder('d')
      .where('d.webhookId = :webhookId', { webhookId })
      .orderBy('d.id', 'DESC')
      .limit(limit);
    if (afterId) q.andWhere('d.id < :afterId', { afterId });
    return q.getMany();
  }
}
