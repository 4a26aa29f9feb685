import type { Context, ServiceSchema } from 'moleculer';
import type { AppConfig } from '../mixins/config/app-config';
import { errorsMixin } from '../mixins/errors/error-mapper';
import { databaseMixin } from '../mixins/lifecycle/database.mixin';
import { queueMixin } from '../mixins/lifecycle/queue.mixin';
import { requireUser } from '../mixins/auth/principal';
import { actorOf, outboxHint } from '../mixins/operation-log/actor';
import { ulidIds } from '../mixins/auth/ulid-ids';
import { FileTaskRepository } from '../mixins/file-tasks/file-task.repository';
import { permissionReader } from '../mixins/permissions/subject';
import { queueExportJobs, EXPORT_QUEUE } from '../mixins/export-pipeline/export-job';
import { exportAdmission } from '../mixins/export-pipeline/export-admission';
import { ExportTurnsRepository } from '../mixins/file-tasks/export-turns.repository';
import { bizTypeCatalog } from '../mixins/metadata/biz-type-lookup';
import { TypeormExportScheduleRepository } from '../mixins/export-schedules/export-schedule.repository';
import {
  EXPORT_SCHEDULE_QUEUE,
  FIRE_JOB,
  queueScheduleTimer,
  retryFiring,
  tickOfJob,
  tickTime,
  type FireJobData,
} from '../mixins/export-schedules/schedule-timer';
import { directoryOwners, systemCaller } from '../mixins/export-schedules/schedule-ports';
import type { RestMeta } from '../mixins/http/rest-meta';
import {
  createSchedule,
  listSchedules,
  removeSchedule,
  updateSchedule,
} from '../domain/export-schedules/use-cases/manage-schedules';
import { fireSchedule } from '../domain/export-schedules/use-cases/fire-schedule';
import { visibleSchedule, type ScheduleDeps } from '../domain/export-schedules/use-cases/schedule-deps';
import type { ExportSchedule } from '../domain/export-schedules/export-schedule';
import type { ScheduleTimer } from '../domain/export-schedules/export-schedule.ports';
import { nextTick } from '../domain/scheduler/cron';
import { decodeCursor, encodeCursor, pageLimit } from '../domain/shared/pagination';
import { systemClock, type Clock } from '../domain/ports/clock.port';

type Ctx<P = Record<string, unknown>> = Context<P, RestMeta>;

/** How often each core node registers every schedule's ticks again (a queue that lost its data). */
const RECONCILE_MS = 5 * 60_000;

/** The fields of a schedule as a client writes them (params schemas of create and update). */
const FIELDS = {
  name: 'string|min:1|max:100',
  bizType: 'string|min:1|max:64',
  format: 'string|min:1|max:16',
  filters: { type: 'object', optional: true },
  columns: { type: 'array', items: 'string', optional: true, nullable: true, max: 200 },
  locale: { type: 'string', optional: true, nullable: true, max: 35 },
  cron: 'string|min:1|max:100',
  timeZone: 'string|min:1|max:64',
  enabled: { type: 'boolean', optional: true },
} as const;
const optional = Object.fromEntries(
  Object.entries(FIELDS).map(([k, v]) => [
    k,
    typeof v === 'string' ? `${v}|optional` : { ...v, optional: true },
  ]),
);

const view = (s: ExportSchedule, now: Date) => s.toView(s.enabled ? nextTick(s.cron, s.timeZone, now) : null);

/** The body of a request without its route parameter. */
const body = (p: Record<string, unknown>) => {
  const { id, ...rest } = p;
  void id;
  return rest;
};

/**
 * Recurring exports (API.md "Recurring exports", docs/integration.md): owners write schedules;
 * each schedule's ticks are a repeatable job on the `export-schedules` queue, registered by every
 * core node under a fixed id, so each tick fires once in the cluster; the firing requests the
 * export as the owner is at that moment (domain/export-schedules/use-cases/fire-schedule.ts).
 *
 * Missed firings: a tick that fell while no core node ran fires once when one comes back (both
 * queues keep the latest due tick and skip older ones), with its relative filters resolved at the
 * tick's own time; older missed ticks are skipped.
 */
export function exportSchedulesService(config: AppConfig): ServiceSchema {
  const database = databaseMixin(config);
  const exportQueue = queueMixin(config, EXPORT_QUEUE, database);
  const scheduleQueue = queueMixin(config, EXPORT_SCHEDULE_QUEUE, database);
  const repo = database.derive((db) => new TypeormExportScheduleRepository(db));
  const tasks = database.derive((db) => new FileTaskRepository(db));
  const turns = database.derive((db) => new ExportTurnsRepository(db));
  const timer = scheduleQueue.derive((queue): ScheduleTimer => queueScheduleTimer(queue));
  let reconcile: NodeJS.Timeout | null = null;
  /** Tests move time through fireAt; everything else reads the system clock. */
  const clock: Clock = systemClock;

  const deps = (ctx: Context): ScheduleDeps => ({
    schedules: repo(),
    timer: timer(),
    owners: directoryOwners(ctx.broker),
    exports: {
      tasks: tasks(),
      jobs: queueExportJobs(exportQueue.get(), config),
      bizTypes: bizTypeCatalog(ctx),
      permissions: permissionReader(ctx),
      outbox: outboxHint(ctx),
      ids: ulidIds,
      clock,
      defaultTimeZone: config.exports.defaultTimeZone,
      admission: exportAdmission(ctx, config, turns()),
    },
    ids: ulidIds,
    clock,
    outbox: outboxHint(ctx),
    minIntervalSeconds: config.scheduler.scheduleMinIntervalSeconds,
  });

  return {
    name: 'exportSchedules',
    // Adapters in the order they stop (the queues, then the database); they start the other way round.
    mixins: [errorsMixin, scheduleQueue.mixin, exportQueue.mixin, database.mixin],
    settings: { rest: '/' },

    actions: {
      create: {
        rest: 'POST /export-schedules',
        successStatus: 201,
        params: FIELDS,
        async handler(ctx: Ctx) {
          const s = await createSchedule(deps(ctx), requireUser(ctx), actorOf(ctx), ctx.params);
          ctx.meta.$location = `/api/export-schedules/${s.id}`;
          return view(s, clock.now());
        },
      },
      list: {
        rest: 'GET /export-schedules',
        params: {
          limit: { type: 'number', convert: true, optional: true },
          cursor: { type: 'string', optional: true },
        },
        async handler(ctx: Ctx<{ limit?: number; cursor?: string }>) {
          const before = decodeCursor<{ id: string }>(ctx.params.cursor, { id: 'string' });
          const page = await listSchedules(deps(ctx), requireUser(ctx), {
            limit: pageLimit(ctx.params.limit),
            beforeId: before?.id ?? null,
          });
          const now = clock.now();
          return {
            items: page.items.map((s) => view(s, now)),
            nextCursor: page.nextBeforeId ? encodeCursor({ id: page.nextBeforeId }) : null,
          };
        },
      },
      get: {
        rest: 'GET /export-schedules/:id',
        params: { id: 'string|max:64' },
        async handler(ctx: Ctx<{ id: string }>) {
          return view(await visibleSchedule(deps(ctx), requireUser(ctx), ctx.params.id), clock.now());
        },
      },
      update: {
        rest: 'PATCH /export-schedules/:id',
        params: { id: 'string|max:64', ...optional },
        async handler(ctx: Ctx<{ id: string }>) {
          const s = await updateSchedule(
            deps(ctx),
            requireUser(ctx),
            actorOf(ctx),
            ctx.params.id,
            body(ctx.params),
          );
          return view(s, clock.now());
        },
      },
      remove: {
        rest: 'DELETE /export-schedules/:id',
        successStatus: 204,
        params: { id: 'string|max:64' },
        async handler(ctx: Ctx<{ id: string }>) {
          await removeSchedule(deps(ctx), requireUser(ctx), actorOf(ctx), ctx.params.id);
          return null;
        },
      },
      run: {
        rest: 'POST /export-schedules/:id/run',
        successStatus: 202,
        errorStatuses: [429],
        params: { id: 'string|max:64' },
        async handler(ctx: Ctx<{ id: string }>) {
          const d = deps(ctx);
          // Owner or admin may run it; it runs as the owner, like every firing.
          await visibleSchedule(d, requireUser(ctx), ctx.params.id);
          const task = await fireSchedule(d, ctx.params.id, clock.now(), 'manual');
          return task.toView();
        },
      },
    },

    methods: {
      /**
       * One cron firing of schedule `id` standing for the instant `at`: what a tick's job does.
       * Tests call it with the instant they choose (a controllable clock for relative filters).
       */
      async fireAt(id: string, at: Date) {
        return fireSchedule(deps(systemCaller(this.broker)), id, at, 'cron');
      },

      /** Registers every schedule's ticks (idempotent: fixed ids); never throws (a timer's job). */
      async armAll() {
        try {
          for (const s of await repo().all()) await timer().arm(s);
        } catch (e) {
          this.logger.warn('registering the export schedules failed', e);
        }
      },
    },

    async started() {
      const queue = scheduleQueue.get();
      await this.armAll();
      reconcile = setInterval(() => void this.armAll(), RECONCILE_MS);
      reconcile.unref();
      queue.onReconnect(() => void this.armAll());
      queue.process<FireJobData>(FIRE_JOB, 2, async (job) => {
        // A retry names its tick; a tick's own job names it in its id.
        const retry = job.data.at === undefined ? null : new Date(job.data.at);
        let at = retry ?? tickOfJob(job.id);
        try {
          if (!at) {
            const s = await repo().find(job.data.scheduleId);
            at = s ? tickTime(job.id, s, clock.now()) : clock.now();
          }
          const task = await this.fireAt(job.data.scheduleId, at);
          return task ? { taskId: task.id, at: at.toISOString() } : { skipped: true };
        } catch (e) {
          // Refusals are recorded by the firing; this is an outage: the queue fires the tick again
          // (a retry's own attempts do that for a retry).
          if (!retry && at)
            await retryFiring(queue, job.data.scheduleId, at, config.exports.retryDelayMs).catch(
              (r: unknown) =>
                this.logger.warn(`export schedule ${job.data.scheduleId}: could not queue a retry`, r),
            );
          throw e;
        }
      });
    },

    async stopped() {
      // The queues and the database close after this, in the mixins' order.
      if (reconcile) clearInterval(reconcile);
    },
  };
}
