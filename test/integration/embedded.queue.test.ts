import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { DataSource } from 'typeorm';
import type { DatabaseConfig } from '../../mixins/config/app-config';
import { buildDataSource, migrate } from '../../mixins/database/data-source';
import { MAIN_ENTITIES } from '../../mixins/database/schemas';
import { MAIN_MIGRATIONS } from '../../mixins/database/migrations';
import { EmbeddedQueue1764000000002 } from '../../mixins/database/migrations/1764000000002-EmbeddedQueue';
import { QueueJobSchema, type QueueJobRow } from '../../mixins/database/schemas/queue.schema';
import { EmbeddedJobQueue, type EmbeddedQueueOptions } from '../../mixins/queue/embedded.queue';
import type { JobInfo } from '../../domain/ports/job-queue.port';
import { queueContract, waitFor } from '../support/queue-contract';
import { servers } from '../support/servers';
import { tempMysqlDatabase } from '../support/mysql';

const quiet = { warn: () => {}, error: (m: string, e: unknown) => console.error(m, e) };

const open = async (config: DatabaseConfig): Promise<DataSource> => {
  const ds = buildDataSource({ config, entities: MAIN_ENTITIES, migrations: MAIN_MIGRATIONS, poolSize: 5 });
  await ds.initialize();
  return ds;
};

/** Each queue gets its own DataSource, as each node has its own pool on the shared database. */
function embeddedSuite(
  engine: string,
  makeConfig: () => Promise<{ config: DatabaseConfig; drop: () => Promise<void> }>,
) {
  describe(`embedded queue on ${engine}`, () => {
    let config: DatabaseConfig;
    let drop: () => Promise<void>;
    let ds: DataSource;
    const make = async (queueName: string, options: EmbeddedQueueOptions = {}) => {
      const own = await open(config);
      const queue = new EmbeddedJobQueue(queueName, own, { logger: quiet, ...options });
      return {
        queue,
        cleanup: async () => {
          await queue.stop();
          await own.destroy();
        },
      };
    };

    before(async () => {
      ({ config, drop } = await makeConfig());
      ds = await open(config);
      await migrate(ds);
    });
    after(async () => {
      await ds.destroy();
      await drop();
    });

    queueContract(`embedded on ${engine}`, (queueName) => make(queueName));

    it('recovers on start the jobs a dead process left active', async () => {
      const now = Date.now();
      const row = (
        id: string,
        attemptsMade: number,
        maxAttempts: number,
        lockedUntil: number,
      ): QueueJobRow => ({
        queue: 'crashq',
        id,
        name: 'work',
        data: JSON.stringify({ id }),
        state: 'active',
        attemptsMade,
        maxAttempts,
        backoffType: null,
        backoffDelayMs: null,
        runAt: now - 60_000,
        lockToken: `dead-host/1/abc/${id}`,
        lockedUntil,
        failedReason: null,
        createdAt: now - 60_000,
        finishedAt: null,
      });
      await ds
        .createQueryBuilder()
        .insert()
        .into(QueueJobSchema)
        .values([
          row('retry-me', 1, 3, now - 1000),
          row('spent', 1, 1, now - 1000),
          // Still locked: a live process on another node is running it.
          row('someone-elses', 1, 3, now + 60_000),
        ])
        .updateEntity(false)
        .execute();
      const { queue, cleanup } = await make('crashq');
      try {
        await queue.start();
        const seen: JobInfo[] = [];
        queue.process('work', 2, async (job) => {
          seen.push(job);
        });
        await waitFor(
          'the recovered job',
          async () => (await queue.getJob('retry-me'))?.state === 'completed',
        );
        assert.deepEqual(seen, [{ id: 'retry-me', name: 'work', data: { id: 'retry-me' }, attempt: 2 }]);
        const spent = await queue.getJob('spent');
        assert.equal(spent?.state, 'failed');
        assert.match(spent?.failedReason ?? '', /stalled/);
        assert.equal((await queue.getJob('someone-elses'))?.state, 'active');
      } finally {
        await cleanup();
      }
    });

    it('keeps only the newest finished jobs beyond the retention count', async () => {
      const { queue, cleanup } = await make('retainq', {
        retention: {
          completed: { maxAgeMs: 3600_000, maxCount: 2 },
          failed: { maxAgeMs: 3600_000, maxCount: 2 },
        },
        retentionEveryMs: 100,
      });
      try {
        await queue.start();
        let done = 0;
        queue.process('work', 1, async () => {
          done++;
        });
        const ids: string[] = [];
        for (let i = 0; i < 5; i++) ids.push(await queue.add('work', { i }));
        await waitFor('5 jobs', () => done === 5);
        await waitFor('retention', async () => (await queue.counts()).completed === 2);
        assert.equal(await queue.getJob(ids[0]), null);
        assert.equal((await queue.getJob(ids[4]))?.state, 'completed');
      } finally {
        await cleanup();
      }
    });

    it('rejects an invalid cron and a job id with a colon', async () => {
      const { queue, cleanup } = await make('badq');
      try {
        await assert.rejects(queue.addRepeatable('x', {}, { jobId: 'r', cron: 'not a cron' }), {
          code: 'QUEUE_INVALID_CRON',
        });
        await assert.rejects(queue.add('x', {}, { jobId: 'a:b' }), { code: 'QUEUE_INVALID_KEY' });
      } finally {
        await cleanup();
      }
    });

    it('migration down drops the queue tables and up restores them', async () => {
      const runner = ds.createQueryRunner();
      try {
        await new EmbeddedQueue1764000000002().down(runner);
        assert.equal(await runner.hasTable('queue_jobs'), false);
        assert.equal(await runner.hasTable('queue_schedules'), false);
        await new EmbeddedQueue1764000000002().up(runner);
        assert.equal(await runner.hasTable('queue_jobs'), true);
      } finally {
        await runner.release();
      }
    });
  });
}

embeddedSuite('SQLite', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ftc-queue-'));
  return {
    config: { type: 'sqlite', file: path.join(dir, 'queue.sqlite') },
    drop: async () => fs.rmSync(dir, { recursive: true, force: true }),
  };
});

describe('embedded queue on MySQL', async () => {
  const s = await servers('mysql');
  if (s.skip) {
    it('needs a MySQL server', { skip: s.skip }, () => {});
    return;
  }
  embeddedSuite('MySQL', async () => {
    const { url, drop } = await tempMysqlDatabase(s.url.mysql, 'ftc_test_queue');
    return { config: { type: 'mysql', url }, drop };
  });
});
