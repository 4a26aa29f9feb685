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

/**
 * Codes that say something the export depends on is unreachable, not that the export is wrong:
 * a service or the transporter (Moleculer's error types), a database (mysql2, Node socket codes,
 * also inside TypeORM's driverError) or Redis (ioredis). Such a failure is an outage: it is
 * classified SOURCE_UNAVAILABLE and does not spend an attempt while the outage window lasts.
 */
const OUTAGE_CODES = new Set([
  'SOURCE_UNAVAILABLE',
  'SERVICE_NOT_FOUND',
  'SERVICE_NOT_AVAILABLE',
  'REQUEST_TIMEOUT',
  'REQUEST_REJECTED',
  'REQUEST_SKIPPED',
  'BAD_GATEWAY',
  'SERVICE_UNAVAILABLE',
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
  'PROTOCOL_CONNECTION_LOST',
  'PROTOCOL_SEQUENCE_TIMEOUT',
  'ER_CON_COUNT_ERROR',
  'ER_SERVER_SHUTDOWN',
  'ER_LOCK_WAIT_TIMEOUT',
  'ER_LOCK_DEADLOCK',
  'SQLITE_BUSY',
]);
/** ioredis names its errors instead of coding them. */
const OUTAGE_NAMES = new Set(['MaxRetriesPerRequestError']);
const OUTAGE_MESSAGES = /^(Connection is closed\.|Stream isn't writeable|connect ECONNREFUSED)/;

type ErrorLike = {
  code?: unknown;
  type?: unknown;
  name?: unknown;
  message?: unknown;
  retryable?: unknown;
  driverError?: unknown;
};

/** Whether an error says a dependency is unreachable (see OUTAGE_CODES). */
export function isOutageError(e: unknown): boolean {
  if (e instanceof ExportFailure) return e.reason === 'SOURCE_UNAVAILABLE';
  const o = (e ?? {}) as ErrorLike;
  if (typeof o.type === 'string' && OUTAGE_CODES.has(o.type)) return true;
  if (typeof o.code === 'string' && OUTAGE_CODES.has(o.code)) return true;
  if (typeof o.name === 'string' && OUTAGE_NAMES.has(o.name)) return true;
  if (typeof o.message === 'string' && OUTAGE_MESSAGES.test(o.message)) return true;
  // Moleculer marks its transport and availability errors retryable.
  if (o.retryable === true) return true;
  return o.driverError !== undefined && o.driverError !== e && isOutageError(o.driverError);
}

/** Maps any error of a run to a failure reason by its stable code, never by class. */
export function classifyExportError(e: unknown): ExportFailure {
  if (e instanceof ExportFailure) return e;
  const o = (e ?? {}) as ErrorLike;
  const code = typeof o.type === 'string' ? o.type : typeof o.code === 'string' ? o.code : '';
  const message = typeof o.message === 'string' ? o.message : String(e);
  if (code.startsWith('STORAGE_')) return new ExportFailure('STORAGE_ERROR', message);
  if (isOutageError(e)) return new ExportFailure('SOURCE_UNAVAILABLE', message);
  if (
    code === 'BIZ_TYPE_INVALID' ||
    code === 'UNKNOWN_SOURCE' ||
    code === 'UNKNOWN_DATA_HANDLER' ||
    code === 'INVALID_EXPORT_COLUMNS'
  )
    return new ExportFailure('BIZ_TYPE_INVALID', message);
  return new ExportFailure('INTERNAL', message);
}

/** An outage wait in progress: when the first outage failure of this run chain happened, and how many waits followed. */
export interface OutageState {
  /** Epoch ms of the first outage failure of the chain. */
  since: number;
  waits: number;
}

export interface OutagePolicy {
  /** How long outage failures are waited out without spending attempts (EXPORT_OUTAGE_WINDOW_SECONDS). */
  windowMs: number;
}

/** First wait, and the cap: below compensation's default minimum age (60 s), so a waiting export is never taken for a stuck one. */
export const OUTAGE_FIRST_WAIT_MS = 1_000;
export const OUTAGE_MAX_WAIT_MS = 30_000;

export type OutageDecision = { wait: true; delayMs: number; next: OutageState } | { wait: false };

/**
 * Infrastructure errors are not attempts: a failure of `isOutageError` kind is waited out (the
 * run is tried again after an exponential delay with jitter, capped at OUTAGE_MAX_WAIT_MS) for as
 * long as the outage window lasts, counted from the first outage failure of the chain. Any other
 * failure, or an outage that outlasts the window, is an attempt. `random` in [0, 1) spreads the
 * waits of many exports so they do not all come back at the same instant.
 */
export function outageRetry(
  failure: ExportFailure,
  state: OutageState | null,
  now: number,
  random: number,
  policy: OutagePolicy,
): OutageDecision {
  if (failure.reason !== 'SOURCE_UNAVAILABLE') return { wait: false };
  const since = state?.since ?? now;
  if (now - since >= policy.windowMs) return { wait: false };
  const waits = state?.waits ?? 0;
  const ceiling = Math.min(OUTAGE_MAX_WAIT_MS, OUTAGE_FIRST_WAIT_MS * 2 ** Math.min(waits, 30));
  // "Equal jitter": half fixed, half random, so a wait never collapses to nothing.
  const delayMs = Math.round(ceiling / 2 + (ceiling / 2) * Math.min(Math.max(random, 0), 1));
  return { wait: true, delayMs, next: { since, waits: waits + 1 } };
}
