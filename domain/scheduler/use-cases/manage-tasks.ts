import { actorEvent, type Actor, type DomainEvent } from '../../shared/domain-event';
import type { Principal } from '../../shared/principal';
import { decodeCursor, encodeCursor, pageLimit } from '../../shared/pagination';
import { nextTick } from '../cron';
import type { ScheduledTaskRun } from '../run';
import { ScheduledTask, type JobKind, type ScheduledTaskRule } from '../scheduled-task';
import { SchedulerErrors } from '../scheduler.errors';
import type { SchedulerDeps } from './scheduler-deps';

/** A scheduled job as the admin API shows it (API.md "Scheduled tasks"). */
export interface ScheduledTaskView {
  name: string;
  kind: JobKind;
  builtIn: boolean;
  rule: ScheduledTaskRule;
  enabled: boolean;
  version: number;
  lastRun: ScheduledRunView | null;
  nextRunAt: string | null;
}

export interface ScheduledRunView {
  id: string;
  name: string;
  trigger: ScheduledTaskRun['trigger'];
  node: string;
  startedAt: string;
  finishedAt: string | null;
  handled: number;
  outcome: ScheduledTaskRun['outcome'];
  detail: Record<string, unknown>;
}

export const runView = (r: ScheduledTaskRun): ScheduledRunView => ({
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

/** A job with its last run and, when enabled, its next tick. */
async function taskView(
  d: Pick<SchedulerDeps, 'scheduler' | 'clock'>,
  t: ScheduledTask,
): Promise<ScheduledTaskView> {
  const last = await d.scheduler.lastRun(t.name);
  const next = t.enabled ? nextTick(t.rule.cron, t.rule.timezone, d.clock.now()) : null;
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
}

/** The stored job `name`, or 404. */
async function existing(d: Pick<SchedulerDeps, 'scheduler'>, name: string): Promise<ScheduledTask> {
  const task = await d.scheduler.find(name);
  if (!task) throw SchedulerErrors.taskNotFound(name);
  return task;
}

const changedEvent = (
  d: SchedulerDeps,
  actor: Actor,
  name: string,
  detail: Record<string, unknown>,
): DomainEvent =>
  actorEvent(d, actor, {
    type: 'SCHEDULED_TASK_CHANGED',
    targetType: 'SCHEDULED_TASK',
    targetId: name,
    bizType: null,
    detail,
  });

/** GET /api/scheduled-tasks: every job, by name. */
export async function listTasks(d: Pick<SchedulerDeps, 'scheduler' | 'clock'>): Promise<ScheduledTaskView[]> {
  return Promise.all((await d.scheduler.list()).map((t) => taskView(d, t)));
}

export interface TaskChange {
  kind?: string;
  /** Any shape: parseRule answers a wrong one with INVALID_RULE naming the field. */
  rule?: unknown;
  enabled?: boolean;
}

/**
 * PUT /api/scheduled-tasks/:name: changes a job's rule or `enabled` (conditional on the version
 * read), or, for a new name with a kind, creates another job of that kind (API.md "Lifecycle
 * rules per biz type"); the ticks follow. `created` says which (201 or 200).
 */
export async function changeTask(
  d: SchedulerDeps,
  user: Principal,
  actor: Actor,
  name: string,
  input: TaskChange,
): Promise<{ created: boolean; view: ScheduledTaskView }> {
  const task = await d.scheduler.find(name);
  if (!task && input.kind !== undefined)
    return { created: true, view: await createTask(d, user, actor, name, input) };
  if (!task) throw SchedulerErrors.taskNotFound(name);
  if (input.kind !== undefined && input.kind !== task.kind) throw SchedulerErrors.kindChange(name, task.kind);
  const from = task.version;
  const before = task.snapshot();
  task.change({ rule: input.rule, enabled: input.enabled }, user.id, d.clock.now());
  const event = changedEvent(d, actor, name, {
    before: { rule: before.rule, enabled: before.enabled },
    rule: task.rule,
    enabled: task.enabled,
  });
  const saved = await d.scheduler.update(task, from, [event]);
  d.outbox.appended();
  if (!saved) throw SchedulerErrors.changedMeanwhile();
  await d.timer.arm(task);
  return { created: false, view: await taskView(d, task) };
}

/** A new job of `input.kind` under an admin's name: stored, its ticks registered. */
async function createTask(
  d: SchedulerDeps,
  user: Principal,
  actor: Actor,
  name: string,
  input: TaskChange,
): Promise<ScheduledTaskView> {
  const task = ScheduledTask.create(name, input, user.id, d.clock.now());
  const event = changedEvent(d, actor, name, {
    op: 'CREATED',
    kind: task.kind,
    rule: task.rule,
    enabled: task.enabled,
  });
  const stored = await d.scheduler.insert(task, [event]);
  d.outbox.appended();
  if (!stored) throw SchedulerErrors.changedMeanwhile();
  await d.timer.arm(task);
  return taskView(d, task);
}

/** DELETE /api/scheduled-tasks/:name: an admin's own job (the built-in ones stay); its runs stay. */
export async function deleteTask(d: SchedulerDeps, actor: Actor, name: string): Promise<void> {
  const task = await existing(d, name);
  if (task.builtIn) throw SchedulerErrors.builtIn(task.name);
  const event = changedEvent(d, actor, task.name, {
    op: 'DELETED',
    kind: task.kind,
    rule: task.rule,
    enabled: task.enabled,
  });
  const deleted = await d.scheduler.delete(task.name, task.version, [event]);
  d.outbox.appended();
  if (!deleted) throw SchedulerErrors.changedMeanwhile();
  await d.timer.disarm(task.name);
}

/** GET /api/scheduled-tasks/:name/runs: a job's runs, newest first, a page after the cursor. */
export async function listRuns(
  d: Pick<SchedulerDeps, 'scheduler'>,
  name: string,
  page: { limit?: unknown; cursor?: unknown },
): Promise<{ items: ScheduledTaskRun[]; nextCursor: string | null }> {
  const job = await existing(d, name);
  const limit = pageLimit(page.limit);
  const cursor = decodeCursor<{ id: string }>(page.cursor, { id: 'string' });
  const rows = await d.scheduler.runs(job.name, limit + 1, cursor?.id ?? null);
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  return { items, nextCursor: rows.length > limit && last ? encodeCursor({ id: last.id }) : null };
}
