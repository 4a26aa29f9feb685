import type { FileTaskRepository } from '../../file-tasks/file-task.ports';
import type { FileTask } from '../../file-tasks/file-task';
import type { BizTypeCatalog } from '../../metadata/metadata.ports';
import type { PermissionReader } from '../../permissions/permission.ports';
import type { UserLookup } from '../../directory/directory.ports';
import type { Clock } from '../../ports/clock.port';
import type { IdGenerator } from '../../ports/id-generator.port';
import type { Logger } from '../../ports/logger.port';
import type { OutboxHint } from '../../ports/outbox.port';
import { actorEvent, type Actor, type DomainEvent } from '../../shared/domain-event';
import type { ExportPipeline } from '../export-pipeline.ports';
import type { ExportJobs, ExportProgress, ExportSettings, ExportTurns } from '../export.ports';

/**
 * Everything the export use cases reach outside the domain, as ports. A service builds it per
 * call: the permission, biz type and outbox adapters go through the caller's context.
 */
export interface ExportDeps {
  tasks: FileTaskRepository;
  jobs: ExportJobs;
  progress: ExportProgress;
  bizTypes: BizTypeCatalog;
  permissions: PermissionReader;
  users: UserLookup;
  pipeline: ExportPipeline;
  outbox: OutboxHint;
  ids: IdGenerator;
  clock: Clock;
  logger: Logger;
  settings: ExportSettings;
  /** Cluster-wide fair turns of the export nodes' worker slots. */
  turns: ExportTurns;
}

/** Who asks, for the operation log. */
export type ExportActor = Actor;

/** An operation log event about an export task. */
export const exportEvent = (
  d: Pick<ExportDeps, 'ids' | 'clock'>,
  actor: ExportActor,
  type: string,
  task: FileTask,
  detail: Record<string, unknown>,
  outcome: 'SUCCESS' | 'FAILURE' = 'SUCCESS',
): DomainEvent =>
  actorEvent(d, actor, {
    type,
    targetType: 'FILE_TASK',
    targetId: task.id,
    bizType: task.bizType,
    outcome,
    detail,
  });

/** Runs a write that committed domain events, then hints the relay. */
export async function committing<T>(d: Pick<ExportDeps, 'outbox'>, write: () => Promise<T>): Promise<T> {
  const result = await write();
  d.outbox.appended();
  return result;
}
