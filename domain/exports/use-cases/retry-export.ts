import type { FileTask } from '../../file-tasks/file-task';
import { FileTaskErrors } from '../../file-tasks/file-task.errors';
import type { Principal } from '../../shared/principal';
import { committing, exportEvent, type ExportActor, type ExportDeps } from './export-deps';
import { ownExport } from './own-export';

/** FAILED → PENDING on request (attempts are kept), and a job for the new round. */
export async function retryExport(
  d: Pick<ExportDeps, 'tasks' | 'permissions' | 'jobs' | 'outbox' | 'ids' | 'clock'>,
  user: Principal,
  actor: ExportActor,
  id: string,
): Promise<FileTask> {
  const task = await ownExport(d, user, id);
  const from = { status: task.status, version: task.version };
  task.retry(d.clock.now());
  const ev = exportEvent(d, actor, 'EXPORT_REQUESTED', task, {
    retry: true,
    attempts: task.exportAttrs.attempts,
  });
  if (!(await committing(d, () => d.tasks.transition(task, from, [ev]))))
    throw FileTaskErrors.concurrentChange('the export changed; reload it');
  await d.jobs.enqueue(task);
  return task;
}
