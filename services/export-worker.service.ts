import type { Context, ServiceSchema } from 'moleculer';
import type { AppConfig } from '../mixins/config/app-config';
import { errorsMixin } from '../mixins/errors/error-mapper';
import { acquireMainDatabase, releaseMainDatabase } from '../mixins/database/main-database';
import { createJobQueue } from '../mixins/queue/queue.factory';
import { createObjectStorage } from '../mixins/storage/storage.factory';
import { ulidIds } from '../mixins/auth/ulid-ids';
import { asSystem } from '../mixins/auth/caller-identity.middleware';
import { outboxHint } from '../mixins/operation-log/actor';
import { FileTaskRepository } from '../mixins/file-tasks/file-task.repository';
import { ExportTurnsRepository } from '../mixins/file-tasks/export-turns.repository';
import { permissionReader } from '../mixins/permissions/subject';
import { userLookup } from '../mixins/directory/user-lookup';
import { bizTypeCatalog } from '../mixins/metadata/biz-type-lookup';
import {
  EXPORT_JOB,
  EXPORT_QUEUE,
  queueExportJobs,
  type ExportJobData,
} from '../mixins/export-pipeline/export-job';
import { exportPipeline } from '../mixins/export-pipeline/coordinator';
import { READ_CHUNK_ACTION_NAME, type ReadChunkParams } from '../mixins/export-pipeline/chunk-read.contract';
import { readChunk } from '../mixins/export-pipeline/chunk-reader';
import { dataHandlerAdapter, registerDataHandler } from '../mixins/export-pipeline/data-handlers/registry';
import type { DataHandler } from '../domain/metadata/data-handler';
import type { ReadScope } from '../domain/exports/data-handler.port';
import { sqlDataHandler } from '../mixins/export-pipeline/data-handlers/sql.handler';
import { actionDataHandler } from '../mixins/export-pipeline/data-handlers/action.handler';
import { SourcePool } from '../mixins/export-pipeline/data-handlers/source-pool';
import { progressBroadcast } from '../mixins/http/progress-hub';
import { runExportJob } from '../domain/exports/use-cases/run-export';
import type { ExportDeps } from '../domain/exports/use-cases/export-deps';
import type { ExportJobs } from '../domain/exports/export.ports';
import type { ExportPipeline } from '../domain/exports/export-pipeline.ports';
import { systemClock } from '../domain/ports/clock.port';
import type { JobInfo, JobQueue } from '../domain/ports/job-queue.port';
import type { ObjectStorage } from '../domain/ports/object-storage.port';

/**
 * The export node (SERVICES=export, scales horizontally): runs export jobs as coordinators and
 * serves chunk reads (`readChunk`) to the coordinators of every node.
 */
export function exportWorkerService(config: AppConfig): ServiceSchema {
  let queue: JobQueue | null = null;
  let storage: ObjectStorage | null = null;
  let repo: FileTaskRepository | null = null;
  let pool: SourcePool | null = null;
  let pipeline: ExportPipeline | null = null;
  let jobs: ExportJobs | null = null;
  let turns: ExportTurnsRepository | null = null;
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
        timeout: 120_000,
        async handler(ctx: Context<ReadChunkParams>) {
          if (exitAfterReads > 0 && ++reads >= exitAfterReads) {
            process.kill(process.pid, 'SIGKILL');
            return new Promise(() => undefined);
          }
          return readChunk(ctx.params, ctx);
        },
      },
      /** The rows a scope matches (preview): the data handler's plan, its total only. */
      estimate: {
        visibility: 'public',
        timeout: 30_000,
        async handler(ctx: Context<{ handler: DataHandler; scope: ReadScope }>) {
          const adapter = dataHandlerAdapter(ctx.params.handler);
          const handler = adapter.parse(ctx.params.handler as unknown as Record<string, unknown>);
          const plan = await adapter.plan(handler, ctx.params.scope, 10_000_000, ctx);
          return { total: plan.total };
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
      /** One delivery of an export job: the run-export use case with this node's ports. */
      takeJob(job: JobInfo<ExportJobData>) {
        // An export job is the cluster's own work: it reads as the system principal, for the
        // requester's permissions (checked by the use case and narrowed into the chunk reads' scope).
        const ctx = this.broker.ContextFactory.create(this.broker, null as never, {}, asSystem());
        const deps: ExportDeps = {
          tasks: repo!,
          jobs: jobs!,
          progress: progressBroadcast(this.broker),
          bizTypes: bizTypeCatalog(ctx),
          users: userLookup(ctx),
          permissions: permissionReader(ctx),
          pipeline: pipeline!,
          outbox: outboxHint(ctx),
          ids: ulidIds,
          clock: systemClock,
          logger: this.logger,
          settings: {
            maxAttempts: config.exports.maxAttempts,
            leaseSeconds: config.exports.leaseSeconds,
            outageWindowMs: config.exports.outageWindowMs,
            retryDelayMs: config.exports.retryDelayMs,
            userConcurrency: config.exports.userConcurrency,
          },
          turns: turns!,
        };
        return runExportJob(deps, this.broker.nodeID, {
          jobId: String(job.id),
          taskId: job.data.taskId,
          outage: job.data.outage ?? null,
        });
      },
    },

    async started() {
      const db = await acquireMainDatabase(config.database);
      repo = new FileTaskRepository(db);
      turns = new ExportTurnsRepository(db);
      pool = new SourcePool(config.exports.sources, (name, e) =>
        this.logger.warn(`export data source ${name} is unreachable`, e),
      );
      registerDataHandler('sql', sqlDataHandler(pool));
      registerDataHandler('action', actionDataHandler);
      storage = createObjectStorage(config);
      await storage.start();
      pipeline = exportPipeline({ config, storage, broker: this.broker, logger: this.logger });
      queue = createJobQueue(config, EXPORT_QUEUE, db);
      await queue.start();
      jobs = queueExportJobs(queue, config);
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
