import type { FileTask } from '../../file-tasks/file-task';
import { FileTaskErrors } from '../../file-tasks/file-task.errors';
import type { Principal } from '../../shared/principal';
import { committing, exportEvent, type ExportActor, type ExportDeps } from './export-deps';
import { ownExport } from './own-export';

/** Tries before giving up on a task that keeps changing under the cancel (progress heartbeats do not count). */
const CANCEL_TRIES = 5;

/**
 * PENDING or EXPORTING → CANCELLED (idempotent on a cancelled task). A running export notices at
 * its next heartbeat and publishes nothing.
 */
export async function cancelExport(
  d: Pick<ExportDeps, 'tasks' | 'permissions' | 'progress' | 'outbox' | 'ids' | 'clock'>,
  user: Principal,
  actor: ExportActor,
  id: string,
): Promise<FileTask> {
  for (let i = 0; i < CANCEL_TRIES; i++) {
    const task = await ownExport(d, user, id);
    if (task.status === 'CANCELLED') return task;
    const from = { status: task.status, version: task.version };
    task.cancel(d.clock.now());
    const ev = exportEvent(d, actor, 'EXPORT_CANCELLED', task, { from: from.status });
    if (await committing(d, () => d.tasks.transition(task, from, [ev]))) {
      await d.progress.publish({ taskId: task.id, status: 'CANCELLED' });
      return task;
    }
  }
  throw FileTaskErrors.concurrentChange('the export changed while cancelling; try again');
}
