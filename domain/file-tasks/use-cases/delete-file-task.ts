import type { Actor } from '../../shared/domain-event';
import { isAdmin, type Principal } from '../../shared/principal';
import { FileTaskErrors } from '../file-task.errors';
import { committing, fileTaskEvent, type FileTaskDeps } from './file-task-deps';
import { readableTask } from './read-file-task';

/**
 * `DELETE /api/file-tasks/:id`: its creator or an admin deletes the record (with FILE_DELETED),
 * then its object. Someone who may only read it gets 403; someone who may not even read it 404.
 */
export async function deleteFileTask(
  d: Pick<FileTaskDeps, 'tasks' | 'permissions' | 'storage' | 'outbox' | 'ids' | 'clock' | 'logger'>,
  user: Principal,
  actor: Actor,
  id: string,
): Promise<void> {
  const task = await readableTask(d, user, id);
  if (task.createdBy !== user.id && !isAdmin(user)) throw FileTaskErrors.deleteNotAllowed();
  const event = fileTaskEvent(d, actor, 'FILE_DELETED', task, {
    name: task.name,
    kind: task.kind,
    size: task.file?.size ?? null,
  });
  if (!(await committing(d, () => d.tasks.delete(task, [event])))) throw FileTaskErrors.hidden();
  // The record goes first: a crash here leaves an object with no record, which the expiry job's
  // orphan collection removes, never a record whose bytes are gone.
  const key = task.file?.storageKey;
  if (key) {
    await d.storage.delete(key).catch((e: unknown) => {
      d.logger.warn(`object ${key} of deleted task ${task.id} stays for orphan collection`, e);
    });
  }
}
