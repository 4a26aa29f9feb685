import type { FileTask } from '../../domain/file-tasks/file-task';
import type { DomainEvent } from '../../domain/shared/domain-event';
import type { FileTaskRepository } from './file-task.repository';

interface Pending {
  task: FileTask;
  events: DomainEvent[];
  done: (e?: Error) => void;
}

/** New tasks per transaction at most (a multi-row INSERT stays well under SQLite's 32,766 parameters). */
export const INSERT_BATCH_MAX = 100;

/**
 * Group commit of new tasks: concurrent `insert` calls that arrive while a transaction is in flight
 * are stored together in the next one (one INSERT of the tasks, one of their events, one commit)
 * instead of four round trips and an fsync each. Every caller's promise settles only after the
 * transaction holding its task committed, so "inserted" still means stored. When a batch fails
 * (one task's idempotency key raced another request, say), its tasks are inserted one by one, so
 * each caller gets its own task's outcome, exactly as without batching.
 */
export class FileTaskInsertBatch {
  private readonly queue: Pending[] = [];
  private inFlight = 0;

  constructor(
    private readonly repo: Pick<FileTaskRepository, 'insert' | 'insertMany'>,
    /** Transactions in flight at once: one commits while the next batch is written. */
    private readonly maxInFlight = 2,
    private readonly maxBatch = INSERT_BATCH_MAX,
  ) {}

  insert(task: FileTask, events: DomainEvent[]): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ task, events, done: (e) => (e === undefined ? resolve() : reject(e)) });
      // Requests that arrive in this same turn of the event loop join the first batch.
      if (this.inFlight < this.maxInFlight) setImmediate(() => void this.drain());
    });
  }

  private async drain(): Promise<void> {
    if (this.inFlight >= this.maxInFlight || this.queue.length === 0) return;
    this.inFlight++;
    try {
      while (this.queue.length > 0) await this.write(this.queue.splice(0, this.maxBatch));
    } finally {
      this.inFlight--;
    }
  }

  private async write(batch: Pending[]): Promise<void> {
    if (batch.length > 1) {
      try {
        await this.repo.insertMany(batch);
        batch.forEach((p) => p.done());
        return;
      } catch {
        // Nothing of this batch was stored: each task again on its own, for its own outcome.
      }
    }
    for (const p of batch) {
      try {
        await this.repo.insert(p.task, p.events);
        p.done();
      } catch (e) {
        p.done(e instanceof Error ? e : new Error(String(e)));
      }
    }
  }
}

/** `repo` with its `insert` group-committed (every other method as is). */
export function batchingInserts(
  repo: FileTaskRepository,
  batch = new FileTaskInsertBatch(repo),
): FileTaskRepository {
  const batched = Object.create(repo) as FileTaskRepository;
  batched.insert = (task, events) => batch.insert(task, events);
  return batched;
}
