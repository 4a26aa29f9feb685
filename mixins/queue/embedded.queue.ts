import crypto from 'node:crypto';
import os from 'node:os';
import type { DataSource } from 'typeorm';
import {
  backoffDelay,
  checkJobKey,
  checkJobOptions,
  encodeJobData,
  isNonRetryable,
  type JobHandler,
  type JobOptions,
  type JobQueue,
  type JobState,
  type JobStatus,
  type RepeatOptions,
} from '../../domain/ports/job-queue.port';
import { ulidIds } from '../auth/ulid-ids';
import { isDuplicateKey } from '../database/db-errors';
import {
  QueueJobSchema,
  QueueScheduleSchema,
  type QueueJobRow,
  type QueueScheduleRow,
} from '../database/schemas/queue.schema';
import { DEFAULT_RETENTION, nextCronFire, type QueueLogger, type Retention } from './queue-common';
import { QueueErrors } from '../../domain/ports/queue.errors';

export interface EmbeddedQueueOptions {
  /** How often an idle queue looks for due jobs; an add in this process wakes it at once. */
  pollIntervalMs?: number;
  /**
   * How long a claimed job stays locked without renewal. The lock is renewed every third of it,
   * so only a dead process (or an event loop blocked that long) lets another take the job over.
   */
  lockDurationMs?: number;
  /** How often expired locks are looked for (jobs of a dead process go back to waiting). */
  stalledCheckMs?: number;
  /** How long stop() waits for running handlers. */
  stopTimeoutMs?: number;
  retention?: { completed: Retention; failed: Retention };
  /** How often finished jobs beyond the retention are deleted. */
  retentionEveryMs?: number;
  logger?: QueueLogger;
}

interface Registration {
  concurrency: number;
  active: number;
  handler: JobHandler<unknown>;
}

const reasonOf = (e: unknown) => (e instanceof Error ? e.message : String(e)).slice(0, 1000);

/**
 * The in-process queue of the embedded default. Jobs are rows of `queue_jobs` in the main
 * database, so a restart loses none, and several processes may share one database: a job is
 * claimed with a conditional UPDATE (still waiting, still the attempt we read), so only one
 * process ever gets it, and every later write is conditional on the claim's lock token.
 */
export class EmbeddedJobQueue implements JobQueue {
  readonly kind = 'embedded' as const;
  private readonly pollMs: number;
  private readonly lockMs: number;
  private readonly stalledCheckMs: number;
  private readonly stopTimeoutMs: number;
  private readonly retention: { completed: Retention; failed: Retention };
  private readonly retentionEveryMs: number;
  private readonly log: QueueLogger;
  private readonly owner = `${os.hostname().slice(0, 20)}/${process.pid}/${crypto.randomBytes(3).toString('hex')}`;
  private claims = 0;
  private readonly handlers = new Map<string, Registration>();
  private readonly running = new Set<Promise<void>>();
  private status: 'new' | 'started' | 'stopping' | 'stopped' = 'new';
  private loopDone: Promise<void> = Promise.resolve();
  private starting: Promise<void> | null = null;
  private stopping: Promise<void> | null = null;
  private wakeUp: (() => void) | null = null;
  private woken = false;
  private lastStalledCheck = 0;
  private lastRetention = 0;

  constructor(
    private readonly queueName: string,
    private readonly ds: DataSource,
    options: EmbeddedQueueOptions = {},
  ) {
    checkJobKey('name', queueName);
    this.pollMs = options.pollIntervalMs ?? 200;
    this.lockMs = options.lockDurationMs ?? 30_000;
    this.stalledCheckMs = options.stalledCheckMs ?? 5_000;
    this.stopTimeoutMs = options.stopTimeoutMs ?? 10_000;
    this.retention = options.retention ?? DEFAULT_RETENTION;
    this.retentionEveryMs = options.retentionEveryMs ?? 60_000;
    this.log = options.logger ?? console;
  }

  start(): Promise<void> {
    this.starting ??= this.begin();
    return this.starting;
  }

  private async begin(): Promise<void> {
    this.lastStalledCheck = Date.now();
    await this.recoverStalled(this.lastStalledCheck);
    if (this.status !== 'new') return; // stop() came first
    this.status = 'started';
    this.loopDone = this.loop();
  }

  stop(): Promise<void> {
    this.stopping ??= this.end();
    return this.stopping;
  }

  private async end(): Promise<void> {
    await this.starting?.catch(() => undefined);
    if (this.status !== 'started') {
      this.status = 'stopped';
      return;
    }
    this.status = 'stopping';
    this.wake();
    await this.loopDone;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(true), this.stopTimeoutMs);
    });
    const settled = Promise.allSettled([...this.running]).then(() => false);
    if (await Promise.race([settled, timedOut])) {
      // Their locks lapse and another process (or this one after a restart) runs them again.
      this.log.warn(`queue ${this.queueName}: ${this.running.size} job(s) still running after stop timeout`);
    }
    clearTimeout(timer);
    this.status = 'stopped';
  }

  async add<T>(name: string, data: T, options: JobOptions = {}): Promise<string> {
    checkJobKey('name', name);
    if (options.jobId !== undefined) checkJobKey('jobId', options.jobId);
    checkJobOptions(options);
    const now = Date.now();
    const id = options.jobId ?? ulidIds.next();
    const inserted = await this.insertJob({
      queue: this.queueName,
      id,
      name,
      data: encodeJobData(data),
      state: 'waiting',
      attemptsMade: 0,
      maxAttempts: options.attempts ?? 1,
      backoffType: options.backoff?.type ?? null,
      backoffDelayMs: options.backoff?.delayMs ?? null,
      runAt: now + (options.delayMs ?? 0),
      lockToken: null,
      lockedUntil: null,
      failedReason: null,
      createdAt: now,
      finishedAt: null,
    });
    if (inserted && !options.delayMs) this.wake();
    return id;
  }

  /** The jobs live in the records' database: nothing is lost when it comes back. */
  onReconnect(): void {}

  async addRepeatable<T>(name: string, data: T, repeat: RepeatOptions): Promise<void> {
    checkJobKey('name', name);
    checkJobKey('jobId', repeat.jobId);
    const now = Date.now();
    const row: QueueScheduleRow = {
      queue: this.queueName,
      id: repeat.jobId,
      name,
      data: encodeJobData(data),
      cron: repeat.cron,
      timezone: repeat.timezone ?? null,
      nextRunAt: nextCronFire(repeat.cron, repeat.timezone, now),
      updatedAt: now,
    };
    try {
      await this.ds
        .createQueryBuilder()
        .insert()
        .into(QueueScheduleSchema)
        .values(row)
        .updateEntity(false)
        .execute();
      return;
    } catch (e) {
      if (!isDuplicateKey(e)) throw e;
    }
    // Registered already (every node registers at start): replace only what changed, and keep
    // the pending tick unless the timing itself changed.
    const old = await this.ds
      .getRepository(QueueScheduleSchema)
      .findOneBy({ queue: this.queueName, id: repeat.jobId });
    if (!old) return;
    const timing = old.cron !== row.cron || old.timezone !== row.timezone;
    if (!timing && old.name === row.name && old.data === row.data) return;
    await this.ds
      .createQueryBuilder()
      .update(QueueScheduleSchema)
      .set({
        name: row.name,
        data: row.data,
        cron: row.cron,
        timezone: row.timezone,
        updatedAt: now,
        ...(timing ? { nextRunAt: row.nextRunAt } : {}),
      })
      .where('queue = :queue AND id = :id', { queue: this.queueName, id: repeat.jobId })
      .execute();
  }

  async removeRepeatable(jobId: string): Promise<void> {
    await this.ds
      .createQueryBuilder()
      .delete()
      .from(QueueScheduleSchema)
      .where('queue = :queue AND id = :id', { queue: this.queueName, id: jobId })
      .execute();
  }

  process<T>(name: string, concurrency: number, handler: JobHandler<T>): void {
    checkJobKey('name', name);
    if (!Number.isInteger(concurrency) || concurrency < 1) {
      throw QueueErrors.invalidOptions('concurrency must be a positive integer', { concurrency });
    }
    if (this.handlers.has(name)) {
      throw QueueErrors.handlerExists(name);
    }
    this.handlers.set(name, { concurrency, active: 0, handler: handler as JobHandler<unknown> });
    this.wake();
  }

  async getJob(id: string): Promise<JobStatus | null> {
    const row = await this.ds.getRepository(QueueJobSchema).findOneBy({ queue: this.queueName, id });
    if (!row) return null;
    const state: JobState = row.state === 'waiting' && row.runAt > Date.now() ? 'delayed' : row.state;
    return { id: row.id, state, attemptsMade: row.attemptsMade, failedReason: row.failedReason };
  }

  async counts(): Promise<Record<JobState, number>> {
    const now = Date.now();
    const rows = await this.ds
      .getRepository(QueueJobSchema)
      .createQueryBuilder('j')
      .select('j.state', 'state')
      .addSelect('COUNT(*)', 'n')
      .where('j.queue = :queue', { queue: this.queueName })
      .groupBy('j.state')
      .getRawMany<{ state: string; n: string | number }>();
    const delayed = await this.ds
      .getRepository(QueueJobSchema)
      .createQueryBuilder('j')
      .where('j.queue = :queue AND j.state = :waiting AND j.runAt > :now', {
        queue: this.queueName,
        waiting: 'waiting',
        now,
      })
      .getCount();
    const out: Record<JobState, number> = { waiting: 0, delayed, active: 0, completed: 0, failed: 0 };
    // COUNT(*) is a string on MySQL (bigNumberStrings) and a number on SQLite.
    for (const r of rows) if (r.state in out) out[r.state as JobState] += Number(r.n);
    out.waiting -= delayed;
    return out;
  }

  // ---- the loop -------------------------------------------------------------------------------

  private wake(): void {
    this.woken = true;
    this.wakeUp?.();
  }

  private sleep(ms: number): Promise<void> {
    if (this.woken) {
      this.woken = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const finish = () => {
        clearTimeout(timer);
        this.wakeUp = null;
        this.woken = false;
        resolve();
      };
      const timer = setTimeout(finish, ms);
      // A queue alone must not keep the process alive; the broker or server does.
      timer.unref();
      this.wakeUp = finish;
    });
  }

  private async loop(): Promise<void> {
    while (this.status === 'started') {
      let again = false;
      try {
        again = await this.tick();
      } catch (e) {
        this.log.error(`queue ${this.queueName}: poll failed`, e);
      }
      if (this.status !== 'started') break;
      if (!again) await this.sleep(this.pollMs);
    }
  }

  /** One round of housekeeping and claiming; true when more due jobs may be waiting. */
  private async tick(): Promise<boolean> {
    const now = Date.now();
    if (now - this.lastStalledCheck >= this.stalledCheckMs) {
      this.lastStalledCheck = now;
      await this.recoverStalled(now);
    }
    // Only processing nodes drive schedules and retention: a schedule with no worker anywhere
    // does not pile up one job per tick.
    if (this.handlers.size === 0) return false;
    if (now - this.lastRetention >= this.retentionEveryMs) {
      this.lastRetention = now;
      await this.applyRetention(now);
    }
    await this.fireDueSchedules(now);
    let again = false;
    for (const [name, reg] of this.handlers) {
      const free = reg.concurrency - reg.active;
      if (free <= 0 || this.status !== 'started') continue;
      const { candidates, claimed } = await this.claim(name, free);
      for (const job of claimed) this.launch(job, reg);
      // Every candidate slot filled by rows others won: there may be more due rows right now.
      if (candidates === free && reg.active < reg.concurrency) again = true;
    }
    return again;
  }

  private async claim(name: string, limit: number): Promise<{ candidates: number; claimed: QueueJobRow[] }> {
    const now = Date.now();
    const rows = await this.ds
      .getRepository(QueueJobSchema)
      .createQueryBuilder('j')
      .where('j.queue = :queue AND j.state = :waiting AND j.runAt <= :now AND j.name = :name', {
        queue: this.queueName,
        waiting: 'waiting',
        now,
        name,
      })
      .orderBy('j.runAt', 'ASC')
      .addOrderBy('j.id', 'ASC')
      .limit(limit)
      .getMany();
    const claimed: QueueJobRow[] = [];
    for (const row of rows) {
      if (this.status !== 'started') break;
      const token = `${this.owner}/${++this.claims}`;
      const lockedUntil = Date.now() + this.lockMs;
      const attemptsMade = row.attemptsMade + 1;
      // attempts_made doubles as a version: a row another process claimed, failed and put back
      // between our read and this write is not ours to take with stale data.
      const res = await this.ds
        .createQueryBuilder()
        .update(QueueJobSchema)
        .set({ state: 'active', attemptsMade, lockToken: token, lockedUntil })
        .where(
          'queue = :queue AND id = :id AND state = :waiting AND attempts_made = :seen AND run_at <= :now',
          {
            queue: this.queueName,
            id: row.id,
            waiting: 'waiting',
            seen: row.attemptsMade,
            now,
          },
        )
        .execute();
      if (res.affected === 1)
        claimed.push({ ...row, state: 'active', attemptsMade, lockToken: token, lockedUntil });
    }
    return { candidates: rows.length, claimed };
  }

  private launch(job: QueueJobRow, reg: Registration): void {
    reg.active++;
    const run: Promise<void> = this.run(job, reg).finally(() => {
      reg.active--;
      this.running.delete(run);
      this.wake();
    });
    this.running.add(run);
  }

  /** Never rejects: every outcome is written back to the row. */
  private async run(job: QueueJobRow, reg: Registration): Promise<void> {
    const renewal = setInterval(() => {
      this.renewLock(job).catch((e) => this.log.error(`queue ${this.queueName}: lock renewal failed`, e));
    }, this.lockMs / 3);
    renewal.unref();
    let failure: { error: unknown } | null = null;
    try {
      const data: unknown = JSON.parse(job.data);
      await reg.handler({ id: job.id, name: job.name, data, attempt: job.attemptsMade });
    } catch (error) {
      failure = { error };
    } finally {
      clearInterval(renewal);
    }
    try {
      if (failure) await this.fail(job, failure.error);
      else await this.finish(job, { state: 'completed' });
    } catch (e) {
      // The row stays active; its lock lapses and the stalled check puts it back.
      this.log.error(`queue ${this.queueName}: could not record the outcome of job ${job.id}`, e);
    }
  }

  private async fail(job: QueueJobRow, error: unknown): Promise<void> {
    const failedReason = reasonOf(error);
    if (isNonRetryable(error) || job.attemptsMade >= job.maxAttempts) {
      await this.finish(job, { state: 'failed', failedReason });
      return;
    }
    const backoff = job.backoffType ? { type: job.backoffType, delayMs: job.backoffDelayMs ?? 0 } : undefined;
    const runAt = Date.now() + backoffDelay(backoff, job.attemptsMade);
    await this.finish(job, { state: 'waiting', failedReason, runAt, finishedAt: null });
  }

  /** Writes an outcome only while the claim is still ours. */
  private async finish(job: QueueJobRow, change: Partial<QueueJobRow>): Promise<void> {
    const res = await this.ds
      .createQueryBuilder()
      .update(QueueJobSchema)
      .set({ finishedAt: Date.now(), ...change, lockToken: null, lockedUntil: null })
      .where('queue = :queue AND id = :id AND lock_token = :token', {
        queue: this.queueName,
        id: job.id,
        token: job.lockToken,
      })
      .execute();
    if (res.affected !== 1) {
      this.log.warn(
        `queue ${this.queueName}: job ${job.id} lost its lock before finishing; it may run again`,
      );
    }
  }

  private async renewLock(job: QueueJobRow): Promise<void> {
    await this.ds
      .createQueryBuilder()
      .update(QueueJobSchema)
      .set({ lockedUntil: Date.now() + this.lockMs })
      .where('queue = :queue AND id = :id AND lock_token = :token', {
        queue: this.queueName,
        id: job.id,
        token: job.lockToken,
      })
      .execute();
  }

  /** Jobs whose lock lapsed belong to a dead (or frozen) process: retry them, or fail if spent. */
  private async recoverStalled(now: number): Promise<void> {
    const stalled = 'queue = :queue AND state = :active AND locked_until < :now';
    const params = { queue: this.queueName, active: 'active', now };
    const failed = await this.ds
      .createQueryBuilder()
      .update(QueueJobSchema)
      .set({
        state: 'failed',
        failedReason: 'job stalled: its worker stopped renewing the lock and no attempts are left',
        finishedAt: now,
        lockToken: null,
        lockedUntil: null,
      })
      .where(`${stalled} AND attempts_made >= max_attempts`, params)
      .execute();
    const retried = await this.ds
      .createQueryBuilder()
      .update(QueueJobSchema)
      .set({ state: 'waiting', runAt: now, lockToken: null, lockedUntil: null })
      .where(stalled, params)
      .execute();
    const n = (failed.affected ?? 0) + (retried.affected ?? 0);
    if (n > 0) {
      this.log.warn(
        `queue ${this.queueName}: recovered ${n} stalled job(s) (${retried.affected ?? 0} retried, ${failed.affected ?? 0} failed)`,
      );
    }
  }

  /**
   * Enqueues the due tick of each schedule as job `${scheduleId}:${fireTimeMs}`: the id makes the
   * insert idempotent, so two processes (or one restarted between insert and advance) fire a
   * tick once. Ticks missed while no node ran are skipped, as bull does: only the latest runs.
   */
  private async fireDueSchedules(now: number): Promise<void> {
    const due = await this.ds
      .getRepository(QueueScheduleSchema)
      .createQueryBuilder('s')
      .where('s.queue = :queue AND s.nextRunAt <= :now', { queue: this.queueName, now })
      .getMany();
    for (const s of due) {
      try {
        await this.insertJob({
          queue: this.queueName,
          id: `${s.id}:${s.nextRunAt}`,
          name: s.name,
          data: s.data,
          state: 'waiting',
          attemptsMade: 0,
          maxAttempts: 1,
          backoffType: null,
          backoffDelayMs: null,
          runAt: s.nextRunAt,
          lockToken: null,
          lockedUntil: null,
          failedReason: null,
          createdAt: now,
          finishedAt: null,
        });
        await this.ds
          .createQueryBuilder()
          .update(QueueScheduleSchema)
          .set({ nextRunAt: nextCronFire(s.cron, s.timezone, now) })
          .where('queue = :queue AND id = :id AND next_run_at = :fired', {
            queue: this.queueName,
            id: s.id,
            fired: s.nextRunAt,
          })
          .execute();
      } catch (e) {
        this.log.error(`queue ${this.queueName}: schedule ${s.id} could not fire`, e);
      }
    }
  }

  /** Keeps finished jobs for a bounded age and count (the newest `maxCount` of each state). */
  private async applyRetention(now: number): Promise<void> {
    for (const state of ['completed', 'failed'] as const) {
      const { maxAgeMs, maxCount } = this.retention[state];
      const scope = { queue: this.queueName, state };
      await this.deleteFinished('finished_at < :cutoff', { ...scope, cutoff: now - maxAgeMs });
      // The first job beyond the newest maxCount; ids break ties of jobs finished in one ms.
      const [beyond] = await this.ds
        .getRepository(QueueJobSchema)
        .createQueryBuilder('j')
        .select(['j.queue', 'j.id', 'j.finishedAt'])
        .where('j.queue = :queue AND j.state = :state', scope)
        .orderBy('j.finishedAt', 'DESC')
        .addOrderBy('j.id', 'DESC')
        .offset(maxCount)
        .limit(1)
        .getMany();
      if (beyond?.finishedAt == null) continue;
      await this.deleteFinished('(finished_at < :f OR (finished_at = :f AND id <= :id))', {
        ...scope,
        f: beyond.finishedAt,
        id: beyond.id,
      });
    }
  }

  private async deleteFinished(condition: string, params: Record<string, unknown>): Promise<void> {
    await this.ds
      .createQueryBuilder()
      .delete()
      .from(QueueJobSchema)
      .where(`queue = :queue AND state = :state AND ${condition}`, params)
      .execute();
  }

  /** False when a job with this id exists already (the add was a repeat). */
  private async insertJob(row: QueueJobRow): Promise<boolean> {
    try {
      await this.ds
        .createQueryBuilder()
        .insert()
        .into(QueueJobSchema)
        .values(row)
        .updateEntity(false)
        .execute();
      return true;
    } catch (e) {
      if (isDuplicateKey(e)) return false;
      throw e;
    }
  }
}
