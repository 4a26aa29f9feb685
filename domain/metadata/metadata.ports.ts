import type { DomainEvent } from '../shared/domain-event';
import type { BizType } from './biz-type';

/** Biz types as other contexts read them (cached on every node). */
export interface BizTypeCatalog {
  /** The biz type with this code; null when there is none. */
  find(code: string): Promise<BizType | null>;
}

/** A biz type as stored: its definition and the version the next write must name. */
export interface StoredBizType {
  bizType: BizType;
  version: number;
  updatedAt: Date;
  updatedBy: string | null;
}

/** Biz types; each write stores its BIZ_TYPE_CHANGED event in the same transaction (the outbox). */
export interface BizTypeRepository {
  list(): Promise<StoredBizType[]>;
  find(code: string): Promise<StoredBizType | null>;
  /**
   * Creates or replaces a biz type if the stored one is still at `expectedVersion` (null: must not
   * exist yet); null when it is not (two concurrent edits conflict instead of one overwriting).
   */
  save(
    b: BizType,
    expectedVersion: number | null,
    updatedBy: string | null,
    now: Date,
    events: DomainEvent[],
  ): Promise<StoredBizType | null>;
}
