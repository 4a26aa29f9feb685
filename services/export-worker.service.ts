import type { Context, ServiceSchema } from 'moleculer';
import type { AppConfig } from '../mixins/config/app-config';
import { errorsMixin } from '../mixins/errors/error-mapper';
import { acquireMainDatabase, releaseMainDatabase } from '../mixins/database/main-database';
import { createJobQueue } from '../mixins/queue/queue.factory';
import { createObjectStorage } from '../mixins/storage/storage.factory';
import { ulidIds } from '../mixins/auth/ulid-ids';
import { withOutboxHint } from '../mixins/operation-log/actor';
import { asSystem } from '../mixins/auth/caller-identity.middleware';
import { FileTaskRepository } from '../mixins/file-tasks/file-task.repository';
import { permissionInputs } from '../mixins/permissions/subject';
import {
  EXPORT_JOB,
  EXPORT_QUEUE,
  outageJobId,
  type ExportJobData,
} from '../mixins/export-pipeline/export-job';
import { runExport } from '../mixins/export-pipeline/coordinator';
import { READ_CHUNK_ACTION_NAME, type ReadChunkParams } from '../mixins/export-pipeline/chunk-read.contract';
import { readChunk } from '../mixins/export-pipeline/chunk-reader';
import { registerDataHandler } from '../mixins/export-pipeline/data-handlers/registry';
import { sqlDataHandler } from '../mixins/export-pipeline/data-handlers/sql.handler';
import { actionDataHandler } from '../mixins/export-pipeline/data-handlers/action.handler';
import { SourcePool } from '../mixins/export-pipeline/data-handlers/source-pool';
import { EXPORT_PROGRESS } from '../mixins/http/progress-hub';
import {
  ExportFailure,
  ExportStopped,
  classifyExportError,
  outageRetry,
  type OutageDecision,
  type OutageState,
} from '../domain/exports/export-failure';
import { FileTask } from '../domain/file-tasks/file-task';
import type { Principal } from '../domain/shared/principal';
import { canExport, exportableColumns } from '../domain/permissions/policy';
import { rowScopeStillAllowed, rowScopeUnits } from '../domain/exports/export-request';
import { domainEvent } from '../domain/shared/domain-event';
import type { JobInfo, JobQueue } from '../domain/ports/job-queue.port';
import type { ObjectStorage } from '../domain/ports/object-storage.port';
import type { BizTypeView } from './metadata.service';

/**
 * The export node (SERVICES=export, scales horizontally): runs export jobs as coordinators and
 * serves chunk reads (`readChunk`) to the coordinators of every node.
 */
export function exportWorkerService(config: AppConfig): ServiceSchema {
  let queue: JobQueue | null = null;
  let storage: ObjectStorage | null = null;
  let repo: FileTaskRepository | null = null;
  let pool: SourcePool | null = null;
  // Test hook for the crash test: this node dies (SIGKILL) while serving its Nth chunk read.
  const exitAfterReads = Number(process.env.FTC_TEST_EXIT_AFTER_READS ?? 0);
  let reads = 0;

  return {
    name: 'exportWorker',
    mixins: [errorsMixin],
    // An export needs its biz type, the requester's grants and unit tree: take no job before the
    // core services are reachable (a fresh export node would otherwise fail its first jobs).
    dependencies: ['metadata', 'permissions', 'directory'],

    actions: {
      /** A chunk reader: one batch of a key range, mapped, masked and neutralised. */
      [READ_CHUNK_ACTION_NAME]: {
        visibility: 'public',
        // It trusts the scope it is handed (the coordinator checked the requester's grants).
        auth: 'system',
        timeout: 120_000,
        async handler(ctx: Context<ReadChunkParams>) {
          if (exitAfterReads > 0 && ++reads >= exitAfterReads) {
            process.kill(process.pid, 'SIGKILL');
            return new Promise(() => undefined);
          }
          return readChunk(ctx.params, ctx);
        },
      },
      /** Internal: this node's queue backend and job counts, for operations and tests. */
      status: {
        visibility: 'public',
        async handler() {
          return {
            node: this.broker.nodeID,
            queue: { kind: queue!.kind, counts: await queue!.counts() },
            storage: { kind: storage!.kind },
          };
        },
      },
    },

    methods: {
      async runJob(job: JobInfo<ExportJobData>) {
        const task = await repo!.find(job.data.taskId);
        if (!task || task.kind !== 'EXPORT') return { skipped: 'gone' };
        // Unique per run: a stalled job that bull hands out again on the same node is another owner.
        const owner = `${this.broker.nodeID}:${job.id}:${ulidIds.next()}`;
        const now = new Date();
        const leaseUntil = new Date(now.getTime() + config.exports.leaseSeconds * 1000);
        const from = { status: task.status, version: task.version };
        const e = task.exportAttrs;
        if (task.status === 'PENDING') task.start(owner, leaseUntil, now);
        else if (task.status === 'EXPORTING' && e.leaseUntil !== null && e.leaseUntil <= now)
          task.takeOver(owner, leaseUntil, now);
        else if (task.status === 'FAILED' && task.mayRetry(config.exports.maxAttempts)) {
          task.retry(now);
          task.start(owner, leaseUntil, now);
        } else return { skipped: task.status };
        // The conditional update is the lock: of two workers given one task, one wins here.
        if (!(await repo!.transition(task, from, []))) return { skipped: 'taken' };
        await this.broker
          .broadcast(EXPORT_PROGRESS, { taskId: task.id, status: 'EXPORTING', rows: 0, total: null })
          .catch(() => undefined);
        return this.exportTask(task, job.data.outage ?? null);
      },

      /**
       * Runs a job; a failure because something is unreachable (the transporter, a service, the
       * database, Redis) is waited out with a delayed retry job instead of spending an attempt,
       * for as long as the outage window lasts (domain rule outageRetry).
       */
      async takeJob(job: JobInfo<ExportJobData>) {
        const outage = job.data.outage ?? null;
        let result: { outcome?: string; wait?: OutageDecision };
        try {
          result = await this.runJob(job);
        } catch (e) {
          const wait = outageRetry(classifyExportError(e), outage, Date.now(), Math.random(), {
            windowMs: config.exports.outageWindowMs,
          });
          if (!wait.wait) throw e;
          this.logger.warn(
            `export ${job.data.taskId}: waiting ${wait.delayMs} ms for an outage: ${(e as Error).message}`,
          );
          result = { outcome: 'WAITING', wait };
        }
        if (result.wait?.wait) {
          const task = await repo!.find(job.data.taskId).catch(() => null);
          const attempts = task?.kind === 'EXPORT' ? task.exportAttrs.attempts : 0;
          // If this fails too (Redis is the outage), the task stays FAILED with its attempts left and
          // compensation enqueues it once the queue answers again.
          await queue!.add<ExportJobData>(
            EXPORT_JOB,
            { taskId: job.data.taskId, outage: result.wait.next },
            {
              jobId: outageJobId(job.data.taskId, attempts, result.wait.next.waits),
              delayMs: result.wait.delayMs,
              attempts: 1,
            },
          );
        }
        return result;
      },

      async exportTask(claimed: FileTask, outage: OutageState | null) {
        let task = claimed;
        const log = (type: string, outcome: 'SUCCESS' | 'FAILURE', detail: Record<string, unknown>) =>
          domainEvent(
            {
              type,
              userId: task.createdBy,
              targetType: 'FILE_TASK',
              targetId: task.id,
              bizType: task.bizType,
              outcome,
              detail,
            },
            ulidIds.next(),
            new Date(),
          );
        // An export job is the cluster's own work: it reads as the system principal, for the requester's
        // permissions (checked here and narrowed into the chunk reads' scope).
        const ctx = this.broker.ContextFactory.create(this.broker, null as never, {}, asSystem());
        const started = Date.now();
        let unpublished: string | null = null;
        try {
          const b = await this.broker
            .call<BizTypeView, { code: string }>('metadata.get', { code: task.bizType }, asSystem())
            .catch((err: unknown) => {
              if ((err as { type?: string }).type === 'BIZ_TYPE_NOT_FOUND')
                throw new ExportFailure('BIZ_TYPE_INVALID', `biz type ${task.bizType} no longer exists`);
              throw err;
            });
          if (b.kind !== 'EXPORT')
            throw new ExportFailure('BIZ_TYPE_INVALID', `${b.code} is no longer an export`);
          // The requester as they are now (roles, unit, disabled), not as they were when they asked.
          // A person, or a business system's service account (it has roles and a unit too).
          const current = (action: string) =>
            this.broker
              .call<Principal & { disabled: boolean }, { id: string }>(
                action,
                { id: task.createdBy },
                asSystem(),
              )
              .catch((err: unknown) => {
                if ((err as { code?: unknown }).code === 404) return null;
                throw err;
              });
          const requester =
            (await current('directory.resolveUser')) ?? (await current('directory.resolveServiceAccount'));
          if (!requester || requester.disabled)
            throw new ExportFailure('PERMISSION_REVOKED', 'the requester no longer exists or is disabled');
          const { subject, grants, unitPaths } = await permissionInputs(ctx, requester);
          if (!canExport(subject, b.code, grants))
            throw new ExportFailure('PERMISSION_REVOKED', 'the requester may no longer export this biz type');
          // The columns too: a revoked column grant, or a column made restricted since, is not written.
          const visible = exportableColumns(subject, b.code, b.columns, grants, b.rules.columnPermission);
          const hidden = task.exportAttrs.spec.columns.filter((c) => !visible.includes(c));
          if (hidden.length > 0)
            throw new ExportFailure(
              'PERMISSION_REVOKED',
              `the requester may no longer export the column(s) ${hidden.join(', ')}`,
            );
          // And the rows: a requester moved to another unit, demoted from ADMIN, or under a row scope
          // the biz type gained since, must not get rows outside their scope as it is now.
          if (!rowScopeStillAllowed(task.exportAttrs.spec.rowScope, rowScopeUnits(b, requester, unitPaths)))
            throw new ExportFailure(
              'PERMISSION_REVOKED',
              "the requester's row scope no longer covers this export",
            );
          const owner = task.exportAttrs.leaseOwner!;
          const result = await runExport(
            {
              config,
              storage: storage!,
              broker: this.broker,
              logger: this.logger,
              heartbeat: async (rows, total) => {
                const now = new Date();
                const ok = await repo!.heartbeat(task.id, owner, {
                  rows,
                  total,
                  now,
                  leaseUntil: new Date(now.getTime() + config.exports.leaseSeconds * 1000),
                });
                if (ok)
                  void this.broker
                    .broadcast(EXPORT_PROGRESS, { taskId: task.id, status: 'EXPORTING', rows, total })
                    .catch(() => undefined);
                return ok;
              },
            },
            task,
            b,
          );
          unpublished = result.file.storageKey;
          const from = { status: task.status, version: task.version };
          const running = task.snapshot();
          task.succeed(result.file, result.rowCount, result.manifest, new Date());
          const ok = await withOutboxHint(ctx, () =>
            repo!.transition(task, from, [
              log('EXPORT_SUCCEEDED', 'SUCCESS', {
                rows: result.rowCount,
                size: result.file.size,
                sha256: result.file.sha256,
                ms: Date.now() - started,
              }),
            ]),
          ).catch((e: unknown) => {
            // Not saved: the task is still EXPORTING, and the failure path below records that.
            task = FileTask.restore(running);
            throw e;
          });
          if (!ok) {
            // Cancelled (or taken over) after the last check: the file is never published.
            await storage!.delete(result.file.storageKey).catch(() => undefined);
            return { outcome: 'STOPPED' };
          }
          unpublished = null;
          // Progress events are a courtesy to open event streams: a transporter outage must not
          // turn a recorded SUCCESS into a failure.
          await this.broker
            .broadcast(EXPORT_PROGRESS, {
              taskId: task.id,
              status: 'SUCCESS',
              rows: result.rowCount,
              total: result.rowCount,
            })
            .catch(() => undefined);
          return { outcome: 'SUCCESS', rows: result.rowCount };
        } catch (err) {
          // A file whose SUCCESS could not be recorded is never published: the next attempt writes its own.
          if (unpublished) await storage!.delete(unpublished).catch(() => undefined);
          if (err instanceof ExportStopped) return { outcome: 'STOPPED' };
          const failure = classifyExportError(err);
          const wait = outageRetry(failure, outage, Date.now(), Math.random(), {
            windowMs: config.exports.outageWindowMs,
          });
          const from = { status: task.status, version: task.version };
          if (wait.wait) task.failForOutage(failure.message, new Date());
          else task.fail(failure.reason, failure.message, new Date());
          const willRetry = wait.wait || task.mayRetry(config.exports.maxAttempts);
          this.logger.warn(
            `export ${task.id} failed (${failure.reason}${wait.wait ? `, outage: next try in ${wait.delayMs} ms` : willRetry ? ', will retry' : ''}): ${failure.message}`,
          );
          const ok = await withOutboxHint(ctx, () =>
            repo!.transition(task, from, [
              log('EXPORT_FAILED', 'FAILURE', {
                reason: failure.reason,
                message: failure.message,
                attempt: task.exportAttrs.attempts,
                willRetry,
                ...(wait.wait ? { outage: true } : {}),
              }),
            ]),
          );
          if (ok)
            await this.broker
              .broadcast(EXPORT_PROGRESS, {
                taskId: task.id,
                status: 'FAILED',
                willRetry,
                reason: failure.reason,
              })
              .catch(() => undefined);
          if (ok && wait.wait) return { outcome: 'WAITING', wait };
          // Rethrown, the queue retries with backoff; the next run moves FAILED → PENDING → EXPORTING.
          if (ok && willRetry) throw failure;
          return { outcome: 'FAILED', reason: failure.reason };
        }
      },
    },

    async started() {
      const db = await acquireMainDatabase(config.database);
      repo = new FileTaskRepository(db);
      pool = new SourcePool(config.exports.sources, (name, e) =>
        this.logger.warn(`export data source ${name} is unreachable`, e),
      );
      registerDataHandler('sql', sqlDataHandler(pool));
      registerDataHandler('action', actionDataHandler);
      storage = createObjectStorage(config);
      await storage.start();
      queue = createJobQueue(config, EXPORT_QUEUE, db);
      await queue.start();
      if (config.exports.concurrency > 0) {
        queue.process<ExportJobData>(EXPORT_JOB, config.exports.concurrency, (job) =>
          (this as unknown as { takeJob(j: JobInfo<ExportJobData>): Promise<unknown> }).takeJob(job),
        );
      }
    },

    async stopped() {
      // The queue first: it waits for running jobs, which may still write to storage and the DB.
      await queue?.stop();
      await storage?.stop();
      await pool?.close();
      await releaseMainDatabase(config.database);
    },
  };
}
