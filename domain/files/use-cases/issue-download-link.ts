import { committing, fileTaskEvent, type FileTaskDeps } from '../../file-tasks/use-cases/file-task-deps';
import { readableTaskWith } from '../../file-tasks/use-cases/read-file-task';
import { canDownload, canRead } from '../../permissions/policy';
import { FileTaskErrors } from '../../file-tasks/file-task.errors';
import type { Actor } from '../../shared/domain-event';
import type { Principal } from '../../shared/principal';
import { FileErrors } from '../file.errors';
import type { DownloadLinkIssuer } from '../files.ports';

/**
 * The task if `user` may read it (else the 404 of a missing one) and download it (else 403). As for
 * a read, the owner and admins are judged without their grants (the policy allows them anything on
 * the task), so those and the unit paths are fetched only for other callers.
 */
async function downloadableTask(d: Pick<FileTaskDeps, 'tasks' | 'permissions'>, user: Principal, id: string) {
  const found = await d.tasks.find(id);
  if (!found) throw FileTaskErrors.hidden();
  const ungranted = { id: user.id, roles: user.roles, unitPath: null };
  if (canRead(ungranted, found, [], noPaths) && canDownload(ungranted, found, [], noPaths)) return found;
  const { task, subject, grants, paths } = await readableTaskWith(d, user, id, found);
  if (!canDownload(subject, task, grants, paths)) throw FileErrors.downloadNotAllowed();
  return task;
}
const noPaths = () => null;

/**
 * `GET /api/file-tasks/:id/download-url`: a signed link to a stored file the caller may read and
 * download, logged as DOWNLOAD_URL_ISSUED. 404 when they may not read it, 403 when they may read
 * but not download it, 409 FILE_NOT_AVAILABLE while it has no file.
 */
export async function issueDownloadLink(
  d: Pick<FileTaskDeps, 'tasks' | 'permissions' | 'outbox' | 'ids' | 'clock'> & { links: DownloadLinkIssuer },
  user: Principal,
  actor: Actor,
  id: string,
  baseUrl: string,
): Promise<{ url: string; expiresAt: string }> {
  const task = await downloadableTask(d, user, id);
  if (!task.file || task.status !== 'SUCCESS') throw FileErrors.fileNotAvailable(task.status);
  const link = d.links.issue({ taskId: task.id, userId: user.id, baseUrl, now: d.clock.now() });
  const expiresAt = link.expiresAt.toISOString();
  const issued = fileTaskEvent(d, actor, 'DOWNLOAD_URL_ISSUED', task, {
    name: task.name,
    linkId: link.linkId,
    expiresAt,
  });
  await committing(d, () => d.tasks.logEvents([issued]));
  return { url: link.url, expiresAt };
}
