import type { FileTaskRepository } from '../../file-tasks/file-task.ports';
import type { ExportJobs } from '../../exports/export.ports';
import type { OperationLogRepository } from '../../operation-log/operation-log.ports';
import type { Clock } from '../../ports/clock.port';
import type { IdGenerator } from '../../ports/id-generator.port';
import type { Logger } from '../../ports/logger.port';
import type { ObjectStorage } from '../../ports/object-storage.port';
import type { OutboxHint } from '../../ports/outbox.port';
import type { JobReport } from '../run';
import type { ScheduledTaskRule } from '../scheduled-task';
import type {
  BizTypeRetentions,
  CompensationJobs,
  FileTaskMaintenanceRepository,
  SchedulerRepository,
  SchedulerTimer,
} from '../scheduler.ports';

/**
 * What the admin use cases and the scheduling of jobs reach outside the domain, as ports. The
 * clock is the system's: admin changes and run bookkeeping happen now, whatever a test does to
 * the jobs' clock (JobDeps.clock).
 */
export interface SchedulerDeps {
  scheduler: SchedulerRepository;
  timer: SchedulerTimer;
  ids: IdGenerator;
  clock: Clock;
  outbox: OutboxHint;
  logger: Logger;
}

/** The settings the jobs apply (SCHEDULER_* and EXPORT_MAX_ATTEMPTS configuration). */
export interface JobSettings {
  /** EXPORT_MAX_ATTEMPTS: a FAILED export with fewer attempts may be retried. */
  maxExportAttempts: number;
  /** archival's default for file tasks when the rule names none. */
  fileTaskRetentionDays: number;
  /** archival's default for operation log entries when the rule names none. */
  logRetentionDays: number;
  /** expiry deletes temp files of writers that died once untouched this long. */
  tempFileMaxAgeMs: number;
}

/** Everything a job may use, as ports; the service builds it once at start. */
export interface JobDeps {
  scheduler: SchedulerRepository;
  tasks: FileTaskRepository;
  maintenance: FileTaskMaintenanceRepository;
  logs: Pick<OperationLogRepository, 'archiveBefore'>;
  /** The export queue as compensation judges and fills it. */
  compensationJobs: CompensationJobs;
  /** The exports' own way of queueing a fair turn. */
  turns: Pick<ExportJobs, 'enqueueTurn'>;
  storage: ObjectStorage;
  bizTypes: BizTypeRetentions;
  ids: IdGenerator;
  /** What a run takes for now: its start, the instant retention and age rules are measured from. */
  clock: Clock;
  logger: Logger;
  outbox: OutboxHint;
  settings: JobSettings;
}

/** A job: one run under `rule` at `now`, reporting what it did. Re-running it must always be safe. */
export type Job = (d: JobDeps, rule: ScheduledTaskRule, now: Date) => Promise<JobReport>;

export const DAY_MS = 24 * 3600 * 1000;
