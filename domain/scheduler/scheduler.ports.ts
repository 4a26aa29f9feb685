import type { FileTaskStatus } from '../file-tasks/file-task';
import type { DomainEvent } from '../shared/domain-event';
import type { CompensationView } from './compensation';
import type { ScheduledTaskRun } from './run';
import type { ScheduledTask } from './scheduled-task';
import type { FileTaskKind } from '../file-tasks/file-task';

/** Scheduled jobs and their run history; writes that log store their events in the same transaction. */
export interface SchedulerRepository {
  /** Stores a job that does not exist yet; a job stored already (another node, an admin) is kept. */
  ensure(task: ScheduledTask): Promise<void>;
  list(): Promise<ScheduledTask[]>;
  find(name: string): Promise<ScheduledTask | null>;
  /** Stores an admin's new job; false when a job of that name exists already. */
  insert(task: ScheduledTask, events: DomainEvent[]): Promise<boolean>;
  /** Deletes an admin's job if nobody changed it since it was read (version `from`). Runs stay. */
  delete(name: string, from: number, events: DomainEvent[]): Promise<boolean>;
  /** Saves an admin's change if nobody changed the job since it was read (version `from`). */
  update(task: ScheduledTask, from: number, events: DomainEvent[]): Promise<boolean>;
  /** Records a run's start; false when the tick already has a run (another node took it). */
  startRun(run: ScheduledTaskRun): Promise<boolean>;
  /** The run recorded for a cron tick, if any. */
  runOfTick(name: string, jobId: string): Promise<ScheduledTaskRun | null>;
  /** Takes a RUNNING run over under a new id; of two nodes trying, only one gets true. */
  takeOverRun(prevId: string, run: ScheduledTaskRun): Promise<boolean>;
  finishRun(run: ScheduledTaskRun): Promise<boolean>;
  /** Ends a run nobody will finish, unless it finished or was taken over meanwhile. */
  interruptRun(run: ScheduledTaskRun): Promise<boolean>;
  runningRuns(): Promise<ScheduledTaskRun[]>;
  /** A job's runs, newest first, after the cursor id. */
  runs(name: string, limit: number, beforeId: string | null): Promise<ScheduledTaskRun[]>;
  lastRun(name: string): Promise<ScheduledTaskRun | null>;
  /** Events that change no record of ours (e.g. log entries archived): outbox only. */
  logEvents(events: DomainEvent[]): Promise<void>;
  /** Drops run history older than `before`; how many runs went. */
  pruneRuns(before: Date): Promise<number>;
}

/** An export that may be stuck, as compensation judges it. */
export interface CompensationCandidate extends CompensationView {
  id: string;
  bizType: string;
  version: number;
}

/**
 * The scheduler's queries over file task records: stuck exports, expired files, orphaned objects
 * and the move of old records to cold storage. Apart from FileTaskRepository, which serves requests.
 */
export interface FileTaskMaintenanceRepository {
  /** One page (by id, after `afterId`) of exports in `status` that may be stuck. */
  candidates(
    status: 'PENDING' | 'EXPORTING' | 'FAILED',
    p: { now: Date; settledBefore: Date; afterId: string; limit: number; bizTypes: readonly string[] },
  ): Promise<CompensationCandidate[]>;
  /** Takes a stuck export (new version, lease owner cleared) with its event if it is still at its version; false when it moved meanwhile. */
  claim(t: CompensationCandidate, now: Date, events: DomainEvent[]): Promise<boolean>;
  /** Ids of SUCCESS exports of a biz type whose last change is older than `before`. */
  expired(bizType: string, before: Date, afterId: string, limit: number): Promise<string[]>;
  /** What the records say about objects named after these task ids. */
  owners(ids: readonly string[]): Promise<Map<string, { status: FileTaskStatus; storageKey: string | null }>>;
  /** Moves one batch of finished tasks to cold storage with its event; how many moved. */
  archiveBatch(
    status: FileTaskStatus,
    before: Date,
    limit: number,
    bizTypes: readonly string[],
    event: (n: number, firstId: string, lastId: string) => DomainEvent,
  ): Promise<number>;
}

/**
 * The ticks of scheduled jobs: a repeatable queue job per enabled job, registered by every core
 * node under a fixed id, so each tick runs once in the cluster.
 */
export interface SchedulerTimer {
  /** Registers (or replaces) the job's ticks when it is enabled, removes them when not. */
  arm(task: ScheduledTask): Promise<void>;
  disarm(name: string): Promise<void>;
  /** Queues one run of `name` standing for the missed `tick`; adding the same tick twice runs it once. */
  makeUp(name: string, tick: Date): Promise<void>;
  /** Whether the queue still holds the tick's job to run (again): a dead worker's tick is redelivered. */
  tickLive(jobId: string): Promise<boolean>;
}

/** A biz type as the lifecycle jobs need it. */
export interface BizTypeRetention {
  code: string;
  kind: FileTaskKind;
  retentionDays: number | null;
}

/** Every biz type's retention, as metadata has it now. */
export interface BizTypeRetentions {
  all(): Promise<BizTypeRetention[]>;
}

/**
 * The export queue as compensation sees it. Since fair scheduling a job is a turn of a worker
 * slot, not a reservation of its task (domain/exports/fair-turns.ts), so compensation asks about
 * the jobs that would carry a task on, and whether any job is left at all.
 */
export interface CompensationJobs {
  /**
   * Whether the queue holds a job that will still run (waiting, delayed, active): the one a
   * compensation enqueued for the task at `version`, or the export's own job of one of the
   * `attemptRounds` (named after the attempts made when it was enqueued).
   */
  live(taskId: string, version: number, attemptRounds: readonly number[]): Promise<boolean>;
  /** The job that carries a claimed task on (one try, unique per claimed `version`). */
  enqueue(taskId: string, attemptsSoFar: number, version: number): Promise<void>;
  /** The id of the job `enqueue` adds, for the TASK_COMPENSATED event written before it. */
  jobId(taskId: string, version: number): string;
  /** True when the queue holds no job that will still run: nothing will give a waiting export a turn. */
  idle(): Promise<boolean>;
}
