import type { ServiceSchema } from 'moleculer';
import type { AppConfig } from '../mixins/config/app-config';
import { errorsMixin } from '../mixins/errors/error-mapper';
import { acquireMainDatabase, releaseMainDatabase } from '../mixins/database/main-database';
import { createJobQueue } from '../mixins/queue/queue.factory';
import { createObjectStorage } from '../mixins/storage/storage.factory';
import type { JobQueue } from '../domain/ports/job-queue.port';
import type { ObjectStorage } from '../domain/ports/object-storage.port';

export const EXPORT_QUEUE = 'exports';

/**
 * The export node's service. It owns the adapters the export pipeline writes through: the export
 * job queue and object storage, both started here so a misconfigured node fails at start-up and
 * not on its first export. Export nodes scale horizontally (SERVICES=export).
 */
export function exportsService(config: AppConfig): ServiceSchema {
  let queue: JobQueue | null = null;
  let storage: ObjectStorage | null = null;
  return {
    name: 'exports',
    mixins: [errorsMixin],
    settings: { rest: '/' },

    actions: {
      /** Internal: this node's queue backend and job counts, for operations and tests. */
      status: {
        visibility: 'public',
        async handler() {
          return {
            node: this.broker.nodeID,
            queue: { kind: queue!.kind, counts: await queue!.counts() },
            storage: { kind: storage!.kind },
          };
        },
      },
    },

    async started() {
      const db = await acquireMainDatabase(config.database);
      storage = createObjectStorage(config);
      await storage.start();
      queue = createJobQueue(config, EXPORT_QUEUE, db);
      await queue.start();
    },

    async stopped() {
      // The queue first: it waits for running jobs, which may still write to storage and the DB.
      await queue?.stop();
      await storage?.stop();
      await releaseMainDatabase(config.database);
    },
  };
}
