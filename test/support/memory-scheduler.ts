import type { DomainEvent } from '../../domain/shared/domain-event';
import type { ScheduledTaskRun } from '../../domain/scheduler/run';
import { ScheduledTask } from '../../domain/scheduler/scheduled-task';
import type {
  CompensationCandidate,
  CompensationJobs,
  FileTaskMaintenanceRepository,
  SchedulerRepository,
  SchedulerTimer,
} from '../../domain/scheduler/scheduler.ports';
import type { JobDeps, SchedulerDeps } from '../../domain/scheduler/use-cases/scheduler-deps';
import type { FileTaskRepository } from '../../domain/file-tasks/file-task.ports';
import type { ObjectStorage } from '../../domain/ports/object-storage.port';

/** The SchedulerRepository port in memory, with the same conditional writes as the adapter. */
export class MemorySchedulerRepository implements SchedulerRepository {
  readonly tasks = new Map<string, ScheduledTask>();
  readonly runsById = new Map<string, ScheduledTaskRun>();
  readonly events: DomainEvent[] = [];

  private copy(t: ScheduledTask) {
    return ScheduledTask.restore({ ...t.snapshot() });
  }
  async ensure(t: ScheduledTask) {
    if (!this.tasks.has(t.name)) this.tasks.set(t.name, this.copy(t));
  }
  async list() {
    return [...this.tasks.values()].sort((a, b) => a.name.localeCompare(b.name)).map((t) => this.copy(t));
  }
  async find(name: string) {
    const t = this.tasks.get(name);
    return t ? this.copy(t) : null;
  }
  async insert(t: ScheduledTask, events: DomainEvent[]) {
    if (this.tasks.has(t.name)) return false;
    this.tasks.set(t.name, this.copy(t));
    this.events.push(...events);
    return true;
  }
  async delete(name: string, from: number, events: DomainEvent[]) {
    if (this.tasks.get(name)?.version !== from) return false;
    this.tasks.delete(name);
    this.events.push(...events);
    return true;
  }
  async update(t: ScheduledTask, from: number, events: DomainEvent[]) {
    if (this.tasks.get(t.name)?.version !== from) return false;
    this.tasks.set(t.name, this.copy(t));
    this.events.push(...events);
    return true;
  }
  async startRun(run: ScheduledTaskRun) {
    if (run.jobId !== null && [...this.runsById.values()].some((r) => r.jobId === run.jobId)) return false;
    this.runsById.set(run.id, { ...run });
    return true;
  }
  async runOfTick(name: string, jobId: string) {
    return [...this.runsById.values()].find((r) => r.name === name && r.jobId === jobId) ?? null;
  }
  async takeOverRun(prevId: string, run: ScheduledTaskRun) {
    if (this.runsById.get(prevId)?.outcome !== 'RUNNING') return false;
    this.runsById.delete(prevId);
    this.runsById.set(run.id, { ...run });
    return true;
  }
  async finishRun(run: ScheduledTaskRun) {
    if (!this.runsById.has(run.id)) return false;
    this.runsById.set(run.id, { ...run });
    return true;
  }
  async interruptRun(run: ScheduledTaskRun) {
    if (this.runsById.get(run.id)?.outcome !== 'RUNNING') return false;
    this.runsById.set(run.id, { ...run });
    return true;
  }
  async runningRuns() {
    return [...this.runsById.values()].filter((r) => r.outcome === 'RUNNING');
  }
  async runs(name: string, limit: number, beforeId: string | null) {
    return [...this.runsById.values()]
      .filter((r) => r.name === name && (beforeId === null || r.id < beforeId))
      .sort((a, b) => (a.id < b.id ? 1 : -1))
      .slice(0, limit);
  }
  async lastRun(name: string) {
    return (await this.runs(name, 1, null))[0] ?? null;
  }
  async logEvents(events: DomainEvent[]) {
    this.events.push(...events);
  }
  async pruneRuns() {
    return 0;
  }
}

/** The SchedulerTimer port in memory: armed schedules, made-up ticks, and ticks the queue holds. */
export class MemoryTimer implements SchedulerTimer {
  readonly armed = new Map<string, string>();
  readonly madeUp: string[] = [];
  readonly liveTicks = new Set<string>();
  async arm(t: ScheduledTask) {
    if (t.enabled) this.armed.set(t.name, t.rule.cron);
    else this.armed.delete(t.name);
  }
  async disarm(name: string) {
    this.armed.delete(name);
  }
  async makeUp(name: string, tick: Date) {
    this.madeUp.push(`${name}@${tick.toISOString()}`);
  }
  async tickLive(jobId: string) {
    return this.liveTicks.has(jobId);
  }
}

/** The export queue as compensation sees it, in memory. */
export class MemoryCompensationJobs implements CompensationJobs {
  /** Ids of jobs that will still run. */
  readonly liveIds = new Set<string>();
  readonly enqueued: string[] = [];
  /** Other live jobs (turns of other exports) the queue holds. */
  others = 0;
  jobId = (taskId: string, version: number) => `comp-${taskId}-${version}`;
  async live(taskId: string, version: number, rounds: readonly number[]) {
    const ids = [this.jobId(taskId, version), ...rounds.map((a) => `export-${taskId}-${a}`)];
    return ids.some((id) => this.liveIds.has(id));
  }
  async enqueue(taskId: string, _attempts: number, version: number) {
    this.enqueued.push(this.jobId(taskId, version));
    this.liveIds.add(this.jobId(taskId, version));
  }
  async idle() {
    return this.liveIds.size + this.others === 0;
  }
}

/** File task maintenance in memory: compensation candidates and their claims. */
export class MemoryMaintenance implements Partial<FileTaskMaintenanceRepository> {
  readonly stored = new Map<string, CompensationCandidate>();
  readonly events: DomainEvent[] = [];
  async candidates(status: 'PENDING' | 'EXPORTING' | 'FAILED', p: { afterId: string; limit: number }) {
    return [...this.stored.values()]
      .filter((t) => t.status === status && t.id > p.afterId)
      .sort((a, b) => (a.id < b.id ? -1 : 1))
      .slice(0, p.limit);
  }
  /** Nothing old enough to archive. */
  async archiveBatch() {
    return 0;
  }
  async claim(t: CompensationCandidate, _now: Date, events: DomainEvent[]) {
    const s = this.stored.get(t.id);
    if (!s || s.version !== t.version || s.status !== t.status) return false;
    this.stored.set(t.id, { ...s, version: s.version + 1 });
    this.events.push(...events);
    return true;
  }
}

let seq = 0;
/** Sortable ids for fakes. */
export const memoryIds = { next: () => `ID${String(++seq).padStart(8, '0')}` };

export const silentLogger = { info: () => undefined, warn: () => undefined };

/** The deps of the admin use cases over the fakes, at a fixed instant. */
export function schedulerDeps(now: Date, over: Partial<SchedulerDeps> = {}): SchedulerDeps {
  return {
    scheduler: new MemorySchedulerRepository(),
    timer: new MemoryTimer(),
    ids: memoryIds,
    clock: { now: () => now },
    outbox: { appended: () => undefined },
    logger: silentLogger,
    ...over,
  };
}

/** The jobs' deps over the fakes; ports a test does not use throw when touched. */
export function jobDeps(now: Date, over: Partial<JobDeps> = {}): JobDeps {
  const unused = <T extends object>(what: string) =>
    new Proxy({} as T, {
      get: (_t, p) => () => {
        throw new Error(`${what}.${String(p)} not expected here`);
      },
    });
  return {
    scheduler: new MemorySchedulerRepository(),
    tasks: unused<FileTaskRepository>('tasks'),
    maintenance: new MemoryMaintenance() as unknown as FileTaskMaintenanceRepository,
    logs: { archiveBefore: async () => 0 },
    compensationJobs: new MemoryCompensationJobs(),
    turns: { enqueueTurn: async () => undefined },
    storage: unused<ObjectStorage>('storage'),
    bizTypes: { all: async () => [] },
    ids: memoryIds,
    clock: { now: () => now },
    logger: silentLogger,
    outbox: { appended: () => undefined },
    settings: {
      maxExportAttempts: 3,
      fileTaskRetentionDays: 30,
      logRetentionDays: 180,
      tempFileMaxAgeMs: 900_000,
    },
    ...over,
  };
}
