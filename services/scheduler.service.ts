import type { Context, ServiceSchema } from 'moleculer';
import type { AppConfig } from '../mixins/config/app-config';
import { errorsMixin } from '../mixins/errors/error-mapper';
import { startedValue } from '../mixins/lifecycle/adapter.mixin';
import { databaseMixin } from '../mixins/lifecycle/database.mixin';
import { queueMixin } from '../mixins/lifecycle/queue.mixin';
import { storageMixin } from '../mixins/lifecycle/storage.mixin';
import { requireAdmin } from '../mixins/auth/principal';
import { resolveSecret } from '../mixins/auth/jwt-issuer';
import { ulidIds } from '../mixins/auth/ulid-ids';
import { actorOf, OUTBOX_APPENDED } from '../mixins/operation-log/actor';
import { TypeormOperationLogRepository } from '../mixins/operation-log/log.repository';
import { FileTaskRepository } from '../mixins/file-tasks/file-task.repository';
import { EXPORT_QUEUE, queueExportJobs } from '../mixins/export-pipeline/export-job';
import { TypeormSchedulerRepository } from '../mixins/scheduler/scheduler.repository';
import { TypeormFileTaskMaintenance } from '../mixins/scheduler/file-task-maintenance.repository';
import { queueCompensationJobs } from '../mixins/scheduler/compensation-jobs';
import { metadataRetentions } from '../mixins/scheduler/biz-type-retentions';
import {
  queueSchedulerTimer,
  SCHEDULED_JOB,
  SCHEDULER_QUEUE,
  type ScheduledJobData,
} from '../mixins/scheduler/scheduler-timer';
import type { RestMeta } from '../mixins/http/rest-meta';
import { JOB_KINDS } from '../domain/scheduler/scheduled-task';
import type { ScheduledTaskRun } from '../domain/scheduler/run';
import { systemClock, type Clock } from '../domain/ports/clock.port';
import type { JobDeps, SchedulerDeps } from '../domain/scheduler/use-cases/scheduler-deps';
import {
  changeTask,
  deleteTask,
  listRuns,
  listTasks,
  runView,
  type TaskChange,
} from '../domain/scheduler/use-cases/manage-tasks';
import { interruptManualRuns, ManualRuns, runNow } from '../domain/scheduler/use-cases/manual-runs';
import { runTick } from '../domain/scheduler/use-cases/run-job';
import { endOrphanedRuns } from '../domain/scheduler/use-cases/orphaned-runs';
import { armSchedules, installSchedules, recoverMissedTicks } from '../domain/scheduler/use-cases/schedules';

type Ctx<P = Record<string, unknown>> = Context<P, RestMeta>;

/** How long POST /run waits for the run to end before answering 202 with the run still RUNNING. */
const RUN_WAIT_MS = 10_000;
/** How often each core node re-registers the stored schedules and looks for orphaned runs. */
const RECONCILE_MS = 5 * 60_000;
/**
 * When a node first judges other nodes' runs: by then discovery has heard from every live node and
 * a node that died just before this one started has missed its heartbeats (heartbeatTimeout 15 s).
 */
const FIRST_ORPHAN_CHECK_MS = 30_000;
/** A tick younger than this when the queue comes back may still be firing: it is not made up. */
const MISSED_TICK_GRACE_MS = 10_000;

/** Moleculer's typings omit the registry's node list; its shape is stable across 0.14. */
type NodeRegistry = { getNodeList(o: { onlyAvailable: boolean; withServices: boolean }): { id: string }[] };

/**
 * Scheduled jobs (API.md "Scheduled tasks"): compensation, archival and expiry, on core nodes.
 * Every core node registers each enabled job as a repeatable job with a fixed id on the
 * `scheduler` queue, so each tick runs once in the cluster; admins change rules and run jobs now.
 * The rules and the jobs are use cases in domain/scheduler/use-cases; this service adapts them.
 */
export function schedulerService(config: AppConfig): ServiceSchema {
  const database = databaseMixin(config);
  const storage = storageMixin(config);
  const exportQueue = queueMixin(config, EXPORT_QUEUE, database);
  const schedulerQueue = queueMixin(config, SCHEDULER_QUEUE, database);
  /** The use cases' ports, built in started() over the adapters. */
  const ports = startedValue<{ deps: SchedulerDeps; jobs: JobDeps }>('the scheduler');
  let reconcile: NodeJS.Timeout | null = null;
  let firstOrphanCheck: NodeJS.Timeout | null = null;
  /** When this process's scheduler started: it ran nothing before. */
  let since = new Date();
  const manualRuns = new ManualRuns();
  /** Tests move time for the jobs through useClock; everything else reads the system clock. */
  let clock: Clock = systemClock;

  const started = () => ports.get();

  return {
    name: 'scheduler',
    // Adapters in the order they stop (the queues, storage, the database); they start the other way round.
    mixins: [errorsMixin, schedulerQueue.mixin, exportQueue.mixin, storage.mixin, database.mixin],
    settings: { rest: '/' },

    actions: {
      list: {
        rest: 'GET /scheduled-tasks',
        async handler(ctx: Ctx) {
          requireAdmin(ctx);
          return { items: await listTasks(started().deps) };
        },
      },
      update: {
        rest: 'PUT /scheduled-tasks/:name',
        successStatus: [200, 201],
        params: {
          name: 'string|max:64',
          kind: { type: 'enum', values: [...JOB_KINDS], optional: true },
          // Any shape: parseRule answers a wrong one with INVALID_RULE naming the field.
          rule: { type: 'any', optional: true },
          enabled: { type: 'boolean', optional: true },
        },
        async handler(ctx: Ctx<TaskChange & { name: string }>) {
          const { name, ...change } = ctx.params;
          const r = await changeTask(started().deps, requireAdmin(ctx), actorOf(ctx), name, change);
          if (r.created) {
            ctx.meta.$statusCode = 201;
            // A 201 names what it created (moleculer-web warns on one without); the PUT's own URL.
            ctx.meta.$location = `/api/scheduled-tasks/${encodeURIComponent(name)}`;
          }
          return r.view;
        },
      },
      run: {
        rest: 'POST /scheduled-tasks/:name/run',
        successStatus: [200, 202],
        params: { name: 'string|max:64' },
        async handler(ctx: Ctx<{ name: string }>) {
          requireAdmin(ctx);
          const node = this.broker.nodeID;
          const r = await runNow(started().jobs, manualRuns, {
            name: ctx.params.name,
            node,
            waitMs: RUN_WAIT_MS,
          });
          if (r.finished && r.run) return runView(r.run);
          // A long run (archival of millions of rows) goes on after the answer: 202 and RUNNING.
          ctx.meta.$statusCode = 202;
          return r.run ? runView(r.run) : { name: ctx.params.name, outcome: 'RUNNING' };
        },
      },
      remove: {
        rest: 'DELETE /scheduled-tasks/:name',
        successStatus: 204,
        params: { name: 'string|max:64' },
        async handler(ctx: Ctx<{ name: string }>) {
          requireAdmin(ctx);
          await deleteTask(started().deps, actorOf(ctx), ctx.params.name);
          return null;
        },
      },
      runs: {
        rest: 'GET /scheduled-tasks/:name/runs',
        params: {
          name: 'string|max:64',
          limit: { type: 'any', optional: true },
          cursor: { type: 'any', optional: true },
        },
        async handler(ctx: Ctx<{ name: string; limit?: unknown; cursor?: unknown }>) {
          requireAdmin(ctx);
          const page = await listRuns(started().deps, ctx.params.name, ctx.params);
          return { items: page.items.map(runView), nextCursor: page.nextCursor };
        },
      },
    },

    methods: {
      /** Makes the jobs take `c` for now (tests: retention measured from a chosen instant). */
      useClock(c: Clock | null) {
        clock = c ?? systemClock;
      },

      /**
       * Ends the RUNNING runs that no live process will finish (endOrphanedRuns); `clusterKnown`
       * false judges only this node's own runs. Returns what it ended; never throws (a timer's job).
       */
      async endOrphanedRuns(clusterKnown = true): Promise<ScheduledTaskRun[]> {
        const deps = ports.peek()?.deps;
        if (!deps) return [];
        const registry = this.broker.registry as unknown as NodeRegistry;
        const liveNodes = clusterKnown
          ? registry.getNodeList({ onlyAvailable: true, withServices: false }).map((n) => n.id)
          : null;
        try {
          return await endOrphanedRuns(deps, { self: this.broker.nodeID, selfSince: since, liveNodes });
        } catch (e) {
          this.logger.warn('looking for interrupted scheduled runs failed', e);
          return [];
        }
      },
    },

    async started() {
      since = new Date();
      const db = database.get();
      const queue = schedulerQueue.get();
      const outbox = { appended: () => void this.broker.emit(OUTBOX_APPENDED).catch(() => undefined) };
      const scheduler = new TypeormSchedulerRepository(db);
      const d: SchedulerDeps = {
        scheduler,
        timer: queueSchedulerTimer(queue),
        ids: ulidIds,
        clock: systemClock,
        outbox,
        logger: this.logger,
      };
      const jobs: JobDeps = {
        scheduler,
        tasks: new FileTaskRepository(db),
        maintenance: new TypeormFileTaskMaintenance(db),
        logs: new TypeormOperationLogRepository(
          db,
          resolveSecret(config.logs.chainKey, config.dataDir, 'log-chain-key'),
        ),
        compensationJobs: queueCompensationJobs(exportQueue.get(), config),
        turns: queueExportJobs(exportQueue.get(), config),
        storage: storage.get(),
        bizTypes: metadataRetentions(this.broker),
        ids: ulidIds,
        clock: { now: () => clock.now() },
        logger: this.logger,
        outbox,
        settings: {
          maxExportAttempts: config.exports.maxAttempts,
          fileTaskRetentionDays: config.scheduler.fileTaskRetentionDays,
          logRetentionDays: config.scheduler.logRetentionDays,
          tempFileMaxAgeMs: config.scheduler.tempFileMaxAgeMs,
        },
      };
      ports.set({ deps: d, jobs });
      await installSchedules(d);
      reconcile = setInterval(() => {
        armSchedules(d).catch((e: unknown) => this.logger.warn('re-registering the schedules failed', e));
        void this.endOrphanedRuns();
      }, RECONCILE_MS);
      reconcile.unref();
      queue.onReconnect(() => {
        this.logger.warn('scheduler queue reconnected: registering the schedules again');
        recoverMissedTicks(d, MISSED_TICK_GRACE_MS).catch((e: unknown) =>
          this.logger.warn('re-registering the schedules after a reconnection failed', e),
        );
      });
      // Now: this node's own runs from before a restart under the same NODE_ID. Other nodes' runs
      // once discovery is complete (an incomplete view would take live nodes for gone ones).
      await this.endOrphanedRuns(false);
      firstOrphanCheck = setTimeout(() => void this.endOrphanedRuns(), FIRST_ORPHAN_CHECK_MS);
      firstOrphanCheck.unref();
      const node = this.broker.nodeID;
      queue.process<ScheduledJobData>(SCHEDULED_JOB, 1, (job) =>
        runTick(started().jobs, { name: job.data.name, jobId: job.id, node }),
      );
    },

    async stopped() {
      if (reconcile) clearInterval(reconcile);
      if (firstOrphanCheck) clearTimeout(firstOrphanCheck);
      // The scheduler queue and the manual runs first, side by side: they use the rest. The queue's
      // mixin stops it again after this (a no-op), then the export queue, storage and the database.
      const deps = ports.peek()?.deps;
      await Promise.all([
        schedulerQueue.peek()?.stop(),
        deps ? interruptManualRuns(deps, manualRuns, config.shutdownTimeoutMs) : undefined,
      ]);
      ports.clear();
    },
  };
}
