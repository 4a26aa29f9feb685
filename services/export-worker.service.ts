import type { Context, ServiceSchema } from 'moleculer';
import type { AppConfig } from '../mixins/config/app-config';
import { errorsMixin } from '../mixins/errors/error-mapper';
import { adapterMixin } from '../mixins/lifecycle/adapter.mixin';
import { databaseMixin } from '../mixins/lifecycle/database.mixin';
import { queueMixin } from '../mixins/lifecycle/queue.mixin';
import { storageMixin } from '../mixins/lifecycle/storage.mixin';
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
import {
  READ_CHUNK_ACTION_NAME,
  READER_LOAD_ACTION,
  READER_LOAD_ACTION_NAME,
  type ReadChunkParams,
} from '../mixins/export-pipeline/chunk-read.contract';
import { PeerLoads, ReaderGauge } from '../mixins/export-pipeline/reader-load';
import type { ReaderLoad } from '../domain/exports/reader-choice';
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
import { systemClock } from '../domain/ports/clock.port';
import type { JobInfo } from '../domain/ports/job-queue.port';

/**
 * The export node (SERVICES=export, scales horizontally): runs export jobs as coordinators and
 * serves chunk reads (`readChunk`) to the coordinators of every node.
 */
export function exportWorkerService(config: AppConfig): ServiceSchema {
  const database = databaseMixin(config);
  // The sql data handler's connections to the export sources: closed after the queue has drained
  // (running jobs read through them), before the database.
  const sources = adapterMixin(
    'the export data sources',
    async (service) => {
      const pool = new SourcePool(config.exports.sources, (name, e) =>
        service.logger.warn(`export data source ${name} is unreachable`, e),
      );
      registerDataHandler('sql', sqlDataHandler(pool));
      registerDataHandler('action', actionDataHandler);
      return pool;
    },
    (pool) => pool.close(),
  );
  const storage = storageMixin(config);
  const exportQueue = queueMixin(config, EXPORT_QUEUE, database);
  const tasks = database.derive((db) => new FileTaskRepository(db));
  const turns = database.derive((db) => new ExportTurnsRepository(db));
  const jobs = exportQueue.derive((queue): ExportJobs => queueExportJobs(queue, config));
  // This node's load and the other export nodes' as they report it: where batches are read.
  const gauge = new ReaderGauge();
  let peers: PeerLoads | null = null;

  return {
    name: 'exportWorker',
    // Adapters in the order they stop: the queue first (it waits for running jobs, which still
    // write to storage and read the sources and the database); they start the other way round.
    mixins: [errorsMixin, exportQueue.mixin, storage.mixin, sources.mixin, database.mixin],
    // An export needs its biz type, the requester's grants and unit tree: take no job before the
    // core services are reachable (a fresh export node would otherwise fail its first jobs).
    dependencies: ['metadata', 'permissions', 'directory'],

    actions: {
      /** A chunk reader: one batch of a key range, mapped, masked and neutralised. */
      [READ_CHUNK_ACTION_NAME]: {
        visibility: 'public',
        timeout: 120_000,
        async handler(ctx: Context<ReadChunkParams>) {
          return gauge.count('reading', () => readChunk(ctx.params, ctx));
        },
      },
      /** This node's load, for other nodes' coordinators deciding whether it has a core to spare. */
      [READER_LOAD_ACTION_NAME]: {
        visibility: 'public',
        handler(): ReaderLoad {
          return gauge.snapshot();
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
            queue: { kind: exportQueue.get().kind, counts: await exportQueue.get().counts() },
            storage: { kind: storage.get().kind },
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
          tasks: tasks(),
          jobs: jobs(),
          progress: progressBroadcast(this.broker),
          bizTypes: bizTypeCatalog(ctx),
          users: userLookup(ctx),
          permissions: permissionReader(ctx),
          pipeline: exportPipeline({
            config,
            storage: storage.get(),
            broker: this.broker,
            logger: this.logger,
            gauge,
            peers: (peers ??= new PeerLoads((nodeID) =>
              this.broker.call<ReaderLoad, Record<string, never>>(
                READER_LOAD_ACTION,
                {},
                {
                  ...asSystem(),
                  nodeID,
                  retries: 0,
                  timeout: 1000,
                },
              ),
            )),
          }),
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
          turns: turns(),
        };
        return runExportJob(deps, this.broker.nodeID, {
          jobId: String(job.id),
          taskId: job.data.taskId,
          outage: job.data.outage ?? null,
        });
      },
    },

    async started() {
      if (config.exports.concurrency > 0) {
        exportQueue
          .get()
          .process<ExportJobData>(EXPORT_JOB, config.exports.concurrency, (job) =>
            (this as unknown as { takeJob(j: JobInfo<ExportJobData>): Promise<unknown> }).takeJob(job),
          );
      }
    },
  };
}
