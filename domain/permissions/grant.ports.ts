import type { DomainEvent } from '../shared/domain-event';
import type { Grant } from './grant';

/** Grants; each write stores its PERMISSION_CHANGED event in the same transaction (the outbox). */
export interface GrantRepository {
  /** Every grant, or those of one biz type, by id. */
  list(bizType: string | null): Promise<Grant[]>;
  find(id: string): Promise<Grant | null>;
  insert(g: Grant, createdBy: string | null, now: Date, events: DomainEvent[]): Promise<void>;
  /** Deletes the grant; false when it did not exist (then no event is stored either). */
  delete(id: string, events: DomainEvent[]): Promise<boolean>;
}
