import type { FileTask } from '../../domain/file-tasks/file-task';
import type { DomainEvent } from '../../domain/shared/domain-event';
import type { FileTaskRepository } from './file-task.repository';
import { GroupCommit } from '../database/group-commit';

/** New tasks per transaction at most (a multi-row INSERT stays well under SQLite's 32,766 parameters). */
export const INSERT_BATCH_MAX = 100;

/**
 * Group commit of new tasks (database/group-commit.ts): concurrent `insert` calls are stored
 * together (one INSERT of the tasks, one of their events, one commit) instead of four round trips
 * and an fsync each. When a batch fails (one task's idempotency key raced another request, say),
 * its tasks are inserted one by one, so each caller gets its own task's outcome.
 */
export class FileTaskInsertBatch {
  private readonly commits: GroupCommit<{ task: FileTask; events: DomainEvent[] }>;

  constructor(
    repo: Pick<FileTaskRepository, 'insert' | 'insertMany'>,
    /** Transactions in flight at once: one commits while the next batch is written. */
    maxInFlight = 2,
    maxBatch = INSERT_BATCH_MAX,
  ) {
    this.commits = new GroupCommit(
      (items) => repo.insertMany(items),
      (p) => repo.insert(p.task, p.events),
      maxInFlight,
      maxBatch,
    );
  }

  insert(task: FileTask, events: DomainEvent[]): Promise<void> {
    return this.commits.add({ task, events });
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
