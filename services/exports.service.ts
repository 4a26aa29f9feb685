import type { Context, ServiceSchema } from 'moleculer';
import type { AppConfig } from '../mixins/config/app-config';
import { errorsMixin } from '../mixins/errors/error-mapper';
import { databaseMixin } from '../mixins/lifecycle/database.mixin';
import { queueMixin } from '../mixins/lifecycle/queue.mixin';
import { requireUser } from '../mixins/auth/principal';
import { actorOf, outboxHint } from '../mixins/operation-log/actor';
import { ulidIds } from '../mixins/auth/ulid-ids';
import { FileTaskRepository } from '../mixins/file-tasks/file-task.repository';
import { batchingInserts } from '../mixins/file-tasks/file-task-insert-batch';
import { ExportTurnsRepository } from '../mixins/file-tasks/export-turns.repository';
import { permissionReader } from '../mixins/permissions/subject';
import { queueExportJobs, EXPORT_QUEUE } from '../mixins/export-pipeline/export-job';
import { admissionShared, exportAdmission, rowEstimator } from '../mixins/export-pipeline/export-admission';
import { progressBroadcast } from '../mixins/http/progress-hub';
import { bizTypeCatalog } from '../mixins/metadata/biz-type-lookup';
import type { RestMeta } from '../mixins/http/rest-meta';
import { requestExport, type RequestExportInput } from '../domain/exports/use-cases/request-export';
import { cancelExport } from '../domain/exports/use-cases/cancel-export';
import { previewExport } from '../domain/exports/use-cases/preview-export';
import { retryExport } from '../domain/exports/use-cases/retry-export';
import { systemClock } from '../domain/ports/clock.port';
import type { ExportJobs } from '../domain/exports/export.ports';

type Ctx<P = Record<string, unknown>> = Context<P, RestMeta>;

/**
 * Export requests (API.md "Exports"): create answers 202 at once with a PENDING task; the work runs
 * on export nodes (exportWorker). Each handler validates, resolves the caller and calls its use
 * case in domain/exports/use-cases/.
 */
export function exportsService(config: AppConfig): ServiceSchema {
  const database = databaseMixin(config);
  const exportQueue = queueMixin(config, EXPORT_QUEUE, database);
  // Concurrent requests' tasks are group-committed (mixins/file-tasks/file-task-insert-batch.ts).
  const tasks = database.derive((db) => batchingInserts(new FileTaskRepository(db)));
  const turns = database.derive((db) => new ExportTurnsRepository(db));
  const shared = database.derive((db) => admissionShared(new ExportTurnsRepository(db)));
  const jobs = exportQueue.derive((queue): ExportJobs => queueExportJobs(queue, config));

  /** The use cases' ports for one call: reads and hints go through the caller's context. */
  const deps = (ctx: Context) => ({
    tasks: tasks(),
    jobs: jobs(),
    progress: progressBroadcast(ctx),
    bizTypes: bizTypeCatalog(ctx),
    permissions: permissionReader(ctx),
    outbox: outboxHint(ctx),
    ids: ulidIds,
    clock: systemClock,
    defaultTimeZone: config.exports.defaultTimeZone,
    admission: exportAdmission(ctx, config, turns(), shared()),
  });

  return {
    name: 'exports',
    // Adapters in the order they stop (queue, then database); they start the other way round.
    mixins: [errorsMixin, exportQueue.mixin, database.mixin],
    settings: { rest: '/' },

    actions: {
      create: {
        rest: 'POST /exports',
        successStatus: 202,
        errorStatuses: [429],
        // The shapes only: the biz type decides what format, filters and columns are valid, with
        // their own error codes (domain/exports/export-request.ts).
        params: {
          bizType: 'string|min:1',
          bizDomain: 'any|optional',
          format: 'any|optional',
          filters: 'any|optional',
          columns: 'any|optional',
          idempotencyKey: 'any|optional',
          timeZone: 'any|optional',
          locale: 'any|optional',
        },
        async handler(ctx: Ctx<RequestExportInput>) {
          const task = await requestExport(deps(ctx), requireUser(ctx), actorOf(ctx), ctx.params);
          return task.toView({ maxAttempts: config.exports.maxAttempts });
        },
      },
      preview: {
        rest: 'POST /exports/preview',
        params: {
          bizType: 'string|min:1',
          format: 'any|optional',
          filters: 'any|optional',
          columns: 'any|optional',
          timeZone: 'any|optional',
          locale: 'any|optional',
        },
        async handler(ctx: Ctx<RequestExportInput>) {
          return previewExport(deps(ctx), rowEstimator(ctx), requireUser(ctx), ctx.params);
        },
      },
      cancel: {
        rest: 'POST /exports/:id/cancel',
        params: { id: 'string|max:64' },
        async handler(ctx: Ctx<{ id: string }>) {
          return (await cancelExport(deps(ctx), requireUser(ctx), actorOf(ctx), ctx.params.id)).toView({
            maxAttempts: config.exports.maxAttempts,
          });
        },
      },
      retry: {
        rest: 'POST /exports/:id/retry',
        params: { id: 'string|max:64' },
        async handler(ctx: Ctx<{ id: string }>) {
          return (await retryExport(deps(ctx), requireUser(ctx), actorOf(ctx), ctx.params.id)).toView({
            maxAttempts: config.exports.maxAttempts,
          });
        },
      },
    },
  };
}
