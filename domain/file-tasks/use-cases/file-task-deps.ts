import type { PermissionReader } from '../../permissions/permission.ports';
import type { Clock } from '../../ports/clock.port';
import type { IdGenerator } from '../../ports/id-generator.port';
import type { Logger } from '../../ports/logger.port';
import type { ObjectStorage } from '../../ports/object-storage.port';
import type { OutboxHint } from '../../ports/outbox.port';
import { actorEvent, type Actor, type DomainEvent } from '../../shared/domain-event';
import type { FileTask } from '../file-task';
import type { FileTaskRepository } from '../file-task.ports';

/**
 * Everything the file task and file use cases reach outside the domain, as ports. A service
 * builds it per call: the permission reader and the outbox hint go through the caller's context.
 */
export interface FileTaskDeps {
  tasks: FileTaskRepository;
  permissions: PermissionReader;
  /** Where the bytes of stored files live: a deleted task's object goes, a refused upload's too. */
  storage: Pick<ObjectStorage, 'delete'>;
  outbox: OutboxHint;
  ids: IdGenerator;
  clock: Clock;
  logger: Pick<Logger, 'warn'>;
  /** The export nodes' EXPORT_MAX_ATTEMPTS: whether a FAILED export still runs again (FileTask.toView). */
  exportMaxAttempts: number;
}

/** An operation log event about a file task. */
export const fileTaskEvent = (
  d: Pick<FileTaskDeps, 'ids' | 'clock'>,
  actor: Actor,
  type: string,
  target: Pick<FileTask, 'id' | 'bizType'>,
  detail: Record<string, unknown>,
): DomainEvent =>
  actorEvent(d, actor, {
    type,
    targetType: 'FILE_TASK',
    targetId: target.id,
    bizType: target.bizType,
    detail,
  });

/** Runs a write that committed domain events, then hints the relay. */
export async function committing<T>(d: Pick<FileTaskDeps, 'outbox'>, write: () => Promise<T>): Promise<T> {
  const result = await write();
  d.outbox.appended();
  return result;
}
