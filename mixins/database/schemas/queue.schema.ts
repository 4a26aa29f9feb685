import { EntitySchema, type ValueTransformer } from 'typeorm';

/**
 * Times are epoch milliseconds in BIGINT columns: comparisons and arithmetic (run_at <= now,
 * locked_until < now) are plain integer maths on both engines, with no time zone in play.
 * mysql2 (bigNumberStrings) returns BIGINT as a string and better-sqlite3 as a number, so the
 * transformer makes both a number. Epoch ms stays far below 2^53.
 */
export const epochMs: ValueTransformer = {
  to: (v: number | null | undefined) => v,
  from: (v: string | number | null) => (v === null || v === undefined ? null : Number(v)),
};

export type QueueJobStateColumn = 'waiting' | 'active' | 'completed' | 'failed';

export interface QueueJobRow {
  queue: string;
  id: string;
  name: string;
  /** JSON. */
  data: string;
  /** 'waiting' with run_at in the future is reported as delayed. */
  state: QueueJobStateColumn;
  attemptsMade: number;
  maxAttempts: number;
  backoffType: 'fixed' | 'exponential' | null;
  backoffDelayMs: number | null;
  runAt: number;
  lockToken: string | null;
  lockedUntil: number | null;
  failedReason: string | null;
  createdAt: number;
  finishedAt: number | null;
}

export interface QueueScheduleRow {
  queue: string;
  id: string;
  name: string;
  data: string;
  cron: string;
  timezone: string | null;
  nextRunAt: number;
  updatedAt: number;
}

const key = (name: string, length = 100) => ({ name, type: 'varchar' as const, length, primary: true });
const ms = (name: string, nullable = false) => ({
  name,
  type: 'bigint' as const,
  nullable,
  transformer: epochMs,
});

export const QueueJobSchema = new EntitySchema<QueueJobRow>({
  name: 'QueueJob',
  tableName: 'queue_jobs',
  columns: {
    queue: key('queue'),
    // Room for a repeat job id: `${scheduleId}:${fireTimeMs}`.
    id: key('id', 150),
    name: { type: 'varchar', length: 100 },
    data: { type: 'text' },
    state: { type: 'varchar', length: 16 },
    attemptsMade: { name: 'attempts_made', type: 'int' },
    maxAttempts: { name: 'max_attempts', type: 'int' },
    backoffType: { name: 'backoff_type', type: 'varchar', length: 16, nullable: true },
    backoffDelayMs: { name: 'backoff_delay_ms', type: 'int', nullable: true },
    runAt: ms('run_at'),
    lockToken: { name: 'lock_token', type: 'varchar', length: 64, nullable: true },
    lockedUntil: ms('locked_until', true),
    failedReason: { name: 'failed_reason', type: 'varchar', length: 1000, nullable: true },
    createdAt: ms('created_at'),
    finishedAt: ms('finished_at', true),
  },
  indices: [
    // The claim query: queue = ? AND state = 'waiting' AND run_at <= now ORDER BY run_at.
    { name: 'idx_queue_jobs_claim', columns: ['queue', 'state', 'runAt'] },
    // Retention: finished jobs of a state by age.
    { name: 'idx_queue_jobs_finished', columns: ['queue', 'state', 'finishedAt'] },
  ],
});

export const QueueScheduleSchema = new EntitySchema<QueueScheduleRow>({
  name: 'QueueSchedule',
  tableName: 'queue_schedules',
  columns: {
    queue: key('queue'),
    id: key('id'),
    name: { type: 'varchar', length: 100 },
    data: { type: 'text' },
    cron: { type: 'varchar', length: 120 },
    timezone: { type: 'varchar', length: 64, nullable: true },
    nextRunAt: ms('next_run_at'),
    updatedAt: ms('updated_at'),
  },
  indices: [{ name: 'idx_queue_schedules_due', columns: ['queue', 'nextRunAt'] }],
});

export const QUEUE_ENTITIES = [QueueJobSchema, QueueScheduleSchema];
