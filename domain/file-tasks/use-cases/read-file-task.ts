import type { PermissionInputs } from '../../permissions/permission.ports';
import { canRead, readFilter, subtreeUnits } from '../../permissions/policy';
import { isAdmin, type Principal } from '../../shared/principal';
import type { FileTask } from '../file-task';
import { FileTaskErrors } from '../file-task.errors';
import { parseFileTaskList } from '../list-query';
import type { FileTaskDeps } from './file-task-deps';

type ReadDeps = Pick<FileTaskDeps, 'tasks' | 'permissions'>;
/** A view also says whether a FAILED export will run again, which takes the attempts limit. */
type ViewDeps = ReadDeps & Pick<FileTaskDeps, 'exportMaxAttempts'>;

/** The creator and admins see an export's manifest; readers through a grant do not. */
const ownsOrAdmin = (user: Principal, task: FileTask) => task.createdBy === user.id || isAdmin(user);

/**
 * The task if `user` may read it, else the same 404 as a missing one. Grants only widen what a
 * caller sees, so when the policy already allows the read without any (the owner, an admin) the
 * grants and unit paths are not fetched: two calls fewer per request on the hot path.
 */
export async function readableTask(d: ReadDeps, user: Principal, id: string): Promise<FileTask> {
  const task = await d.tasks.find(id);
  if (!task) throw FileTaskErrors.hidden();
  if (canRead({ id: user.id, roles: user.roles, unitPath: null }, task, [], () => null)) return task;
  const inputs = await d.permissions.inputs(user);
  if (!canRead(inputs.subject, task, inputs.grants, inputs.paths)) throw FileTaskErrors.hidden();
  return task;
}

/**
 * The same, with the permission inputs it was judged by, for a further check on them (`found`: the
 * task already read by the caller, not read again).
 */
export async function readableTaskWith(
  d: ReadDeps,
  user: Principal,
  id: string,
  found?: FileTask,
): Promise<{ task: FileTask } & PermissionInputs> {
  const task = found ?? (await d.tasks.find(id));
  if (!task) throw FileTaskErrors.hidden();
  const inputs = await d.permissions.inputs(user);
  if (!canRead(inputs.subject, task, inputs.grants, inputs.paths)) throw FileTaskErrors.hidden();
  return { task, ...inputs };
}

/** `GET /api/file-tasks/:id`: the task's view (with the manifest for its creator or an admin). */
export async function getFileTask(d: ViewDeps, user: Principal, id: string) {
  const task = await readableTask(d, user, id);
  return task.toView({ withManifest: ownsOrAdmin(user, task), maxAttempts: d.exportMaxAttempts });
}

/**
 * `GET /api/file-tasks`: one page of the tasks the caller may read, newest first. The permission
 * filter goes to the repository, so a page never holds a task the caller may not see.
 */
export async function listFileTasks(d: ViewDeps, user: Principal, raw: Record<string, unknown>) {
  const query = parseFileTaskList(raw);
  const { subject, grants, paths, unitPaths } = await d.permissions.inputs(user);
  const page = await d.tasks.list(query, readFilter(subject, grants, paths, subtreeUnits(unitPaths)));
  return {
    items: page.items.map((t) =>
      t.toView({ withManifest: ownsOrAdmin(user, t), maxAttempts: d.exportMaxAttempts }),
    ),
    nextCursor: page.nextCursor,
  };
}

/** What the permission policy needs to know about a task (permissions.check); null when missing. */
export async function fileTaskRef(d: Pick<FileTaskDeps, 'tasks'>, id: string) {
  const task = await d.tasks.find(id);
  return task ? { bizType: task.bizType, createdBy: task.createdBy, unitPath: task.unitPath } : null;
}
