import { CronExpressionParser } from 'cron-parser';
import { SchedulerErrors } from './scheduler.errors';

/**
 * Cron and timezone checks for schedules, done before anything reaches a queue so bad input is a
 * 400 with a clear code, never a failure inside the queue adapter. cron-parser is a pure library
 * (no I/O), the same one both queue adapters use to compute ticks.
 */
export function checkCron(cron: string, timezone: string | null): void {
  const fields = cron.trim().split(/\s+/);
  if (fields.length < 5 || fields.length > 6) {
    throw SchedulerErrors.invalidCron(cron, 'cron must have 5 fields, or 6 with seconds first');
  }
  if (timezone !== null && !validTimezone(timezone)) {
    throw SchedulerErrors.invalidTimezone(timezone);
  }
  try {
    CronExpressionParser.parse(cron, timezone ? { tz: timezone } : {}).next();
  } catch (e) {
    throw SchedulerErrors.invalidCron(cron, `invalid cron "${cron}": ${(e as Error).message}`);
  }
}

/** The next tick after `after`, for the list view; null when the expression cannot be evaluated. */
export function nextTick(cron: string, timezone: string | null, after: Date): Date | null {
  try {
    const opts = timezone ? { currentDate: after, tz: timezone } : { currentDate: after };
    return CronExpressionParser.parse(cron, opts).next().toDate();
  } catch {
    return null;
  }
}

/**
 * The tick a schedule missed while its queue was gone (Redis restarted without its data): the last
 * tick at least `graceMs` before `now` (a tick firing right now is not missed) that no run started
 * at or after. Null when the last run is newer, when nothing ever ran (a fresh installation has
 * missed nothing), or when the expression cannot be evaluated. Made up once: the caller names the
 * catch-up job after the tick.
 */
export function missedTick(
  cron: string,
  timezone: string | null,
  lastRunAt: Date | null,
  now: Date,
  graceMs: number,
): Date | null {
  if (!lastRunAt) return null;
  try {
    const at = new Date(now.getTime() - graceMs);
    const opts = timezone ? { currentDate: at, tz: timezone } : { currentDate: at };
    const tick = CronExpressionParser.parse(cron, opts).prev().toDate();
    return tick.getTime() > lastRunAt.getTime() ? tick : null;
  } catch {
    return null;
  }
}

function validTimezone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}
