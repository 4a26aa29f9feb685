import type { UserLookup } from '../../directory/directory.ports';
import { FileTaskErrors } from '../../file-tasks/file-task.errors';
import type { FileTaskDeps } from '../../file-tasks/use-cases/file-task-deps';
import { canDownload, canRead } from '../../permissions/policy';
import { FileErrors } from '../file.errors';

/**
 * What a verified signed link sends. The link proves what was allowed when it was minted; the
 * download needs it still to be: the task must still hold its file, and the link's user must
 * exist, be enabled and still be allowed to read and download it.
 */
export async function resolveDownloadTarget(
  d: Pick<FileTaskDeps, 'tasks' | 'permissions'> & { users: UserLookup },
  id: string,
  userId: string,
) {
  const task = await d.tasks.find(id);
  // A task deleted (or expired) after its link was issued: the link leads nowhere.
  if (!task?.file || task.status !== 'SUCCESS') throw FileTaskErrors.hidden();
  const user = await d.users.current(userId);
  if (!user || user.disabled) throw FileErrors.downloadLinkRevoked();
  const { subject, grants, paths } = await d.permissions.inputs(user);
  if (!canRead(subject, task, grants, paths) || !canDownload(subject, task, grants, paths))
    throw FileErrors.downloadNotAllowed('the user of this link may no longer download this file');
  return { id: task.id, name: task.name, bizType: task.bizType, ...task.file };
}
