import { conflict, notFound, validationError } from '../shared/errors';

/** The scheduler context's errors, one named constructor per code (docs/architecture.md lists them). */
export const SchedulerErrors = {
  taskNotFound: (name: string) =>
    notFound('SCHEDULED_TASK_NOT_FOUND', `no scheduled task "${name}"`, { name }),
  changedMeanwhile: () => conflict('CONCURRENT_CHANGE', 'the scheduled task changed meanwhile; reload it'),
  invalidCron: (cron: string, message: string) => validationError('INVALID_CRON', message, { cron }),
  invalidTimezone: (timezone: string) =>
    validationError('INVALID_TIMEZONE', `unknown timezone "${timezone}"`, { timezone }),
  /** The three built-in jobs stay; an admin's own jobs may be deleted. */
  builtIn: (name: string) =>
    conflict('BUILT_IN_JOB', `${name} is a built-in job: disable it instead`, { name }),
  kindChange: (name: string, kind: string) =>
    validationError('INVALID_RULE', `${name} is a ${kind} job; its kind cannot change`, { field: 'kind' }),
  /** `field` is the full path, e.g. `rule.retentionDays`. */
  invalidRule: (field: string, message: string) => validationError('INVALID_RULE', message, { field }),
} as const;
