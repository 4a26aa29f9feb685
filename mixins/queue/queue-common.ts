import { CronExpressionParser } from 'cron-parser';
import { QueueErrors } from '../../domain/ports/queue.errors';

/** What both queue adapters share, kept apart so the bull adapter does not load TypeORM. */

export interface QueueLogger {
  warn(message: string, ...args: unknown[]): void;
  error(message: string, ...args: unknown[]): void;
}

export interface Retention {
  maxAgeMs: number;
  maxCount: number;
}

const DAY = 24 * 3600 * 1000;
/** Same bounds as the bull adapter's removeOnComplete / removeOnFail. */
export const DEFAULT_RETENTION = {
  completed: { maxAgeMs: DAY, maxCount: 1000 },
  failed: { maxAgeMs: 7 * DAY, maxCount: 5000 },
};

/** Next fire time strictly after `after`; cron in local time unless a timezone is given (as bull). */
export function nextCronFire(cron: string, timezone: string | null | undefined, after: number): number {
  try {
    const options = timezone
      ? { currentDate: new Date(after), tz: timezone }
      : { currentDate: new Date(after) };
    return CronExpressionParser.parse(cron, options).next().getTime();
  } catch (e) {
    throw QueueErrors.invalidCron(`invalid cron "${cron}": ${(e as Error).message}`, { cron, timezone });
  }
}
