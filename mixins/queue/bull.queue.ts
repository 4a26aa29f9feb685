import Bull from 'bull';
import { Redis, type RedisOptions } from 'ioredis';
import {
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
import { DEFAULT_RETENTION, nextCronFire, type QueueLogger, type Retention } from './queue-common';
import { QueueErrors } from '../../domain/ports/queue.errors';

export interface BullQueueOptions {
  /** Redis key prefix (bull's default is "bull"; createJobQueue passes bullPrefix(namespace)). */
  prefix?: string;
  /**
   * How long a job's lock lives without renewal (renewed every half of it). A handler that blocks
   * the event loop longer than this loses its lock and the job runs again elsewhere, so it is
   * generous: export writers do CPU-bound batches between awaits.
   */
  lockDurationMs?: number;
  /**
   * How often each worker looks for jobs whose lock lapsed (a dead node's jobs). Shorter means a
   * dead node's job resumes sooner, at the cost of one Lua script run per interval per worker.
   */
  stalledIntervalMs?: number;
  /**
   * A job that stalls more often than this fails instead of looping forever through crashing
   * workers (a "poison" job that kills its process).
   */
  maxStalledCount?: number;
  /** How long stop() waits for running handlers. */
  stopTimeoutMs?: number;
  retention?: { completed: Retention; failed: Retention };
  logger?: QueueLogger;
}

/**
 * One client and one subscriber connection per Redis URL, shared by every queue of the process;
 * bull needs its own blocking connection per queue, so one queue costs 3 connections and each
 * further queue one more.
 */
interface SharedConnections {
  client: Redis;
  subscriber: Redis;
  users: number;
}
const shared = new Map<string, SharedConnections>();

// bull refuses blocking/subscriber connections that retry commands or run a ready check.
const streamingOptions: RedisOptions = { maxRetriesPerRequest: null, enableReadyCheck: false };
/** CLIENT LIST shows which process and role holds each connection. */
export const connectionName = (role: 'client' | 'subscriber' | 'bclient') => `ftcq-${role}-${process.pid}`;

function acquireShared(url: string): SharedConnections {
  let s = shared.get(url);
  if (!s) {
    s = {
      client: new Redis(url, { connectionName: connectionName('client') }),
      subscriber: new Redis(url, { ...streamingOptions, connectionName: connectionName('subscriber') }),
      users: 0,
    };
    shared.set(url, s);
  }
  s.users++;
  return s;
}

async function releaseShared(url: string): Promise<void> {
  const s = shared.get(url);
  if (!s || --s.users > 0) return;
  shared.delete(url);
  await Promise.allSettled([s.client.quit(), s.subscriber.quit()]);
}

/** The port's exponential backoff (`delayMs * 2^(n-1)`); bull's own gives `delayMs * (2^n - 1)`. */
const PORT_EXPONENTIAL = 'portExponential';

const keepJobs = (r: Retention): Bull.KeepJobsOptions => ({
  age: Math.ceil(r.maxAgeMs / 1000),
  count: r.maxCount,
});

/** The JobQueue port on one bull queue in Redis (which must run with maxmemory-policy noeviction). */
export class BullJobQueue implements JobQueue {
  readonly kind = 'bull' as const;
  private readonly queue: Bull.Queue;
  private readonly bclients: Redis[] = [];
  private readonly log: QueueLogger;
  private readonly retention: { completed: Retention; failed: Retention };
  private readonly stopTimeoutMs: number;
  private stopped: Promise<void> | null = null;
  private readonly readyListeners: (() => void)[] = [];

  constructor(
    private readonly queueName: string,
    private readonly redisUrl: string,
    options: BullQueueOptions = {},
  ) {
    checkJobKey('name', queueName);
    this.log = options.logger ?? console;
    this.retention = options.retention ?? DEFAULT_RETENTION;
    this.stopTimeoutMs = options.stopTimeoutMs ?? 10_000;
    const connections = acquireShared(redisUrl);
    this.queue = new Bull(queueName, {
      prefix: options.prefix ?? 'bull',
      createClient: (type) => {
        if (type === 'client') return connections.client as never;
        if (type === 'subscriber') return connections.subscriber as never;
        const b = new Redis(redisUrl, { ...streamingOptions, connectionName: connectionName('bclient') });
        this.bclients.push(b);
        return b as never;
      },
      settings: {
        lockDuration: options.lockDurationMs ?? 60_000,
        stalledInterval: options.stalledIntervalMs ?? 30_000,
        maxStalledCount: options.maxStalledCount ?? 1,
        backoffStrategies: {
          [PORT_EXPONENTIAL]: (attemptsMade: number, _err: Error, o?: { delayMs: number }) =>
            (o?.delayMs ?? 0) * 2 ** (attemptsMade - 1),
        },
      },
    });
    // Without a listener an 'error' event (e.g. Redis unreachable) would throw and end the process.
    this.queue.on('error', (e) => this.log.error(`queue ${queueName}: redis error`, e));
  }

  async start(): Promise<void> {
    await this.queue.isReady();
    await this.checkEvictionPolicy();
  }

  /** An evicting Redis silently drops job keys under memory pressure: say so at start-up. */
  private async checkEvictionPolicy(): Promise<void> {
    try {
      const reply = (await this.queue.client.config('GET', 'maxmemory-policy')) as string[];
      const policy = reply[1];
      if (policy && policy !== 'noeviction') {
        this.log.warn(`queue ${this.queueName}: Redis maxmemory-policy is ${policy}; bull needs noeviction`);
      }
    } catch {
      // Managed Redis often disables CONFIG; nothing to check then.
    }
  }

  stop(): Promise<void> {
    this.stopped ??= this.close();
    return this.stopped;
  }

  private async close(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(true), this.stopTimeoutMs);
    });
    this.readyListeners.forEach((off) => off());
    // close() pauses locally and waits for active handlers before it returns.
    const closed = this.queue.close().then(() => false);
    if (await Promise.race([closed, timedOut])) {
      // Their locks lapse and another worker takes the jobs over as stalled.
      this.log.warn(`queue ${this.queueName}: jobs still running after stop timeout`);
    }
    clearTimeout(timer);
    // bull only disconnects connections it created itself; these came from createClient.
    this.bclients.forEach((b) => b.disconnect());
    await releaseShared(this.redisUrl);
  }

  async add<T>(name: string, data: T, options: JobOptions = {}): Promise<string> {
    checkJobKey('name', name);
    if (options.jobId !== undefined) checkJobKey('jobId', options.jobId);
    checkJobOptions(options);
    encodeJobData(data);
    const job = await this.queue.add(name, data ?? null, {
      jobId: options.jobId,
      attempts: options.attempts ?? 1,
      backoff: this.backoff(options.backoff),
      delay: options.delayMs ?? 0,
      removeOnComplete: keepJobs(this.retention.completed),
      removeOnFail: keepJobs(this.retention.failed),
    });
    return String(job.id);
  }

  private backoff(b: JobOptions['backoff']): Bull.BackoffOptions | undefined {
    if (!b) return undefined;
    if (b.type === 'fixed') return { type: 'fixed', delay: b.delayMs };
    // bull hands `options` (not the typed `strategyOptions`) to a custom strategy.
    return { type: PORT_EXPONENTIAL, options: { delayMs: b.delayMs } };
  }

  /**
   * ioredis says `ready` on every (re)connection; the first came before start() returned, so a
   * listener added after it hears the reconnections only. Redis may have restarted empty by then.
   */
  onReconnect(listener: () => void): void {
    const client = this.queue.client;
    const ready = () => {
      if (!this.stopped) listener();
    };
    client.on('ready', ready);
    this.readyListeners.push(() => client.off('ready', ready));
  }

  async addRepeatable<T>(name: string, data: T, repeat: RepeatOptions): Promise<void> {
    checkJobKey('name', name);
    checkJobKey('jobId', repeat.jobId);
    encodeJobData(data);
    nextCronFire(repeat.cron, repeat.timezone, Date.now()); // same validation as the embedded queue
    const tz = repeat.timezone ?? null;
    // bull keys a schedule by name, id, cron and tz: a changed cron would add a second schedule.
    for (const r of await this.queue.getRepeatableJobs()) {
      if (r.id === repeat.jobId && (r.name !== name || r.cron !== repeat.cron || (r.tz || null) !== tz)) {
        await this.queue.removeRepeatableByKey(r.key);
      }
    }
    // The fixed jobId makes bull derive the same key and the same per-tick job id on every node,
    // so registering from each node at start-up is idempotent.
    await this.queue.add(name, data ?? null, {
      jobId: repeat.jobId,
      repeat: { cron: repeat.cron, ...(repeat.timezone ? { tz: repeat.timezone } : {}) },
      removeOnComplete: keepJobs(this.retention.completed),
      removeOnFail: keepJobs(this.retention.failed),
    });
  }

  async removeRepeatable(jobId: string): Promise<void> {
    for (const r of await this.queue.getRepeatableJobs()) {
      if (r.id === jobId) await this.queue.removeRepeatableByKey(r.key);
    }
  }

  process<T>(name: string, concurrency: number, handler: JobHandler<T>): void {
    checkJobKey('name', name);
    if (!Number.isInteger(concurrency) || concurrency < 1) {
      throw QueueErrors.invalidOptions('concurrency must be a positive integer', { concurrency });
    }
    // bull's process() promise settles only when the queue closes; errors surface here.
    this.queue
      .process(name, concurrency, async (job: Bull.Job<T>) => {
        try {
          return await handler({
            id: String(job.id),
            name: job.name,
            data: job.data,
            attempt: job.attemptsMade + 1,
          });
        } catch (e) {
          if (isNonRetryable(e)) await job.discard();
          // bull records err.message as the failed reason: give it a real Error.
          throw e instanceof Error ? e : new Error(String(e));
        }
      })
      .catch((e) => this.log.error(`queue ${this.queueName}: processing of ${name} stopped`, e));
  }

  async getJob(id: string): Promise<JobStatus | null> {
    const job = await this.queue.getJob(id);
    if (!job) return null;
    const raw = await job.getState();
    const state: JobState =
      raw === 'completed' || raw === 'failed' || raw === 'active' || raw === 'delayed' ? raw : 'waiting';
    return {
      id: String(job.id),
      state,
      // bull counts failed tries only; the port counts the running or successful one too.
      attemptsMade: job.attemptsMade + (state === 'active' || state === 'completed' ? 1 : 0),
      failedReason: job.failedReason ?? null,
    };
  }

  async counts(): Promise<Record<JobState, number>> {
    const c = await this.queue.getJobCounts();
    const paused = (c as { paused?: number }).paused ?? 0;
    return {
      waiting: c.waiting + paused,
      delayed: c.delayed,
      active: c.active,
      completed: c.completed,
      failed: c.failed,
    };
  }

  /** Deletes every key of this queue (tests and decommissioning); the queue must be idle. */
  async obliterate(): Promise<void> {
    await this.queue.obliterate({ force: true });
  }
}
