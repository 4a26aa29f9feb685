import type { DataSource } from 'typeorm';
import type { JobQueue } from '../../domain/ports/job-queue.port';
import { LifecycleErrors } from '../../domain/ports/lifecycle.errors';
import type { AppConfig } from '../config/app-config';
import { createJobQueue } from '../queue/queue.factory';
import { adapterMixin, type Adapter } from './adapter.mixin';

export type QueueAdapter = Adapter<JobQueue>;

/**
 * One job queue (bull, or the embedded queue in the records database), started in started() and
 * stopped in stopped(): stop() waits for running jobs, which may still use storage and the
 * database, so a service lists its queues before those in `mixins`. The service registers its
 * handlers (`process`) in its own started(), which runs after every mixin's.
 */
export function queueMixin(
  config: AppConfig,
  queueName: string,
  database: Adapter<DataSource>,
): QueueAdapter {
  const name = `queue "${queueName}"`;
  return adapterMixin(
    name,
    async () => {
      const db = database.peek();
      if (db === null) throw LifecycleErrors.startedBefore(name, database.name);
      const queue = createJobQueue(config, queueName, db);
      await queue.start();
      return queue;
    },
    (queue) => queue.stop(),
  );
}
