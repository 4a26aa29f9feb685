import type { Context, ServiceSchema } from 'moleculer';
import type { AppConfig } from '../mixins/config/app-config';
import { errorsMixin } from '../mixins/errors/error-mapper';
import { acquireMainDatabase, releaseMainDatabase } from '../mixins/database/main-database';
import { createJobQueue } from '../mixins/queue/queue.factory';
import { createObjectStorage } from '../mixins/storage/storage.factory';
import { requireAdmin } from '../mixins/auth/principal';
import { asSystem } from '../mixins/auth/caller-identity.middleware';
import { resolveSecret } from '../mixins/auth/jwt-issuer';
import { ulidIds } from '../mixins/auth/ulid-ids';
import { actorEvent, OUTBOX_APPENDED, withOutboxHint } from '../mixins/operation-log/actor';
import { TypeormOperationLogRepository } from '../mixins/operation-log/log.repository';
import { FileTaskRepository } from '../mixins/file-tasks/file-task.repository';
import { EXPORT_QUEUE } from '../mixins/export-pipeline/export-job';
import { TypeormSchedulerRepository } from '../mixins/scheduler/scheduler.repository';
import type { SchedulerRepository } from '../domain/scheduler/scheduler.ports';
import { TypeormFileTaskMaintenance } from '../mixins/scheduler/file-task-maintenance.repository';
import type { BizTypeRetention, JobDeps } from '../mixins/scheduler/job-context';
import {
  endOrphanedRuns,
  runJob,
  scheduleId,
  SCHEDULED_JOB,
  SCHEDULER_QUEUE,
  type ScheduledJobData,
} from '../mixins/scheduler/job-runner';
import { JOB_KINDS, JOB_NAMES, ScheduledTask } from '../domain/scheduler/scheduled-task';
import { systemClock, type Clock } from '../domain/ports/clock.port';
import { missedTick, nextTick } from '../domain/scheduler/cron';
import { interrupted, type ScheduledTaskRun } from '../domain/scheduler/run';
import { decodeCursor, encodeCursor, pageLimit } from '../domain/shared/pagination';
import type { JobQueue } from '../domain/ports/job-queue.port';
import type { ObjectStorage } from '../domain/ports/object-storage.port';
import type { BizTypeView } from './metadata.service';
import type { RestMeta } from '../mixins/http/rest-meta';
import { SchedulerErrors } from '../domain/scheduler/scheduler.errors';

type Ctx<P = Record<string, unknown>> = Context<P, RestMeta>;

/** How long POST /run waits for the run to end before answering 202 with the run still RUNNING. */
const RUN_WAIT_MS = 10_000;

const runView = (r: ScheduledTaskRun) => ({
  id: r.id,
  name: r.name,
  trigger: r.trigger,
  node: r.node,
  startedAt: r.startedAt.toISOString(),
  finishedAt: r.finishedAt ? r.finishedAt.toISOString() : null,
  handled: r.handled,
  outcome: r.outcome,
  detail: r.detail,
});

/**
 * Scheduled jobs (API.md "Scheduled tasks"): compensation, archival and expiry, on core nodes.
 * Every core node registers each enabled job as a repeatable job with a fixed id on the
 * `scheduler` queue, so each tick runs once in the cluster; admins change rules and run jobs now.
 * The jobs themselves live in mixins/scheduler.
 */
/** How often each core node re-registers the stored schedules and looks for orphaned runs. */
const RECONCILE_MS = 5 * 60_000;
/**
 * When a node first judges other nodes' runs: by then discovery has heard from every live node and
 * a node that died just before this one started has missed its heartbeats (heartbeatTimeout 15 s).
 */
const FIRST_ORPHAN_CHECK_MS = 30_000;
/** A tick younger than this when the queue comes back may still be firing: it is not made up. */
const MISSED_TICK_GRACE_MS = 10_000;
/** The job that makes up a missed tick: one id per tick, so every core node adding it runs it once. */
const catchUpJobId = (name: string, tick: Date) => `catchup-${name}-${tick.getTime()}`;

/** Moleculer's typings omit the registry's node list; its shape is stable across 0.14. */
type NodeRegistry = { getNodeList(o: { onlyAvailable: boolean; withServices: boolean }): { id: string }[] };

export function schedulerService(config: AppConfig): ServiceSchema {
  let repo: SchedulerRepository | null = null;
  let queue: JobQueue | null = null;
  let exportQueue: JobQueue | null = null;
  let storage: ObjectStorage | null = null;
  let deps: JobDeps | null = null;
  let reconcile: NodeJS.Timeout | null = null;
  let firstOrphanCheck: NodeJS.Timeout | null = null;
  /** When this process's scheduler started: it ran nothing before. */
  let since = new Date();
  /**
   * Manual runs going on in the background (POST /run answered already), with their run once
   * recorded: stopped() waits for them, so a graceful shutdown does not leave them RUNNING.
   */
  const manualRuns = new Map<Promise<unknown>, { name: string; run: ScheduledTaskRun | null }>();

  /** Makes the queue's schedule match the stored job: registered when enabled, removed when not. */
  const schedule = async (t: ScheduledTask) => {
    if (t.enabled)
      await queue!.addRepeatable<ScheduledJobData>(
        SCHEDULED_JOB,
        { name: t.name },
        {
          jobId: scheduleId(t.name),
          cron: t.rule.cron,
          ...(t.rule.timezone ? { timezone: t.rule.timezone } : {}),
        },
      );
    else await queue!.removeRepeatable(scheduleId(t.name));
  };

  /**
   * The queue came back after losing its connection, maybe empty (Redis restarted without its
   * data): the schedules are registered again at once (not at the next reconcile), and a tick
   * missed meanwhile is made up once, so exports whose queue jobs were lost are found by
   * compensation within one firing interval.
   */
  const recoverSchedules = async (logger: { info(m: string): void }) => {
    const now = new Date();
    for (const t of await repo!.list()) {
      await schedule(t);
      if (!t.enabled) continue;
      const last = await repo!.lastRun(t.name);
      const tick = missedTick(
        t.rule.cron,
        t.rule.timezone,
        last?.startedAt ?? null,
        now,
        MISSED_TICK_GRACE_MS,
      );
      if (!tick) continue;
      await queue!.add<ScheduledJobData>(
        SCHEDULED_JOB,
        { name: t.name },
        { jobId: catchUpJobId(t.name, tick) },
      );
      logger.info(`scheduled job ${t.name}: the tick of ${tick.toISOString()} was missed; made up now`);
    }
  };

  /** Tests move time for the jobs through useClock; everything else reads the system clock. */
  let clock: Clock = systemClock;
  /** The stored job `name`, or 404. */
  const existing = async (name: string) => {
    const task = await repo!.find(name);
    if (!task) throw SchedulerErrors.taskNotFound(name);
    return task;
  };

  const taskView = async (t: ScheduledTask) => {
    const last = await repo!.lastRun(t.name);
    const next = t.enabled ? nextTick(t.rule.cron, t.rule.timezone, new Date()) : null;
    return {
      name: t.name,
      kind: t.kind,
      builtIn: t.builtIn,
      rule: t.rule,
      enabled: t.enabled,
      version: t.version,
      lastRun: last ? runView(last) : null,
      nextRunAt: next ? next.toISOString() : null,
    };
  };

  return {
    name: 'scheduler',
    mixins: [errorsMixin],
    settings: { rest: '/' },

    actions: {
      list: {
        rest: 'GET /scheduled-tasks',
        async handler(ctx: Ctx) {
          requireAdmin(ctx);
          const items = await Promise.all((await repo!.list()).map(taskView));
          return { items };
        },
      },
      update: {
        rest: 'PUT /scheduled-tasks/:name',
        params: {
          name: 'string|max:64',
          kind: { type: 'enum', values: [...JOB_KINDS], optional: true },
          // Any shape: parseRule answers a wrong one with INVALID_RULE naming the field.
          rule: { type: 'any', optional: true },
          enabled: { type: 'boolean', optional: true },
        },
        async handler(ctx: Ctx<{ name: string; kind?: string; rule?: unknown; enabled?: boolean }>) {
          const user = requireAdmin(ctx);
          const name = ctx.params.name;
          const task = await repo!.find(name);
          // A new name with a kind creates another job of that kind (API.md "Lifecycle rules per biz type").
          if (!task && ctx.params.kind !== undefined) return this.createJob(ctx, user.id);
          if (!task) throw SchedulerErrors.taskNotFound(name);
          if (ctx.params.kind !== undefined && ctx.params.kind !== task.kind)
            throw SchedulerErrors.kindChange(name, task.kind);
          const from = task.version;
          const before = task.snapshot();
          task.change({ rule: ctx.params.rule, enabled: ctx.params.enabled }, user.id, new Date());
          const event = actorEvent(ctx, {
            type: 'SCHEDULED_TASK_CHANGED',
            targetType: 'SCHEDULED_TASK',
            targetId: name,
            detail: {
              before: { rule: before.rule, enabled: before.enabled },
              rule: task.rule,
              enabled: task.enabled,
            },
          });
          if (!(await withOutboxHint(ctx, () => repo!.update(task, from, [event]))))
            throw SchedulerErrors.changedMeanwhile();
          await schedule(task);
          return taskView(task);
        },
      },
      run: {
        rest: 'POST /scheduled-tasks/:name/run',
        params: { name: 'string|max:64' },
        async handler(ctx: Ctx<{ name: string }>) {
          requireAdmin(ctx);
          const name = (await existing(ctx.params.name)).name;
          const entry: { name: string; run: ScheduledTaskRun | null } = { name, run: null };
          const running = runJob(
            deps!,
            { name, trigger: 'manual', jobId: null, node: this.broker.nodeID },
            (r) => (entry.run = r),
          );
          const settled: Promise<unknown> = running.then(
            () => manualRuns.delete(settled),
            () => manualRuns.delete(settled),
          );
          manualRuns.set(settled, entry);
          // A long run (archival of millions of rows) goes on after the answer: 202 and RUNNING.
          let timer: NodeJS.Timeout | undefined;
          const waited = new Promise<null>((resolve) => {
            timer = setTimeout(() => resolve(null), RUN_WAIT_MS);
          });
          running.catch((e: unknown) => this.logger.warn(`manual run of ${name} failed`, e));
          const done = await Promise.race([running, waited]);
          clearTimeout(timer);
          if (done) return runView(done);
          ctx.meta.$statusCode = 202;
          return entry.run ? runView(entry.run) : { name, outcome: 'RUNNING' };
        },
      },
      remove: {
        rest: 'DELETE /scheduled-tasks/:name',
        params: { name: 'string|max:64' },
        async handler(ctx: Ctx<{ name: string }>) {
          requireAdmin(ctx);
          const task = await existing(ctx.params.name);
          if (task.builtIn) throw SchedulerErrors.builtIn(task.name);
          const event = actorEvent(ctx, {
            type: 'SCHEDULED_TASK_CHANGED',
            targetType: 'SCHEDULED_TASK',
            targetId: task.name,
            detail: { op: 'DELETED', kind: task.kind, rule: task.rule, enabled: task.enabled },
          });
          if (!(await withOutboxHint(ctx, () => repo!.delete(task.name, task.version, [event]))))
            throw SchedulerErrors.changedMeanwhile();
          await queue!.removeRepeatable(scheduleId(task.name));
          ctx.meta.$statusCode = 204;
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
          const name = (await existing(ctx.params.name)).name;
          const limit = pageLimit(ctx.params.limit);
          const cursor = decodeCursor<{ id: string }>(ctx.params.cursor, { id: 'string' });
          const rows = await repo!.runs(name, limit + 1, cursor?.id ?? null);
          const page = rows.slice(0, limit);
          const last = page[page.length - 1];
          return {
            items: page.map(runView),
            nextCursor: rows.length > limit && last ? encodeCursor({ id: last.id }) : null,
          };
        },
      },
    },

    methods: {
      /** PUT of a new name with a kind: stores the job, registers its ticks, answers 201. */
      async createJob(
        ctx: Ctx<{ name: string; kind?: string; rule?: unknown; enabled?: boolean }>,
        by: string,
      ) {
        const { name, kind, rule, enabled } = ctx.params;
        const task = ScheduledTask.create(name, { kind, rule, enabled }, by, new Date());
        const event = actorEvent(ctx, {
          type: 'SCHEDULED_TASK_CHANGED',
          targetType: 'SCHEDULED_TASK',
          targetId: name,
          detail: { op: 'CREATED', kind: task.kind, rule: task.rule, enabled: task.enabled },
        });
        if (!(await withOutboxHint(ctx, () => repo!.insert(task, [event]))))
          throw SchedulerErrors.changedMeanwhile();
        await schedule(task);
        ctx.meta.$statusCode = 201;
        return taskView(task);
      },

      /** Makes the jobs take `c` for now (tests: retention measured from a chosen instant). */
      useClock(c: Clock | null) {
        clock = c ?? systemClock;
      },

      /**
       * Ends the RUNNING runs that no live process will finish (endOrphanedRuns); `clusterKnown`
       * false judges only this node's own runs. Returns what it ended; never throws (a timer's job).
       */
      async endOrphanedRuns(clusterKnown = true): Promise<ScheduledTaskRun[]> {
        if (!deps || !queue) return [];
        const registry = this.broker.registry as unknown as NodeRegistry;
        const liveNodes = clusterKnown
          ? registry.getNodeList({ onlyAvailable: true, withServices: false }).map((n) => n.id)
          : null;
        try {
          return await endOrphanedRuns(deps, queue, {
            self: this.broker.nodeID,
            selfSince: since,
            liveNodes,
          });
        } catch (e) {
          this.logger.warn('looking for interrupted scheduled runs failed', e);
          return [];
        }
      },

      /**
       * Waits for the manual runs still going on, up to SHUTDOWN_TIMEOUT_MS. Runs that outlast it
       * are logged and recorded as interrupted (FAILED) while the database is still open: the
       * process is about to end under them.
       */
      async awaitManualRuns(): Promise<void> {
        if (manualRuns.size === 0) return;
        const ms = config.shutdownTimeoutMs;
        this.logger.info(`waiting up to ${ms} ms for ${manualRuns.size} manual scheduled run(s)`);
        let timer: NodeJS.Timeout | undefined;
        const timedOut = await Promise.race([
          Promise.all(manualRuns.keys()).then(() => false),
          new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), ms))),
        ]);
        clearTimeout(timer);
        if (!timedOut) return;
        for (const { name, run } of manualRuns.values()) {
          this.logger.warn(
            `stopping: manual run of ${name} (${run?.id ?? 'not recorded yet'}) cut off after ${ms} ms`,
          );
          if (run)
            await repo!
              .interruptRun(interrupted(run, 'SHUTDOWN', new Date()))
              .catch((e: unknown) => this.logger.warn(`could not record run ${run.id} as interrupted`, e));
        }
      },
    },

    async started() {
      since = new Date();
      const db = await acquireMainDatabase(config.database);
      repo = new TypeormSchedulerRepository(db);
      const now = new Date();
      for (const name of JOB_NAMES) await repo.ensure(ScheduledTask.byDefault(name, now));
      storage = createObjectStorage(config);
      await storage.start();
      exportQueue = createJobQueue(config, EXPORT_QUEUE, db);
      await exportQueue.start();
      queue = createJobQueue(config, SCHEDULER_QUEUE, db);
      await queue.start();
      deps = {
        config,
        tasks: new FileTaskRepository(db),
        maintenance: new TypeormFileTaskMaintenance(db),
        logs: new TypeormOperationLogRepository(
          db,
          resolveSecret(config.logs.chainKey, config.dataDir, 'log-chain-key'),
        ),
        scheduler: repo,
        exportQueue,
        storage,
        bizTypes: async () =>
          (await this.broker.call<BizTypeView[], object>('metadata.all', {}, asSystem())).map(
            (b): BizTypeRetention => ({
              code: b.code,
              kind: b.kind,
              retentionDays: (b.rules as { retentionDays?: number | null }).retentionDays ?? null,
            }),
          ),
        ids: ulidIds,
        clock: { now: () => clock.now() },
        logger: this.logger,
        outboxHint: () => void this.broker.emit(OUTBOX_APPENDED).catch(() => undefined),
      };
      for (const t of await repo.list()) await schedule(t);
      // Re-register now and then: the stored rules are the truth, and a queue that lost its data
      // (Redis restarted without persistence, FLUSHDB) gets its schedules back without a restart.
      // Fixed ids make this idempotent; every node doing it changes nothing.
      reconcile = setInterval(() => {
        void (async () => {
          for (const t of await repo!.list()) await schedule(t);
        })().catch((e: unknown) => this.logger.warn('re-registering the schedules failed', e));
        void this.endOrphanedRuns();
      }, RECONCILE_MS);
      reconcile.unref();
      queue.onReconnect(() => {
        this.logger.warn('scheduler queue reconnected: registering the schedules again');
        recoverSchedules(this.logger).catch((e: unknown) =>
          this.logger.warn('re-registering the schedules after a reconnection failed', e),
        );
      });
      // Now: this node's own runs from before a restart under the same NODE_ID. Other nodes' runs
      // once discovery is complete (an incomplete view would take live nodes for gone ones).
      await this.endOrphanedRuns(false);
      firstOrphanCheck = setTimeout(() => void this.endOrphanedRuns(), FIRST_ORPHAN_CHECK_MS);
      firstOrphanCheck.unref();
      const node = this.broker.nodeID;
      queue.process<ScheduledJobData>(SCHEDULED_JOB, 1, async (job) => {
        // A tick of a job deleted meanwhile (its schedule is removed with it).
        if (!(await repo!.find(job.data.name))) return { skipped: 'unknown job' };
        const run = await runJob(deps!, { name: job.data.name, trigger: 'cron', jobId: job.id, node });
        return run ? { run: run.id, outcome: run.outcome } : { skipped: true };
      });
    },

    async stopped() {
      if (reconcile) clearInterval(reconcile);
      if (firstOrphanCheck) clearTimeout(firstOrphanCheck);
      // The scheduler queue and the manual runs first: they use the rest.
      await Promise.all([queue?.stop(), this.awaitManualRuns()]);
      await exportQueue?.stop();
      await storage?.stop();
      await releaseMainDatabase(config.database);
    },
  };
}
