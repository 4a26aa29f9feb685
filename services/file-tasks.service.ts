import type { Readable } from 'node:stream';
import type { Context, ServiceSchema } from 'moleculer';
import type { AppConfig } from '../mixins/config/app-config';
import { errorsMixin } from '../mixins/errors/error-mapper';
import { adapterMixin, startedValue } from '../mixins/lifecycle/adapter.mixin';
import { databaseMixin } from '../mixins/lifecycle/database.mixin';
import { storageMixin } from '../mixins/lifecycle/storage.mixin';
import { requireUser } from '../mixins/auth/principal';
import { principalResolverOf } from '../mixins/auth/caller-identity.middleware';
import { actorOf, outboxHint } from '../mixins/operation-log/actor';
import { ulidIds } from '../mixins/auth/ulid-ids';
import { FileTaskRepository } from '../mixins/file-tasks/file-task.repository';
import { permissionReader } from '../mixins/permissions/subject';
import { downloadLinkIssuer, downloadLinksFor } from '../mixins/files/download-link';
import { storeUpload } from '../mixins/files/upload-pipeline';
import { resolveUploadRules } from '../mixins/files/upload-rules';
import type { RestMeta } from '../mixins/http/rest-meta';
import { systemClock } from '../domain/ports/clock.port';
import type { FileTaskDeps } from '../domain/file-tasks/use-cases/file-task-deps';
import { fileTaskRef, getFileTask, listFileTasks } from '../domain/file-tasks/use-cases/read-file-task';
import { deleteFileTask } from '../domain/file-tasks/use-cases/delete-file-task';
import type { DownloadLinkIssuer, UploadSource } from '../domain/files/files.ports';
import { recordUpload, uploadFile, type RecordUploadInput } from '../domain/files/use-cases/upload-file';
import { issueDownloadLink } from '../domain/files/use-cases/issue-download-link';
import { resolveDownloadTarget } from '../domain/files/use-cases/resolve-download-target';
import { recordDownload, type DownloadServed } from '../domain/files/use-cases/record-download';
import { FileErrors } from '../domain/files/file.errors';

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

const isStream = (s: unknown): s is Readable => typeof (s as Partial<Readable> | null)?.pipe === 'function';

/**
 * File tasks and files (API.md "File tasks", "Files"): each handler validates, resolves the caller
 * and calls its use case in domain/file-tasks/use-cases/ or domain/files/use-cases/.
 */
export function fileTasksService(config: AppConfig): ServiceSchema {
  const database = databaseMixin(config);
  // The repository keeps the list planner's sample and warns through the service's logger; it
  // closes after storage, before the database.
  const repo = adapterMixin(
    'the file task repository',
    async (service) => {
      const tasks = new FileTaskRepository(database.get(), { warn: (m) => service.logger.warn(m) });
      // The list planner's sample, so the first pages can already walk (a failure only delays it).
      await tasks.warmUp().catch((e: Error) => service.logger.warn(`list planner sample: ${e.message}`));
      return tasks;
    },
    (tasks) => tasks.close(),
  );
  const storage = storageMixin(config);
  const links = startedValue<DownloadLinkIssuer>('the download link issuer');

  /** The use cases' ports for one call: permission reads, unit paths and hints go through `ctx`. */
  const deps = (ctx: Context, logger: FileTaskDeps['logger']) => ({
    tasks: repo.get(),
    permissions: permissionReader(ctx),
    storage: storage.get(),
    outbox: outboxHint(ctx),
    ids: ulidIds,
    clock: systemClock,
    logger,
    units: { unitPaths: () => ctx.call<Record<string, string>>('directory.unitPaths') },
    links: links.get(),
    exportMaxAttempts: config.exports.maxAttempts,
  });

  return {
    name: 'fileTasks',
    // Adapters in the order they stop (storage, the repository, the database); they start the other way round.
    mixins: [errorsMixin, storage.mixin, repo.mixin, database.mixin],
    settings: { rest: '/' },

    actions: {
      get: {
        rest: 'GET /file-tasks/:id',
        params: { id: 'string|max:64' },
        async handler(ctx: Ctx<{ id: string }>) {
          return getFileTask(deps(ctx, this.logger), requireUser(ctx), ctx.params.id);
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
          return listFileTasks(deps(ctx, this.logger), requireUser(ctx), ctx.params);
        },
      },
      remove: {
        rest: 'DELETE /file-tasks/:id',
        successStatus: 204,
        params: { id: 'string|max:64' },
        async handler(ctx: Ctx<{ id: string }>) {
          await deleteFileTask(deps(ctx, this.logger), requireUser(ctx), actorOf(ctx), ctx.params.id);
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
        async handler(ctx: Context<Readable, UploadMeta>) {
          const stream = ctx.params;
          try {
            const user = requireUser(ctx);
            if (!isStream(stream)) throw FileErrors.fileRequired('send the file as a stream');
            const source: UploadSource = {
              rules: (bizType) => resolveUploadRules(ctx, bizType, config.http.uploadMaxBytes),
              store: (key, rules, declaredType) =>
                storeUpload(storage.get(), stream, { key, rules, declaredType }),
            };
            const view = await uploadFile(deps(ctx, this.logger), user, actorOf(ctx), source, ctx.meta);
            ctx.meta.$statusCode = 201;
            ctx.meta.$location = `/api/file-tasks/${view.id}`;
            return view;
          } catch (e) {
            // Whatever refused the upload, the caller's stream must not stay open and paused.
            if (isStream(stream) && !stream.destroyed) stream.destroy();
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
        async handler(ctx: Ctx<RecordUploadInput>) {
          return recordUpload(deps(ctx, this.logger), requireUser(ctx), actorOf(ctx), ctx.params);
        },
      },
      downloadUrl: {
        rest: 'GET /file-tasks/:id/download-url',
        params: { id: 'string|max:64' },
        async handler(ctx: Ctx<{ id: string }>) {
          const base =
            config.downloads.publicBaseUrl ??
            ctx.meta.gatewayBaseUrl ??
            `http://localhost:${config.http.port}`;
          return issueDownloadLink(
            deps(ctx, this.logger),
            requireUser(ctx),
            actorOf(ctx),
            ctx.params.id,
            base,
          );
        },
      },
      /** Internal, for the gateway's link route (the link was verified there): what to send. */
      downloadTarget: {
        visibility: 'public',
        // Called by the gateway for a signed link it has verified (the link is the credential).
        auth: 'system',
        params: { id: 'string|max:64', userId: 'string|max:256' },
        async handler(ctx: Ctx<{ id: string; userId: string }>) {
          // The link's user from this node's principal cache, grants and unit paths from the broker cache.
          const resolver = principalResolverOf(this.broker);
          const users = { current: (id: string) => resolver.currentSubject(id) };
          return resolveDownloadTarget(
            { ...deps(ctx, this.logger), users },
            ctx.params.id,
            ctx.params.userId,
          );
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
        async handler(ctx: Ctx<DownloadServed>) {
          await recordDownload(deps(ctx, this.logger), actorOf(ctx).requestId, ctx.params);
          return null;
        },
      },
      /** Internal: what the permission policy needs to know about a task (for permissions.check). */
      ref: {
        visibility: 'public',
        params: { id: 'string|max:64' },
        async handler(ctx: Ctx<{ id: string }>) {
          return fileTaskRef(deps(ctx, this.logger), ctx.params.id);
        },
      },
    },

    async started() {
      links.set(downloadLinkIssuer(downloadLinksFor(config), config.downloads.linkTtlSeconds));
    },

    stopped() {
      links.clear();
    },
  };
}
