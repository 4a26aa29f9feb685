/**
 * A process that keeps making business changes (roles, each with its ROLE_CREATED event in the
 * outbox) and relaying them, until it is killed with SIGKILL. Every fifth change is a duplicate
 * that fails and rolls back. Prints `ready`, then a dot per committed change. Run by test/integration/outbox-crash.test.ts.
 *   CRASH_DB=<mysql url | sqlite file> CRASH_PREFIX=<code prefix> CRASH_KEY=<chain key>
 */
import { acquireMainDatabase } from '../../mixins/database/main-database';
import { TypeormDirectoryRepository } from '../../mixins/directory/directory.repository';
import { OutboxRelay } from '../../mixins/operation-log/log-relay';
import { DirectoryUseCases } from '../../domain/directory/directory.use-cases';
import { ulidIds } from '../../mixins/auth/ulid-ids';
import { jsonTokens, plainHasher } from './memory-directory';

async function main() {
  const target = process.env.CRASH_DB!;
  const config = target.startsWith('mysql:')
    ? { type: 'mysql' as const, url: target }
    : { type: 'sqlite' as const, file: target };
  const ds = await acquireMainDatabase(config);
  const relay = new OutboxRelay(ds, process.env.CRASH_KEY!, {
    batchSize: 5,
    intervalMs: 1,
    onError: () => undefined,
  });
  relay.start();
  const uc = new DirectoryUseCases({
    repo: new TypeormDirectoryRepository(ds),
    hasher: plainHasher,
    tokens: jsonTokens,
    ids: ulidIds,
    clock: { now: () => new Date() },
  });
  const prefix = process.env.CRASH_PREFIX!;
  process.stdout.write('ready\n');
  for (let i = 0; ; i++) {
    const code = i % 5 === 4 ? `${prefix}_${i - 1}` : `${prefix}_${i}`;
    const made = await uc.createRole({ code, name: 'crash' }, { userId: 'crash', requestId: null }).then(
      () => true,
      () => false,
    );
    // One dot per committed change: the test kills only after a few, whatever the machine's load.
    if (made) process.stdout.write('.');
    relay.nudge();
  }
}

void main();
