import type { Context, ServiceSchema } from 'moleculer';
import type { AppConfig } from '../mixins/config/app-config';
import { errorsMixin } from '../mixins/errors/error-mapper';
import { acquireMainDatabase, releaseMainDatabase } from '../mixins/database/main-database';
import { createJobQueue } from '../mixins/queue/queue.factory';
import { requireUser } from '../mixins/auth/principal';
import { actorEvent, withOutboxHint } from '../mixins/operation-log/actor';
import { ulidIds } from '../mixins/auth/ulid-ids';
import { FileTaskRepository } from '../mixins/file-tasks/file-task.repository';
import { permissionInputs } from '../mixins/permissions/subject';
import { exportJobOptions, EXPORT_JOB, EXPORT_QUEUE } from '../mixins/export-pipeline/export-job';
import { EXPORT_PROGRESS } from '../mixins/http/progress-hub';
import { exportSpec, parseExportRequest, rowScopeUnits } from '../domain/exports/export-request';
import { exportFileName } from '../domain/exports/export-naming';
import type { ExportBizType } from '../domain/metadata/biz-type';
import { FileTask } from '../domain/file-tasks/file-task';
import { canRead } from '../domain/permissions/policy';
import { type DomainEvent } from '../domain/shared/domain-event';
import { conflict, forbidden, notFound, validationError } from '../domain/shared/errors';
import { isAdmin, type Principal } from '../domain/shared/principal';
import type { JobQueue } from '../domain/ports/job-queue.port';
import type { BizTypeView } from './metadata.service';
import type { RestMeta } from '../mixins/http/rest-meta';
import { lookupBizType } from '../mixins/metadata/biz-type-lookup';
import { isShortCode } from '../domain/shared/identifiers';
import { unknownBizType } from '../domain/files/upload-rules';
import { checkBizDomain } from '../domain/files/upload-fields';

type Ctx<P = Record<string, unknown>> = Context<P, RestMeta>;

const hidden = () => notFound('FILE_TASK_NOT_FOUND', 'no such file task');

/**
 * Export requests (API.md "Exports"): create answers 202 at once with a PENDING task; the work runs
 * on export nodes (exportWorker). Cancel and retry are guarded transitions of the task.
 */
export function exportsService(config: AppConfig): ServiceSchema {
  let repo: FileTaskRepository | null = null;
  let queue: JobQueue | null = null;

  const event = (ctx: Ctx, type: string, task: FileTask, detail: Record<string, unknown>): DomainEvent =>
    actorEvent(ctx, { type, targetType: 'FILE_TASK', targetId: task.id, bizType: task.bizType, detail });

  /** The export if the caller may act on it: its creator or an ADMIN (others: 404 or 403). */
  const ownExport = async (ctx: Ctx, user: Principal, id: string): Promise<FileTask> => {
    const task = await repo!.find(id);
    if (!task || task.kind !== 'EXPORT') throw hidden();
    if (task.createdBy === user.id || isAdmin(user)) return task;
    const { subject, grants, paths } = await permissionInputs(ctx, user);
    if (!canRead(subject, task, grants, paths)) throw hidden();
    throw forbidden('EXPORT_NOT_OWNED', 'only the requester or an administrator may change an export');
  };

  const enqueue = async (task: FileTask) => {
    await queue!.add(
      EXPORT_JOB,
      { taskId: task.id },
      exportJobOptions(task.id, task.exportAttrs.attempts, config),
    );
  };

  return {
    name: 'exports',
    mixins: [errorsMixin],
    settings: { rest: '/' },

    actions: {
      create: {
        rest: 'POST /exports',
        async handler(ctx: Ctx<Record<string, unknown>>) {
          const user = requireUser(ctx);
          const code = ctx.params.bizType;
          if (typeof code !== 'string' || code.length === 0)
            throw validationError('VALIDATION_ERROR', 'bizType is required', { field: 'bizType' });
          if (!isShortCode(code)) throw unknownBizType(code);
          const bizType = await lookupBizType<BizTypeView>(ctx, code);
          if (bizType.kind !== 'EXPORT')
            throw validationError('BIZ_TYPE_NOT_EXPORTABLE', `${code} is not an export biz type`, {
              field: 'bizType',
            });
          const b = bizType as ExportBizType;
          const { subject, grants, unitPaths } = await permissionInputs(ctx, user);
          const req = parseExportRequest(b, ctx.params, subject, grants);

          // Idempotency first (the same key returns the same task, whatever its state), then a
          // merge with an identical request still in flight.
          if (req.idempotencyKey) {
            const same = await repo!.findByIdempotencyKey(user.id, req.idempotencyKey);
            if (same) {
              // The hash covers the biz type, format, filters and columns.
              if (same.exportAttrs.requestHash !== req.requestHash)
                throw conflict('IDEMPOTENCY_KEY_REUSED', 'this idempotencyKey was used for another request');
              ctx.meta.$statusCode = 202;
              return same.toView();
            }
          }
          // Merged only without a key: a keyed request is stored under its key, so repeating the key
          // later still finds it.
          const inFlight = req.idempotencyKey ? null : await repo!.findInFlight(user.id, req.requestHash);
          if (inFlight) {
            ctx.meta.$statusCode = 202;
            return inFlight.toView();
          }

          const now = new Date();
          const task = FileTask.exportRequested({
            id: ulidIds.next(),
            bizType: b.code,
            bizDomain: checkBizDomain(ctx.params.bizDomain),
            name: exportFileName(b, req.format, now),
            createdBy: user.id,
            unitId: user.unitId,
            unitPath: subject.unitPath,
            format: req.format,
            spec: exportSpec(req, user, rowScopeUnits(b, user, unitPaths)),
            idempotencyKey: req.idempotencyKey,
            requestHash: req.requestHash,
            now,
          });
          const requested = event(ctx, 'EXPORT_REQUESTED', task, {
            format: req.format,
            filters: req.filters,
            columns: req.columns,
          });
          try {
            await withOutboxHint(ctx, () => repo!.insert(task, [requested]));
          } catch (e) {
            // Two requests with one idempotency key raced: the loser answers the winner's task.
            const same = req.idempotencyKey
              ? await repo!.findByIdempotencyKey(user.id, req.idempotencyKey)
              : null;
            if (!same) throw e;
            if (same.exportAttrs.requestHash !== req.requestHash)
              throw conflict('IDEMPOTENCY_KEY_REUSED', 'this idempotencyKey was used for another request');
            ctx.meta.$statusCode = 202;
            return same.toView();
          }
          // A crash between the insert and this add leaves a PENDING task with no job: the
          // compensation job finds it and enqueues it (same job id, so never twice).
          await enqueue(task);
          ctx.meta.$statusCode = 202;
          return task.toView();
        },
      },
      cancel: {
        rest: 'POST /exports/:id/cancel',
        params: { id: 'string|max:64' },
        async handler(ctx: Ctx<{ id: string }>) {
          const user = requireUser(ctx);
          for (let i = 0; i < 5; i++) {
            const task = await ownExport(ctx, user, ctx.params.id);
            if (task.status === 'CANCELLED') return task.toView();
            const from = { status: task.status, version: task.version };
            task.cancel(new Date());
            const ev = event(ctx, 'EXPORT_CANCELLED', task, { from: from.status });
            if (await withOutboxHint(ctx, () => repo!.transition(task, from, [ev]))) {
              await ctx.broadcast(EXPORT_PROGRESS, { taskId: task.id, status: 'CANCELLED' });
              return task.toView();
            }
          }
          throw conflict('CONCURRENT_CHANGE', 'the export changed while cancelling; try again');
        },
      },
      retry: {
        rest: 'POST /exports/:id/retry',
        params: { id: 'string|max:64' },
        async handler(ctx: Ctx<{ id: string }>) {
          const user = requireUser(ctx);
          const task = await ownExport(ctx, user, ctx.params.id);
          const from = { status: task.status, version: task.version };
          task.retry(new Date());
          const ev = event(ctx, 'EXPORT_REQUESTED', task, {
            retry: true,
            attempts: task.exportAttrs.attempts,
          });
          if (!(await withOutboxHint(ctx, () => repo!.transition(task, from, [ev]))))
            throw conflict('CONCURRENT_CHANGE', 'the export changed; reload it');
          await enqueue(task);
          return task.toView();
        },
      },
    },

    async started() {
      const db = await acquireMainDatabase(config.database);
      repo = new FileTaskRepository(db);
      queue = createJobQueue(config, EXPORT_QUEUE, db);
      await queue.start();
    },

    async stopped() {
      await queue?.stop();
      await releaseMainDatabase(config.database);
    },
  };
}
