import type { FileTaskRepository } from '../../domain/file-tasks/file-task.ports';
import type { FileTask } from '../../domain/file-tasks/file-task';
import type { FileTaskListQuery } from '../../domain/file-tasks/list-query';
import type { Grant } from '../../domain/permissions/grant';
import type { PermissionReader } from '../../domain/permissions/permission.ports';
import type { ReadFilter } from '../../domain/permissions/policy';
import type { DomainEvent } from '../../domain/shared/domain-event';
import type { FileTaskDeps } from '../../domain/file-tasks/use-cases/file-task-deps';

/**
 * The FileTaskRepository port in memory, for use case tests: inserts, deletes and logged events
 * are recorded; `list` answers every task and keeps the filter it was given (the SQL filter itself
 * is the integration tier's); the export transitions are not needed here and throw.
 */
export class MemoryFileTasks implements FileTaskRepository {
  readonly tasks = new Map<string, FileTask>();
  readonly events: DomainEvent[] = [];
  readonly filters: ReadFilter[] = [];
  /** Makes the next insert fail, as a lost answer or a broken database would. */
  failInsert: Error | null = null;
  /** Makes delete answer false, as when the task changed meanwhile. */
  deleteMisses = false;

  async insert(task: FileTask, events: DomainEvent[]) {
    if (this.failInsert) throw this.failInsert;
    this.tasks.set(task.id, task);
    this.events.push(...events);
  }
  async logEvents(events: DomainEvent[]) {
    this.events.push(...events);
  }
  async find(id: string) {
    return this.tasks.get(id) ?? null;
  }
  async delete(task: FileTask, events: DomainEvent[]) {
    if (this.deleteMisses || !this.tasks.delete(task.id)) return false;
    this.events.push(...events);
    return true;
  }
  async list(_q: FileTaskListQuery, filter: ReadFilter) {
    this.filters.push(filter);
    return { items: [...this.tasks.values()], nextCursor: null };
  }
  transition(): Promise<boolean> {
    throw new Error('not used by these use cases');
  }
  heartbeat(): Promise<boolean> {
    throw new Error('not used by these use cases');
  }
  findByIdempotencyKey(): Promise<FileTask | null> {
    throw new Error('not used by these use cases');
  }
  findInFlight(): Promise<FileTask | null> {
    throw new Error('not used by these use cases');
  }
}

/** Unit paths of a small tree: hq > east > store1, and west beside east. */
export const UNIT_PATHS: Record<string, string> = {
  hq: '/hq/',
  east: '/hq/east/',
  store1: '/hq/east/store1/',
  west: '/hq/west/',
};

/** A PermissionReader over fixed grants and UNIT_PATHS that counts its calls. */
export function memoryPermissions(grants: Grant[] = []): PermissionReader & { calls: number } {
  const reader = {
    calls: 0,
    async inputs(user: { id: string; roles: string[]; unitId: string | null }) {
      reader.calls++;
      const paths = (id: string) => UNIT_PATHS[id] ?? null;
      return {
        subject: { id: user.id, roles: user.roles, unitPath: user.unitId ? paths(user.unitId) : null },
        grants,
        paths,
        unitPaths: UNIT_PATHS,
      };
    },
  };
  return reader;
}

/** Every port of the file task and file use cases, in memory, with what they were asked. */
export function memoryFileTaskDeps(grants: Grant[] = []) {
  let n = 0;
  const deleted: string[] = [];
  const warnings: unknown[][] = [];
  let hints = 0;
  const storage = {
    failDelete: false,
    async delete(key: string) {
      if (storage.failDelete) throw new Error('storage down');
      deleted.push(key);
    },
  };
  const deps = {
    tasks: new MemoryFileTasks(),
    permissions: memoryPermissions(grants),
    storage,
    outbox: { appended: () => void hints++ },
    ids: { next: () => `id${String(++n).padStart(3, '0')}` },
    clock: { now: () => new Date('2026-11-24T10:00:00Z') },
    logger: { warn: (...args: unknown[]) => void warnings.push(args) },
    units: { unitPaths: async () => UNIT_PATHS },
    exportMaxAttempts: 3,
  } satisfies FileTaskDeps & Record<string, unknown>;
  return { deps, deleted, warnings, hints: () => hints };
}
