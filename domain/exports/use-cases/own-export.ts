import type { FileTask } from '../../file-tasks/file-task';
import { FileTaskErrors } from '../../file-tasks/file-task.errors';
import { canRead } from '../../permissions/policy';
import { isAdmin, type Principal } from '../../shared/principal';
import { ExportErrors } from '../export.errors';
import type { ExportDeps } from './export-deps';

/**
 * The export if the caller may change it: its creator or an ADMIN. Someone who may only read it
 * gets 403; someone who may not even read it gets the same 404 as for a missing task.
 */
export async function ownExport(
  d: Pick<ExportDeps, 'tasks' | 'permissions'>,
  user: Principal,
  id: string,
): Promise<FileTask> {
  const task = await d.tasks.find(id);
  if (!task || task.kind !== 'EXPORT') throw FileTaskErrors.hidden();
  if (task.createdBy === user.id || isAdmin(user)) return task;
  const { subject, grants, paths } = await d.permissions.inputs(user);
  if (!canRead(subject, task, grants, paths)) throw FileTaskErrors.hidden();
  throw ExportErrors.notOwned();
}
