import type { DomainEvent } from '../shared/domain-event';
import type { ReadFilter } from '../permissions/policy';
import type { FileTask, FileTaskStatus } from './file-task';
import type { FileTaskListQuery } from './list-query';

/** Where a task stood before a transition: the conditional update's guard. */
export interface TaskVersion {
  status: FileTaskStatus;
  version: number;
}

/**
 * File task records. Every write stores its domain events in the same transaction (the outbox),
 * and every change after the insert is conditional on the status and version it was made from, so
 * two workers or requests can never both make the same move.
 */
export interface FileTaskRepository {
  insert(task: FileTask, events: DomainEvent[]): Promise<void>;
  /** Events about a task that change no record (links issued, downloads): outbox only. */
  logEvents(events: DomainEvent[]): Promise<void>;
  /** Persists a transition made on the aggregate if the stored task is still at `from`; false otherwise. */
  transition(task: FileTask, from: TaskVersion, events: DomainEvent[]): Promise<boolean>;
  /** Progress and lease renewal by the lease holder only; false when the run must stop. */
  heartbeat(
    id: string,
    owner: string,
    p: { rows: number; total: number | null; leaseUntil: Date; now: Date },
  ): Promise<boolean>;
  findByIdempotencyKey(createdBy: string, key: string): Promise<FileTask | null>;
  /** An identical request of the same user still PENDING or EXPORTING. */
  findInFlight(createdBy: string, requestHash: string): Promise<FileTask | null>;
  find(id: string): Promise<FileTask | null>;
  /** Deletes the record if it is still at its version; false when it changed or is gone. */
  delete(task: FileTask, events: DomainEvent[]): Promise<boolean>;
  /** One page, newest first, of the tasks the permission filter allows. */
  list(q: FileTaskListQuery, filter: ReadFilter): Promise<{ items: FileTask[]; nextCursor: string | null }>;
}
