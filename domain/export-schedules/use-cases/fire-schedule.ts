import { isDomainError } from '../../shared/errors';
import type { FileTask } from '../../file-tasks/file-task';
import { requestExport } from '../../exports/use-cases/request-export';
import { ExportScheduleErrors } from '../export-schedule.errors';
import { resolveFilters } from '../relative-filters';
import { scheduleEvent, type ScheduleDeps } from './schedule-deps';

export type FiringTrigger = 'cron' | 'manual';

/** The idempotency key of a firing: one task per schedule and firing instant, whoever fires it. */
export const firingKey = (scheduleId: string, at: Date) => `sched.${scheduleId}.${at.getTime()}`;

/**
 * One firing of a schedule at `at` (the cron tick it stands for, or now for a manual run): the
 * export is requested as the owner is now (roles, unit and grants read at this moment, so a grant
 * revoked since the schedule was written stops it), with relative filters resolved at `at` in the
 * schedule's zone, under an idempotency key made of the schedule and `at`: a tick delivered twice,
 * or fired by two nodes, makes one task. A cron tick of a disabled or deleted schedule does
 * nothing. A firing the domain refuses (owner gone, grant revoked, biz type changed) is recorded
 * on the schedule and logged as EXPORT_SCHEDULE_FAILED; a manual run also throws it to its caller.
 * Infrastructure errors propagate (the tick's queue job fails and says why).
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
    if (!isDomainError(e)) throw e;
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
