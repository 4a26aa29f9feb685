import type { DataSource } from 'typeorm';
import type { JobQueue } from '../../domain/ports/job-queue.port';
import { DEFAULT_NAMESPACE, type AppConfig } from '../config/app-config';
import type { BullQueueOptions } from './bull.queue';
import { EmbeddedJobQueue, type EmbeddedQueueOptions } from './embedded.queue';

/**
 * The Redis key prefix of bull queues: `<namespace>-bull` in a namespace of its own, so two
 * deployments (or test clusters) on one Redis database never take each other's jobs; plain `bull`
 * (bull's default, the keys queues have always had) in the default namespace, so a deployment that
 * sets no NAMESPACE keeps its queued and repeatable jobs across the upgrade.
 */
export const bullPrefix = (namespace: string): string =>
  namespace === DEFAULT_NAMESPACE ? 'bull' : `${namespace}-bull`;

/**
 * bull on Redis when REDIS_URL is set, else the in-process queue persisted in the main database.
 * The caller starts and stops the queue (the Lifecycle port).
 */
export function createJobQueue(
  config: AppConfig,
  queueName: string,
  dataSource: DataSource,
  options: BullQueueOptions & EmbeddedQueueOptions = {},
): JobQueue {
  // A shorter lock hands a dead worker's job out sooner; lapsed locks are looked for at least every
  // half lock, so a dead worker's job waits at most one and a half locks.
  const lock =
    config.queueLockMs === null
      ? {}
      : {
          lockDurationMs: config.queueLockMs,
          stalledIntervalMs: Math.min(30_000, config.queueLockMs / 2),
          stalledCheckMs: Math.min(5_000, config.queueLockMs / 2),
        };
  const common = { stopTimeoutMs: config.shutdownTimeoutMs, ...lock, ...options };
  if (config.redisUrl) {
    // Loaded only with Redis: bull and ioredis cost ~25 MB of resident memory the embedded default
    // does not need.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { BullJobQueue } = require('./bull.queue') as typeof import('./bull.queue');
    return new BullJobQueue(queueName, config.redisUrl, { prefix: bullPrefix(config.namespace), ...common });
  }
  return new EmbeddedJobQueue(queueName, dataSource, common);
}
