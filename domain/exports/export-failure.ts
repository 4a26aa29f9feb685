import { RETRYABLE_REASONS, type FailureReason } from '../file-tasks/file-task';

/** Why an export stopped, classified for the task record, the queue and compensation. */
export class ExportFailure extends Error {
  constructor(
    readonly reason: FailureReason,
    message: string,
  ) {
    super(message);
    this.name = 'ExportFailure';
  }

  get retryable(): boolean {
    return RETRYABLE_REASONS.includes(this.reason);
  }
}

/** The export stopped because its task was cancelled or taken over: nothing is recorded. */
export class ExportStopped extends Error {
  constructor(message = 'the export was cancelled or its lease was lost') {
    super(message);
    this.name = 'ExportStopped';
  }
}

/** Maps any error of a run to a failure reason by its stable code, never by class. */
export function classifyExportError(e: unknown): ExportFailure {
  if (e instanceof ExportFailure) return e;
  const o = (e ?? {}) as { code?: unknown; type?: unknown; message?: unknown; retryable?: unknown };
  const code = typeof o.type === 'string' ? o.type : typeof o.code === 'string' ? o.code : '';
  const message = typeof o.message === 'string' ? o.message : String(e);
  if (code.startsWith('STORAGE_')) return new ExportFailure('STORAGE_ERROR', message);
  if (
    code === 'SOURCE_UNAVAILABLE' ||
    code === 'SERVICE_NOT_FOUND' ||
    code === 'SERVICE_NOT_AVAILABLE' ||
    code === 'REQUEST_TIMEOUT' ||
    code === 'REQUEST_REJECTED' ||
    o.retryable === true
  )
    return new ExportFailure('SOURCE_UNAVAILABLE', message);
  if (
    code === 'BIZ_TYPE_INVALID' ||
    code === 'UNKNOWN_SOURCE' ||
    code === 'UNKNOWN_DATA_HANDLER' ||
    code === 'INVALID_EXPORT_COLUMNS'
  )
    return new ExportFailure('BIZ_TYPE_INVALID', message);
  return new ExportFailure('INTERNAL', message);
}
