import type { DataSource } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { chainHash } from '../../domain/operation-log/hash-chain';
import type { DomainEvent } from '../../domain/shared/domain-event';
import {
  ChainHeadSchema,
  OperationLogSchema,
  OutboxSchema,
  type OperationLogRow,
} from '../database/schemas/operation-log.schema';
import { eventFromPayload } from './outbox';
import { busEventOf } from '../../domain/notifications/integration-event';

export interface RelayOptions {
  batchSize: number;
  intervalMs: number;
  onError: (e: unknown) => void;
  /**
   * The publication step (domain/notifications): gets logged events that business systems may
   * consume, oldest first, and must have handed them on (bus, webhook deliveries) when it
   * resolves; they leave the outbox only then, so a crash or a throw publishes them again later
   * (at least once). Without it, events leave the outbox once logged.
   */
  publish?: (events: DomainEvent[]) => Promise<void>;
}

/** Lower-cased words of the entry for free-text search (action, target, biz type, detail values). */
export function searchTextOf(e: DomainEvent): string {
  const values: string[] = [];
  const walk = (v: unknown) => {
    if (v === null || v === undefined) return;
    if (typeof v === 'object') Object.values(v as Record<string, unknown>).forEach(walk);
    else if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') values.push(String(v));
  };
  walk(e.detail);
  return [e.type, e.targetType, e.targetId, e.bizType, e.userId, ...values]
    .filter(Boolean)
    .join(' ')
    .toLowerCase()
    .slice(0, 8000);
}

/**
 * Moves events from the outbox into the hash-chained operation log. Each batch is ONE transaction:
 * lock the chain head, read the oldest outbox rows, append them to the chain, advance the head,
 * delete the rows. A crash anywhere rolls the whole batch back, so each committed event is logged
 * exactly once; relays on several nodes take turns on the head lock and never fork the chain.
 */
export class OutboxRelay {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = true;

  constructor(
    private readonly ds: DataSource,
    private readonly key: string,
    private readonly opts: RelayOptions,
  ) {}

  start(): void {
    this.stopped = false;
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running;
  }

  /** A hint that new events were committed: deliver soon instead of at the next tick. */
  nudge(): void {
    if (this.stopped) return;
    if (this.running) this.again = true;
    else this.schedule(0);
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.tick(), ms);
  }

  private async tick(): Promise<void> {
    if (this.running) return;
    this.timer = null;
    let moved = 0;
    let published = 0;
    this.running = (async () => {
      try {
        moved = await this.deliverBatch();
      } catch (e) {
        this.opts.onError(e);
      }
      try {
        published = await this.publishBatch();
      } catch (e) {
        this.opts.onError(e);
      }
    })();
    await this.running;
    this.running = null;
    const more = moved === this.opts.batchSize || published === this.opts.batchSize || this.again;
    this.again = false;
    this.schedule(more ? 0 : this.opts.intervalMs);
  }

  /** Delivers up to one batch; returns how many outbox rows it consumed. */
  async deliverBatch(): Promise<number> {
    return this.ds.transaction(async (em) => {
      const mysql = this.ds.options.type === 'mysql';
      const lock = mysql ? ' FOR UPDATE' : '';
      const [head] = await em.query<{ seq: string | number; hash: string }[]>(
        `SELECT seq, hash FROM log_chain_head WHERE id = 1${lock}`,
      );
      if (!head) throw new Error('log_chain_head is missing: the migrations did not run');
      const outbox = em
        .getRepository(OutboxSchema)
        .createQueryBuilder('o')
        .where('o.logged = 0')
        .orderBy('o.id', 'ASC')
        .limit(this.opts.batchSize);
      // Under the head lock only one relay reads at a time; the row locks make the read current.
      if (mysql) outbox.setLock('pessimistic_write');
      const rows = await outbox.getMany();
      if (rows.length === 0) return 0;
      const ids = rows.map((r) => r.id);
      // Idempotent by event id: an event already in the log (or twice in the outbox) is not re-added.
      const logged = new Set(
        (
          await em
            .getRepository(OperationLogSchema)
            .createQueryBuilder('l')
            .select('l.id', 'id')
            .where('l.id IN (:...ids)', { ids })
            .getRawMany<{ id: string }>()
        ).map((r) => r.id),
      );
      let seq = Number(head.seq);
      let hash = head.hash;
      const entries: OperationLogRow[] = [];
      const toPublish: string[] = [];
      for (const row of rows) {
        const e = eventFromPayload(row.payload);
        if (this.opts.publish && busEventOf(e) && !toPublish.includes(row.id)) toPublish.push(row.id);
        if (logged.has(row.id)) continue;
        logged.add(row.id);
        const fields = {
          id: e.id,
          seq: seq + 1,
          at: e.occurredAt,
          userId: e.userId,
          action: e.type,
          targetType: e.targetType,
          targetId: e.targetId,
          bizType: e.bizType,
          outcome: e.outcome,
          detail: e.detail,
          requestId: e.requestId,
        };
        const next = chainHash(this.key, hash, fields);
        entries.push({ ...fields, prevHash: hash, hash: next, searchText: searchTextOf(e) });
        seq += 1;
        hash = next;
      }
      for (let i = 0; i < entries.length; i += 500) {
        await em
          .createQueryBuilder()
          .insert()
          .into(OperationLogSchema)
          .values(entries.slice(i, i + 500) as QueryDeepPartialEntity<OperationLogRow>[])
          .updateEntity(false)
          .execute();
      }
      await em.getRepository(ChainHeadSchema).update({ id: 1 }, { seq, hash });
      const done = ids.filter((id) => !toPublish.includes(id));
      if (done.length > 0)
        await em
          .getRepository(OutboxSchema)
          .createQueryBuilder()
          .delete()
          .where('id IN (:...done)', { done })
          .execute();
      if (toPublish.length > 0)
        await em
          .getRepository(OutboxSchema)
          .createQueryBuilder()
          .update()
          .set({ logged: 1 })
          .where('id IN (:...toPublish)', { toPublish })
          .execute();
      return rows.length;
    });
  }

  /**
   * The publication step: logged events waiting to be published are handed to `publish`, then
   * removed. Not in a transaction (publishing writes elsewhere and talks to the bus): relays on
   * two nodes may publish one event twice, which at-least-once subscribers tolerate by `eventId`.
   */
  async publishBatch(): Promise<number> {
    if (!this.opts.publish) return 0;
    const rows = await this.ds
      .getRepository(OutboxSchema)
      .createQueryBuilder('o')
      .where('o.logged = 1')
      .orderBy('o.id', 'ASC')
      .limit(this.opts.batchSize)
      .getMany();
    if (rows.length === 0) return 0;
    await this.opts.publish(rows.map((r) => eventFromPayload(r.payload)));
    const ids = rows.map((r) => r.id);
    await this.ds
      .getRepository(OutboxSchema)
      .createQueryBuilder()
      .delete()
      .where('id IN (:...ids)', { ids })
      .execute();
    return rows.length;
  }
}
