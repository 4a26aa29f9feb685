import { committing, fileTaskEvent, type FileTaskDeps } from '../../file-tasks/use-cases/file-task-deps';
import { readableTaskWith } from '../../file-tasks/use-cases/read-file-task';
import { canDownload } from '../../permissions/policy';
import type { Actor } from '../../shared/domain-event';
import type { Principal } from '../../shared/principal';
import { FileErrors } from '../file.errors';
import type { DownloadLinkIssuer } from '../files.ports';

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
  const { task, subject, grants, paths } = await readableTaskWith(d, user, id);
  if (!canDownload(subject, task, grants, paths)) throw FileErrors.downloadNotAllowed();
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
