import type { DomainEvent } from '../shared/domain-event';
import type { Principal } from '../shared/principal';
import type { ExportSchedule } from './export-schedule';

/** How a firing ended, as the schedule keeps it (the latest only; the log keeps them all). */
export interface Firing {
  at: Date;
  taskId: string | null;
  error: string | null;
}

/**
 * Export schedule records. Writes store their domain events in the same transaction (the outbox);
 * changes are conditional on the version they were made from.
 */
export interface ExportScheduleRepository {
  insert(s: ExportSchedule, events: DomainEvent[]): Promise<void>;
  find(id: string): Promise<ExportSchedule | null>;
  /** A page by id, newest first; `ownerId` null: everybody's. */
  list(q: { ownerId: string | null; beforeId: string | null; limit: number }): Promise<ExportSchedule[]>;
  /** Every schedule, for registering their timers. */
  all(): Promise<ExportSchedule[]>;
  update(s: ExportSchedule, from: number, events: DomainEvent[]): Promise<boolean>;
  delete(id: string, from: number, events: DomainEvent[]): Promise<boolean>;
  /** Notes a firing on the schedule (not a change: the version stays) with its events. */
  recordFiring(id: string, f: Firing, events: DomainEvent[]): Promise<void>;
}

/** The ticks of each schedule: one firing per tick across the cluster (the queue's repeatable jobs). */
export interface ScheduleTimer {
  /** Registers (or replaces) the schedule's ticks when it is enabled, removes them when not. */
  arm(s: ExportSchedule): Promise<void>;
  disarm(id: string): Promise<void>;
}

/** The owner of a schedule as the directory has them now; null when gone or disabled. */
export interface OwnerLookup {
  current(id: string): Promise<Principal | null>;
}
