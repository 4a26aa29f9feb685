import type { Context, ServiceSchema } from 'moleculer';
import type { AppConfig } from '../mixins/config/app-config';
import { errorsMixin } from '../mixins/errors/error-mapper';
import { acquireMainDatabase, releaseMainDatabase } from '../mixins/database/main-database';
import { requireUser } from '../mixins/auth/principal';
import { actorOf, withOutboxHint } from '../mixins/operation-log/actor';
import { ulidIds } from '../mixins/auth/ulid-ids';
import { FileTaskRepository } from '../mixins/file-tasks/file-task.repository';
import { permissionInputs } from '../mixins/permissions/subject';
import { createObjectStorage } from '../mixins/storage/storage.factory';
import { parseFileTaskList } from '../domain/file-tasks/list-query';
import { canRead, readFilter } from '../domain/permissions/policy';
import { domainEvent } from '../domain/shared/domain-event';
import { forbidden, notFound } from '../domain/shared/errors';
import { isAdmin, type Principal } from '../domain/shared/principal';
import type { ObjectStorage } from '../domain/ports/object-storage.port';
import type { FileTask } from '../domain/file-tasks/file-task';

type Ctx<P = Record<string, unknown>> = Context<P, { user?: Principal | null; $statusCode?: number }>;

const hidden = () => notFound('FILE_TASK_NOT_FOUND', 'no such file task');

/**
 * File tasks (API.md "File tasks"): get, list and delete under the permission rules. A task the
 * caller may not read answers 404, never revealing that it exists. Uploads and download links
 * build on this service.
 */
export function fileTasksService(config: AppConfig): ServiceSchema {
  let repo: FileTaskRepository | null = null;
  let storage: ObjectStorage | null = null;

  /** The task if `user` may read it, else the same 404 as a missing one. */
  const readable = async (ctx: Ctx, user: Principal, id: string): Promise<FileTask> => {
    const task = await repo!.find(id);
    if (!task) throw hidden();
    const { subject, grants, paths } = await permissionInputs(ctx, user);
    if (!canRead(subject, task, grants, paths)) throw hidden();
    return task;
  };

  return {
    name: 'fileTasks',
    mixins: [errorsMixin],
    settings: { rest: '/' },

    actions: {
      get: {
        rest: 'GET /file-tasks/:id',
        params: { id: 'string|max:64' },
        async handler(ctx: Ctx<{ id: string }>) {
          return (await readable(ctx, requireUser(ctx), ctx.params.id)).toView();
        },
      },
      list: {
        rest: 'GET /file-tasks',
        async handler(ctx: Ctx) {
          const user = requireUser(ctx);
          const query = parseFileTaskList(ctx.params);
          const { subject, grants, paths } = await permissionInputs(ctx, user);
          const page = await repo!.list(query, readFilter(subject, grants, paths));
          return { items: page.items.map((t) => t.toView()), nextCursor: page.nextCursor };
        },
      },
      remove: {
        rest: 'DELETE /file-tasks/:id',
        params: { id: 'string|max:64' },
        async handler(ctx: Ctx<{ id: string }>) {
          const user = requireUser(ctx);
          const task = await readable(ctx, user, ctx.params.id);
          if (task.createdBy !== user.id && !isAdmin(user)) {
            throw forbidden(
              'DELETE_NOT_ALLOWED',
              'only the creator or an administrator may delete a file task',
            );
          }
          const actor = actorOf(ctx);
          const event = domainEvent(
            {
              type: 'FILE_DELETED',
              userId: actor.userId,
              requestId: actor.requestId,
              targetType: 'FILE_TASK',
              targetId: task.id,
              bizType: task.bizType,
              detail: { name: task.name, kind: task.kind, size: task.file?.size ?? null },
            },
            ulidIds.next(),
            new Date(),
          );
          const deleted = await withOutboxHint(ctx, () => repo!.delete(task, [event]));
          if (!deleted) throw hidden();
          // The record goes first: a crash here leaves an object with no record, which the expiry
          // job's orphan collection removes, never a record whose bytes are gone.
          if (task.file) {
            await storage!.delete(task.file.storageKey).catch((e: unknown) => {
              this.logger.warn(
                `object ${task.file!.storageKey} of deleted task ${task.id} stays for orphan collection`,
                e,
              );
            });
          }
          ctx.meta.$statusCode = 204;
          return null;
        },
      },
      /** Internal: what the permission policy needs to know about a task (for permissions.check). */
      ref: {
        visibility: 'public',
        params: { id: 'string|max:64' },
        async handler(ctx: Ctx<{ id: string }>) {
          const task = await repo!.find(ctx.params.id);
          return task ? { bizType: task.bizType, createdBy: task.createdBy, unitPath: task.unitPath } : null;
        },
      },
    },

    async started() {
      repo = new FileTaskRepository(await acquireMainDatabase(config.database));
      storage = createObjectStorage(config);
      await storage.start();
    },

    async stopped() {
      await storage?.stop();
      await releaseMainDatabase(config.database);
    },
  };
}
