import type { ScheduledTaskRule } from '../../domain/scheduler/scheduled-task';
import type { Clock } from '../../domain/ports/clock.port';
import type { JobReport } from '../../domain/scheduler/run';
import type { JobQueue } from '../../domain/ports/job-queue.port';
import type { ObjectStorage } from '../../domain/ports/object-storage.port';
import type { AppConfig } from '../config/app-config';
import type { OperationLogRepository } from '../../domain/operation-log/operation-log.ports';
import type { FileTaskRepository } from '../../domain/file-tasks/file-task.ports';
import type {
  FileTaskMaintenanceRepository,
  SchedulerRepository,
} from '../../domain/scheduler/scheduler.ports';

/** A biz type as the jobs need it (from metadata.all). */
export interface BizTypeRetention {
  code: string;
  kind: 'FILE' | 'EXPORT';
  retentionDays: number | null;
}

/** Everything a job may use; the service builds it once at start. */
export interface JobDeps {
  config: AppConfig;
  tasks: FileTaskRepository;
  maintenance: FileTaskMaintenanceRepository;
  logs: OperationLogRepository;
  scheduler: SchedulerRepository;
  exportQueue: JobQueue;
  storage: ObjectStorage;
  bizTypes: () => Promise<BizTypeRetention[]>;
  ids: { next(): string };
  /** What a run takes for now: its start, the instant retention and age rules are measured from. */
  clock: Clock;
  logger: { info(msg: string): void; warn(msg: string, ...a: unknown[]): void };
  /** Tells the outbox relay that events were committed (a hint; the relay polls anyway). */
  outboxHint: () => void;
}

/** A job: one run under `rule`, reporting what it did. Re-running it must always be safe. */
export type Job = (deps: JobDeps, rule: ScheduledTaskRule, now: Date) => Promise<JobReport>;
