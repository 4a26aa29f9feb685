import { tooLarge, validationError } from '../shared/errors';

/** Errors of the JobQueue port, the same from every adapter (docs/architecture.md lists them). */
export const QueueErrors = {
  invalidKey: (what: string, value: unknown) =>
    validationError('QUEUE_INVALID_KEY', `job ${what} must be 1-100 characters without ':'`, {
      [what]: value,
    }),
  jobDataTooLarge: (maxBytes: number) =>
    tooLarge('QUEUE_JOB_DATA_TOO_LARGE', `job data exceeds ${maxBytes} bytes`),
  invalidOptions: (message: string, data: Record<string, unknown>) =>
    validationError('QUEUE_INVALID_OPTIONS', message, data),
  invalidCron: (message: string, data: Record<string, unknown>) =>
    validationError('QUEUE_INVALID_CRON', message, data),
  handlerExists: (name: string) =>
    validationError('QUEUE_HANDLER_EXISTS', `a handler for ${name} is registered already`, { name }),
} as const;
