import { committing, fileTaskEvent, type FileTaskDeps } from '../../file-tasks/use-cases/file-task-deps';
import type { Actor } from '../../shared/domain-event';

/** One download through a signed link, as the gateway served it. */
export interface DownloadServed {
  id: string;
  bizType: string;
  /** The user the link was issued to: the download is logged under them. */
  userId: string;
  linkId: string;
  range?: string | null;
  redirect?: boolean;
}

/** FILE_DOWNLOADED in the operation log, for the user the link was issued to. */
export async function recordDownload(
  d: Pick<FileTaskDeps, 'tasks' | 'outbox' | 'ids' | 'clock'>,
  requestId: string | null,
  p: DownloadServed,
): Promise<void> {
  const actor: Actor = { userId: p.userId, requestId };
  const downloaded = fileTaskEvent(d, actor, 'FILE_DOWNLOADED', p, {
    linkId: p.linkId,
    range: p.range ?? null,
    redirect: p.redirect ?? false,
  });
  await committing(d, () => d.tasks.logEvents([downloaded]));
}
