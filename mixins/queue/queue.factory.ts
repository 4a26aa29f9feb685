import type { DataSource } from 'typeorm';
import type { JobQueue } from '../../domain/ports/job-queue.port';
import type { AppConfig } from '../config/app-config';
import type { BullQueueOptions } from './bull.queue';
import { EmbeddedJobQueue, type EmbeddedQueueOptions } from './embedded.queue';

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
  const common = { stopTimeoutMs: config.shutdownTimeoutMs, ...options };
  if (config.redisUrl) {
    // Loaded only with Redis: bull and ioredis cost ~25 MB of resident memory the embedded default
    // does not need.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { BullJobQueue } = require('./bull.queue') as typeof import('./bull.queue');
    return new BullJobQueue(queueName, config.redisUrl, common);
  }
  return new EmbeddedJobQueue(queueName, dataSource, common);
}
