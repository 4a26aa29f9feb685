import { conflict, notFound, validationError } from '../shared/errors';

/** The scheduler context's errors, one named constructor per code (docs/architecture.md lists them). */
export const SchedulerErrors = {
  taskNotFound: (name: string) =>
    notFound('SCHEDULED_TASK_NOT_FOUND', `no scheduled task "${name}"`, { name }),
  changedMeanwhile: () => conflict('CONCURRENT_CHANGE', 'the scheduled task changed meanwhile; reload it'),
  invalidCron: (cron: string, message: string) => validationError('INVALID_CRON', message, { cron }),
  invalidTimezone: (timezone: string) =>
    validationError('INVALID_TIMEZONE', `unknown timezone "${timezone}"`, { timezone }),
  /** `field` is the full path, e.g. `rule.retentionDays`. */
  invalidRule: (field: string, message: string) => validationError('INVALID_RULE', message, { field }),
} as const;
