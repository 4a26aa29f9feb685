import { isDomainError, type DomainError } from '../../shared/errors';
import type { FileTask } from '../../file-tasks/file-task';
import { requestExport } from '../../exports/use-cases/request-export';
import { ExportScheduleErrors } from '../export-schedule.errors';
import { resolveFilters } from '../relative-filters';
import { scheduleEvent, type ScheduleDeps } from './schedule-deps';

/** A domain's no to the firing, as opposed to an outage of something it needed. */
const isRefusal = (e: unknown): e is DomainError => isDomainError(e) && e.kind !== 'UNAVAILABLE';

export type FiringTrigger = 'cron' | 'manual';

/** The idempotency key of a firing: one task per schedule and firing instant, whoever fires it. */
export const firingKey = (scheduleId: string, at: Date) => `sched.${scheduleId}.${at.getTime()}`;

/**
 * One firing of a schedule at `at` (the cron tick it stands for, or now for a manual run): the
 * export is requested as the owner is now (roles, unit and grants read at this moment, so a grant
 * revoked since the schedule was written stops it), with relative filters resolved at `at` in the
 * schedule's zone, under an idempotency key made of the schedule and `at`: a tick delivered twice,
 * or fired by two nodes, makes one task. A cron tick of a disabled or deleted schedule does
 * nothing. A firing the domain refuses (owner gone, grant revoked, biz type changed, a limit) is
 * recorded on the schedule and logged as EXPORT_SCHEDULE_FAILED; a manual run also throws it to
 * its caller. Infrastructure errors propagate, domain errors that say something is unreachable
 * (UNAVAILABLE: the directory, storage, a data source) included: nothing was refused, so nothing
 * is recorded, and the queue tries the firing again (its task is keyed by the tick: never twice).
 */
export async function fireSchedule(
  d: ScheduleDeps,
  id: string,
  at: Date,
  trigger: 'manual',
): Promise<FileTask>;
export async function fireSchedule(
  d: ScheduleDeps,
  id: string,
  at: Date,
  trigger: FiringTrigger,
): Promise<FileTask | null>;
export async function fireSchedule(
  d: ScheduleDeps,
  id: string,
  at: Date,
  trigger: FiringTrigger,
): Promise<FileTask | null> {
  const s = await d.schedules.find(id);
  if (!s) {
    if (trigger === 'manual') throw ExportScheduleErrors.hidden();
    await d.timer.disarm(id); // a tick left over from a deleted schedule
    return null;
  }
  if (trigger === 'cron' && !s.enabled) return null;
  const f = s.fields();
  const system = { userId: null, requestId: null };
  try {
    const owner = await d.owners.current(s.ownerId);
    if (!owner) throw ExportScheduleErrors.ownerUnavailable();
    const task = await requestExport(
      d.exports,
      owner,
      { userId: owner.id, requestId: null },
      {
        bizType: f.bizType,
        format: f.format,
        filters: resolveFilters(f.filters, at, f.timeZone),
        ...(f.columns ? { columns: f.columns } : {}),
        timeZone: f.timeZone,
        ...(f.locale ? { locale: f.locale } : {}),
        idempotencyKey: firingKey(s.id, at),
      },
      { scheduleId: s.id },
    );
    await d.schedules.recordFiring(s.id, { at, taskId: task.id, error: null }, []);
    return task;
  } catch (e) {
    if (!isRefusal(e)) throw e;
    const failed = scheduleEvent(
      d,
      system,
      'EXPORT_SCHEDULE_FAILED',
      s,
      { trigger, firedAt: at.toISOString(), code: e.code, message: e.message },
      'FAILURE',
    );
    await d.schedules.recordFiring(s.id, { at, taskId: null, error: `${e.code}: ${e.message}` }, [failed]);
    d.outbox.appended();
    if (trigger === 'manual') throw e;
    return null;
  }
}
