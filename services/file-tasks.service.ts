import type { Readable } from 'node:stream';
import type { Context, ServiceSchema } from 'moleculer';
import type { AppConfig } from '../mixins/config/app-config';
import { errorsMixin } from '../mixins/errors/error-mapper';
import { acquireMainDatabase, releaseMainDatabase } from '../mixins/database/main-database';
import { requireUser } from '../mixins/auth/principal';
import { principalResolverOf } from '../mixins/auth/caller-identity.middleware';
import { actorEvent, withOutboxHint } from '../mixins/operation-log/actor';
import { ulidIds } from '../mixins/auth/ulid-ids';
import { FileTaskRepository } from '../mixins/file-tasks/file-task.repository';
import { permissionInputs } from '../mixins/permissions/subject';
import { createObjectStorage } from '../mixins/storage/storage.factory';
import { DownloadLinks, downloadLinksFor } from '../mixins/files/download-link';
import { storeUpload, uploadKey } from '../mixins/files/upload-pipeline';
import { resolveUploadRules } from '../mixins/files/upload-rules';
import { parseFileTaskList } from '../domain/file-tasks/list-query';
import { canDownload, canRead, readFilter, subtreeUnits } from '../domain/permissions/policy';
import { sanitizeFileName } from '../domain/files/file-name';
import { checkBizDomain, uploadName } from '../domain/files/upload-fields';
import { isAdmin, type Principal } from '../domain/shared/principal';
import type { ObjectStorage } from '../domain/ports/object-storage.port';
import { FileTask, type StoredFile } from '../domain/file-tasks/file-task';
import type { RestMeta } from '../mixins/http/rest-meta';
import { FileErrors } from '../domain/files/file.errors';
import { FileTaskErrors } from '../domain/file-tasks/file-task.errors';

interface Meta extends RestMeta {
  /** The gateway's own origin, for links when PUBLIC_BASE_URL is unset. */
  gatewayBaseUrl?: string;
}
type Ctx<P = Record<string, unknown>> = Context<P, Meta>;

/** What fileTasks.upload reads from ctx.meta next to the stream (the multipart fields of POST /api/files). */
interface UploadMeta extends Meta {
  bizType?: unknown;
  bizDomain?: unknown;
  name?: unknown;
  filename?: unknown;
  contentType?: unknown;
}

interface RecordUploadParams {
  id: string;
  bizType: string;
  bizDomain?: string | null;
  name: string;
  file: StoredFile;
}

const hidden = FileTaskErrors.hidden;
const ownsOrAdmin = (user: Principal, task: FileTask) => task.createdBy === user.id || isAdmin(user);

export function fileTasksService(config: AppConfig): ServiceSchema {
  let repo: FileTaskRepository | null = null;
  let storage: ObjectStorage | null = null;

  /**
   * The task if `user` may read it, else the same 404 as a missing one. Grants only widen what a
   * caller sees, so when the policy already allows the read without any (the owner, an admin) the
   * grants and unit paths are not fetched: two calls fewer per request on the hot path.
   */
  const readable = async (ctx: Ctx, user: Principal, id: string): Promise<FileTask> => {
    const task = await repo!.find(id);
    if (!task) throw hidden();
    if (canRead({ id: user.id, roles: user.roles, unitPath: null }, task, [], () => null)) return task;
    const inputs = await permissionInputs(ctx, user);
    if (!canRead(inputs.subject, task, inputs.grants, inputs.paths)) throw hidden();
    return task;
  };

  /** The same, with the permission inputs it was judged by, for a further check on them. */
  const readableWith = async (ctx: Ctx, user: Principal, id: string) => {
    const task = await repo!.find(id);
    if (!task) throw hidden();
    const inputs = await permissionInputs(ctx, user);
    if (!canRead(inputs.subject, task, inputs.grants, inputs.paths)) throw hidden();
    return { task, ...inputs };
  };

  let links: DownloadLinks | null = null;

  /** Writes the record of stored bytes and its FILE_UPLOADED event in one transaction. */
  const recordUpload = async (ctx: Context<unknown, Meta>, p: RecordUploadParams) => {
    const user = requireUser(ctx);
    const unitPaths = await ctx.call<Record<string, string>>('directory.unitPaths');
    const task = FileTask.uploaded({
      id: p.id,
      bizType: p.bizType,
      bizDomain: checkBizDomain(p.bizDomain),
      name: sanitizeFileName(p.name),
      createdBy: user.id,
      unitId: user.unitId,
      unitPath: user.unitId ? (unitPaths[user.unitId] ?? null) : null,
      file: p.file,
      now: new Date(),
    });
    const uploaded = actorEvent(ctx, {
      type: 'FILE_UPLOADED',
      targetType: 'FILE_TASK',
      targetId: task.id,
      bizType: task.bizType,
      detail: { name: task.name, size: p.file.size, sha256: p.file.sha256, contentType: p.file.contentType },
    });
    try {
      await withOutboxHint(ctx, () => repo!.insert(task, [uploaded]));
    } catch (e) {
      // A retried call (the first answer lost on the way back) finds its own record: same answer.
      const existing = await repo!.find(p.id).catch(() => null);
      if (existing?.file?.storageKey === p.file.storageKey && existing.createdBy === user.id) {
        return existing.toView();
      }
      throw e;
    }
    return task.toView();
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
          const user = requireUser(ctx);
          const task = await readable(ctx, user, ctx.params.id);
          return task.toView({ withManifest: ownsOrAdmin(user, task) });
        },
      },
      list: {
        rest: 'GET /file-tasks',
        // Shapes for the API description; parseFileTaskList judges the values with its own codes.
        params: {
          kind: { type: 'any', optional: true, openapi: { enum: ['FILE', 'EXPORT'] } },
          bizType: 'any|optional',
          status: {
            type: 'any',
            optional: true,
            openapi: { enum: ['PENDING', 'EXPORTING', 'SUCCESS', 'FAILED', 'CANCELLED', 'EXPIRED'] },
          },
          createdBy: 'any|optional',
          from: { type: 'any', optional: true, openapi: { type: 'string', format: 'date-time' } },
          to: { type: 'any', optional: true, openapi: { type: 'string', format: 'date-time' } },
          q: 'any|optional',
          limit: { type: 'any', optional: true, openapi: { type: 'integer', minimum: 1, maximum: 200 } },
          cursor: 'any|optional',
        },
        async handler(ctx: Ctx) {
          const user = requireUser(ctx);
          const query = parseFileTaskList(ctx.params);
          const { subject, grants, paths, unitPaths } = await permissionInputs(ctx, user);
          const filter = readFilter(subject, grants, paths, subtreeUnits(unitPaths));
          const page = await repo!.list(query, filter);
          return {
            items: page.items.map((t) => t.toView({ withManifest: ownsOrAdmin(user, t) })),
            nextCursor: page.nextCursor,
          };
        },
      },
      remove: {
        rest: 'DELETE /file-tasks/:id',
        params: { id: 'string|max:64' },
        async handler(ctx: Ctx<{ id: string }>) {
          const user = requireUser(ctx);
          const task = await readable(ctx, user, ctx.params.id);
          if (task.createdBy !== user.id && !isAdmin(user)) {
            throw FileTaskErrors.deleteNotAllowed();
          }
          const event = actorEvent(ctx, {
            type: 'FILE_DELETED',
            targetType: 'FILE_TASK',
            targetId: task.id,
            bizType: task.bizType,
            detail: { name: task.name, kind: task.kind, size: task.file?.size ?? null },
          });
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
      /**
       * Upload from a business service: the file as a Moleculer stream, the fields in ctx.meta
       * (`bizType`, `name` or `filename`, optional `bizDomain` and `contentType`, and `user`). Over a
       * transporter a stream has no backpressure: callers on another node should send modest files
       * or use POST /api/files, which streams straight into storage on the gateway.
       */
      upload: {
        visibility: 'public',
        async handler(this: { logger: Context['broker']['logger'] }, ctx: Context<Readable, UploadMeta>) {
          const stream = ctx.params;
          try {
            requireUser(ctx);
            if (!stream || typeof (stream as Partial<Readable>).pipe !== 'function') {
              throw FileErrors.fileRequired('send the file as a stream');
            }
            const name = uploadName(ctx.meta.name, ctx.meta.filename);
            const bizDomain = checkBizDomain(ctx.meta.bizDomain);
            const rules = await resolveUploadRules(ctx, ctx.meta.bizType, config.http.uploadMaxBytes);
            const id = ulidIds.next();
            const declared = typeof ctx.meta.contentType === 'string' ? ctx.meta.contentType : null;
            const file = await storeUpload(storage!, stream, {
              key: uploadKey(id, new Date()),
              rules,
              declaredType: declared,
            });
            try {
              const view = await recordUpload(ctx, { id, bizType: rules.bizType, bizDomain, name, file });
              ctx.meta.$statusCode = 201;
              ctx.meta.$location = `/api/file-tasks/${view.id}`;
              return view;
            } catch (e) {
              await storage!.delete(file.storageKey).catch((err: unknown) => {
                this.logger.warn(`object ${file.storageKey} stays for orphan collection`, err);
              });
              throw e;
            }
          } catch (e) {
            // Whatever refused the upload, the caller's stream must not stay open and paused.
            if (stream && typeof (stream as Partial<Readable>).destroy === 'function' && !stream.destroyed) {
              stream.destroy();
            }
            throw e;
          }
        },
      },
      /**
       * Internal, for the gateway's multipart route: the bytes are already in storage under
       * `file.storageKey`; this writes the record and FILE_UPLOADED. On failure the gateway deletes
       * the object.
       */
      recordUpload: {
        visibility: 'public',
        params: {
          id: 'string|max:64',
          bizType: 'string|max:64',
          bizDomain: { type: 'string', max: 64, optional: true, nullable: true },
          name: 'string|max:1024',
          file: {
            type: 'object',
            strict: 'remove',
            props: {
              storageKey: 'string|max:512',
              size: 'number|integer|min:0',
              sha256: 'string|length:64',
              contentType: 'string|max:127',
            },
          },
        },
        async handler(ctx: Ctx<RecordUploadParams>) {
          return recordUpload(ctx, ctx.params);
        },
      },
      downloadUrl: {
        rest: 'GET /file-tasks/:id/download-url',
        params: { id: 'string|max:64' },
        async handler(ctx: Ctx<{ id: string }>) {
          const user = requireUser(ctx);
          const { task, subject, grants, paths } = await readableWith(ctx, user, ctx.params.id);
          if (!canDownload(subject, task, grants, paths)) {
            throw FileErrors.downloadNotAllowed();
          }
          if (!task.file || task.status !== 'SUCCESS') {
            throw FileErrors.fileNotAvailable(task.status);
          }
          const expiresAt = DownloadLinks.expiresIn(config.downloads.linkTtlSeconds);
          const { token, linkId } = links!.issue({ taskId: task.id, userId: user.id, expiresAt });
          const base =
            config.downloads.publicBaseUrl ??
            ctx.meta.gatewayBaseUrl ??
            `http://localhost:${config.http.port}`;
          const issued = actorEvent(ctx, {
            type: 'DOWNLOAD_URL_ISSUED',
            targetType: 'FILE_TASK',
            targetId: task.id,
            bizType: task.bizType,
            detail: { name: task.name, linkId, expiresAt: expiresAt.toISOString() },
          });
          await withOutboxHint(ctx, () => repo!.logEvents([issued]));
          return { url: links!.url(base, task.id, token), expiresAt: expiresAt.toISOString() };
        },
      },
      /** Internal, for the gateway's link route (the link was verified there): what to send. */
      downloadTarget: {
        visibility: 'public',
        // Called by the gateway for a signed link it has verified (the link is the credential).
        auth: 'system',
        params: { id: 'string|max:64', userId: 'string|max:256' },
        async handler(ctx: Ctx<{ id: string; userId: string }>) {
          const task = await repo!.find(ctx.params.id);
          // A task deleted (or expired) after its link was issued: the link leads nowhere.
          if (!task?.file || task.status !== 'SUCCESS') throw hidden();
          // The link proves what was allowed when it was minted; the download needs it still to be:
          // its user must exist, be enabled and still be allowed to download this task. Cheap: the
          // user from this node's principal cache, grants and unit paths from the broker cache.
          const user = await principalResolverOf(this.broker).currentSubject(ctx.params.userId);
          if (!user || user.disabled) throw FileErrors.downloadLinkRevoked();
          const inputs = await permissionInputs(ctx, user);
          if (
            !canRead(inputs.subject, task, inputs.grants, inputs.paths) ||
            !canDownload(inputs.subject, task, inputs.grants, inputs.paths)
          )
            throw FileErrors.downloadNotAllowed('the user of this link may no longer download this file');
          return { id: task.id, name: task.name, bizType: task.bizType, ...task.file };
        },
      },
      /** Internal: FILE_DOWNLOADED, for the user the link was issued to. */
      recordDownload: {
        visibility: 'public',
        // Called by the gateway for a signed link it has verified (the link is the credential).
        auth: 'system',
        params: {
          id: 'string|max:64',
          bizType: 'string|max:64',
          userId: 'string|max:64',
          linkId: 'string|max:64',
          range: { type: 'string', max: 64, optional: true, nullable: true },
          redirect: { type: 'boolean', optional: true },
        },
        async handler(
          ctx: Ctx<{
            id: string;
            bizType: string;
            userId: string;
            linkId: string;
            range?: string | null;
            redirect?: boolean;
          }>,
        ) {
          const p = ctx.params;
          const downloaded = actorEvent(
            ctx,
            {
              type: 'FILE_DOWNLOADED',
              targetType: 'FILE_TASK',
              targetId: p.id,
              bizType: p.bizType,
              detail: { linkId: p.linkId, range: p.range ?? null, redirect: p.redirect ?? false },
            },
            p.userId,
          );
          await withOutboxHint(ctx, () => repo!.logEvents([downloaded]));
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
      repo = new FileTaskRepository(await acquireMainDatabase(config.database), {
        warn: (m) => this.logger.warn(m),
      });
      // The list planner's sample, so the first pages can already walk (a failure only delays it).
      await repo.warmUp().catch((e: Error) => this.logger.warn(`list planner sample: ${e.message}`));
      storage = createObjectStorage(config);
      await storage.start();
      links = downloadLinksFor(config);
    },

    async stopped() {
      await storage?.stop();
      await repo?.close();
      await releaseMainDatabase(config.database);
    },
  };
}
