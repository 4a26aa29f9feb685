import type { DataSource } from 'typeorm';
import type { BizType } from '../../domain/metadata/biz-type';
import type { BizTypeRepository, StoredBizType } from '../../domain/metadata/metadata.ports';
import type { DomainEvent } from '../../domain/shared/domain-event';
import { BizTypeSchema, type BizTypeRow } from '../database/schemas/file-task.schema';
import { appendToOutbox } from '../operation-log/outbox';
import { isDuplicateKey } from '../database/db-errors';

const fromRow = (r: BizTypeRow): StoredBizType => ({
  bizType: r.definition as BizType,
  version: r.version,
  updatedAt: r.updatedAt,
  updatedBy: r.updatedBy,
});

/** Biz types, each written together with its BIZ_TYPE_CHANGED event (the outbox). */
export class TypeormBizTypeRepository implements BizTypeRepository {
  constructor(private readonly ds: DataSource) {}

  async list(): Promise<StoredBizType[]> {
    const rows = await this.ds.getRepository(BizTypeSchema).find({ order: { code: 'ASC' } });
    return rows.map(fromRow);
  }

  async find(code: string): Promise<StoredBizType | null> {
    const row = await this.ds.getRepository(BizTypeSchema).findOneBy({ code });
    return row ? fromRow(row) : null;
  }

  /**
   * Creates or replaces a biz type. The version check makes two concurrent edits conflict instead
   * of one silently overwriting the other; `expectedVersion` null means "must not exist yet".
   */
  async save(
    b: BizType,
    expectedVersion: number | null,
    updatedBy: string | null,
    now: Date,
    events: DomainEvent[],
  ): Promise<StoredBizType | null> {
    return this.ds.transaction(async (em) => {
      const repo = em.getRepository(BizTypeSchema);
      const row: BizTypeRow = {
        code: b.code,
        kind: b.kind,
        definition: b,
        version: (expectedVersion ?? 0) + 1,
        updatedAt: now,
        updatedBy,
      };
      if (expectedVersion === null) {
        if (await repo.findOneBy({ code: b.code })) return null;
        try {
          await repo.insert(row);
        } catch (e) {
          // Two admins created the same code at once: the loser conflicts, like a stale version.
          if (isDuplicateKey(e)) return null;
          throw e;
        }
      } else {
        const r = await em
          .createQueryBuilder()
          .update(BizTypeSchema)
          .set({
            kind: row.kind,
            definition: row.definition,
            version: row.version,
            updatedAt: now,
            updatedBy,
          })
          .where('code = :code AND version = :v', { code: b.code, v: expectedVersion })
          .updateEntity(false)
          .execute();
        if (!r.affected) return null;
      }
      await appendToOutbox(em, events);
      return fromRow(row);
    });
  }
}
