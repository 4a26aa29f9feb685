/**
 * Runs the archival job once against a database and exits 0 when it is done; the archival test
 * kills it (SIGKILL) midway and runs it again. Run by test/integration/archival-crash.test.ts.
 *   ARCHIVE_DB=<mysql url | sqlite file> ARCHIVE_BATCH=<rows per transaction>
 */
import { acquireMainDatabase, releaseMainDatabase } from '../../mixins/database/main-database';
import { loadAppConfig } from '../../mixins/config/app-config';
import { ulidIds } from '../../mixins/auth/ulid-ids';
import { TypeormOperationLogRepository } from '../../mixins/operation-log/log.repository';
import { FileTaskRepository } from '../../mixins/file-tasks/file-task.repository';
import { TypeormFileTaskMaintenance } from '../../mixins/scheduler/file-task-maintenance.repository';
import { TypeormSchedulerRepository } from '../../mixins/scheduler/scheduler.repository';
import { archival } from '../../domain/scheduler/use-cases/archival';
import { DEFAULT_RULES } from '../../domain/scheduler/scheduled-task';
import type { JobDeps } from '../../domain/scheduler/use-cases/scheduler-deps';

async function main() {
  const target = process.env.ARCHIVE_DB!;
  const db = target.startsWith('mysql:')
    ? { type: 'mysql' as const, url: target }
    : { type: 'sqlite' as const, file: target };
  const ds = await acquireMainDatabase(db);
  const config = loadAppConfig({ DATABASE_URL: 'mysql://unused/x' });
  const deps = {
    tasks: new FileTaskRepository(ds),
    maintenance: new TypeormFileTaskMaintenance(ds),
    logs: new TypeormOperationLogRepository(ds, 'k'.repeat(32)),
    scheduler: new TypeormSchedulerRepository(ds),
    ids: ulidIds,
    logger: console,
    outbox: { appended: () => undefined },
    settings: {
      fileTaskRetentionDays: config.scheduler.fileTaskRetentionDays,
      logRetentionDays: config.scheduler.logRetentionDays,
    },
  } as unknown as JobDeps;
  process.stdout.write('ready\n');
  const rule = { ...DEFAULT_RULES.archival, batchSize: Number(process.env.ARCHIVE_BATCH ?? 1000) };
  const report = await archival(deps, rule, new Date());
  process.stdout.write(`${JSON.stringify(report)}\n`);
  await releaseMainDatabase(db);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
