import type { DataSource } from 'typeorm';
import { ScheduledTask, type JobKind, type ScheduledTaskRule } from '../../domain/scheduler/scheduled-task';
import {
  recordedNode,
  type RunOutcome,
  type RunTrigger,
  type ScheduledTaskRun,
} from '../../domain/scheduler/run';
import type { DomainEvent } from '../../domain/shared/domain-event';
import { isDuplicateKey } from '../database/db-errors';
import {
  ScheduledTaskRunSchema,
  ScheduledTaskSchema,
  type ScheduledTaskRunRow,
} from '../database/schemas/scheduler.schema';
import { appendToOutbox, logEvents } from '../operation-log/outbox';
import type { SchedulerRepository } from '../../domain/scheduler/scheduler.ports';

const toRun = (r: ScheduledTaskRunRow): ScheduledTaskRun => ({
  id: r.id,
  name: r.name,
  trigger: r.triggerKind as RunTrigger,
  jobId: r.jobId,
  node: r.node,
  startedAt: r.startedAt,
  finishedAt: r.finishedAt,
  handled: r.handled,
  outcome: r.outcome as RunOutcome,
  detail: r.detail as Record<string, unknown>,
});

/** Scheduled jobs and their run history in the records database (the SchedulerRepository port). */
export class TypeormSchedulerRepository implements SchedulerRepository {
  constructor(private readonly ds: DataSource) {}

  /** Stores a job that does not exist yet; a job stored already (another node, an admin) is kept. */
  async ensure(task: ScheduledTask): Promise<void> {
    const s = task.snapshot();
    try {
      await this.ds
        .createQueryBuilder()
        .insert()
        .into(ScheduledTaskSchema)
        .values({ ...s, rule: s.rule })
        .updateEntity(false)
        .execute();
    } catch (e) {
      if (!isDuplicateKey(e)) throw e;
    }
  }

  async list(): Promise<ScheduledTask[]> {
    const rows = await this.ds.getRepository(ScheduledTaskSchema).find({ order: { name: 'ASC' } });
    return rows.map((r) =>
      ScheduledTask.restore({
        name: r.name,
        kind: (r.kind ?? r.name) as JobKind,
        rule: r.rule as ScheduledTaskRule,
        enabled: Boolean(r.enabled),
        version: r.version,
        updatedAt: r.updatedAt,
        updatedBy: r.updatedBy,
      }),
    );
  }

  async find(name: string): Promise<ScheduledTask | null> {
    return (await this.list()).find((t) => t.name === name) ?? null;
  }

  /** Stores an admin's new job; false when a job of that name exists already. */
  async insert(task: ScheduledTask, events: DomainEvent[]): Promise<boolean> {
    const s = task.snapshot();
    try {
      await this.ds.transaction(async (em) => {
        await em
          .createQueryBuilder()
          .insert()
          .into(ScheduledTaskSchema)
          .values({ ...s })
          .updateEntity(false)
          .execute();
        await appendToOutbox(em, events);
      });
      return true;
    } catch (e) {
      if (isDuplicateKey(e)) return false;
      throw e;
    }
  }

  /** Deletes an admin's job if nobody changed it since it was read (version `from`). Runs stay. */
  async delete(name: string, from: number, events: DomainEvent[]): Promise<boolean> {
    return this.ds.transaction(async (em) => {
      const r = await em
        .createQueryBuilder()
        .delete()
        .from(ScheduledTaskSchema)
        .where('name = :name AND version = :from', { name, from })
        .execute();
      if (!r.affected) return false;
      await appendToOutbox(em, events);
      return true;
    });
  }

  /** Saves an admin's change if nobody changed the job since it was read (version `from`). */
  async update(task: ScheduledTask, from: number, events: DomainEvent[]): Promise<boolean> {
    const s = task.snapshot();
    return this.ds.transaction(async (em) => {
      const r = await em
        .createQueryBuilder()
        .update(ScheduledTaskSchema)
        .set({
          rule: s.rule,
          enabled: s.enabled,
          version: s.version,
          updatedAt: s.updatedAt,
          updatedBy: s.updatedBy,
        })
        .where('name = :name AND version = :from', { name: s.name, from })
        .updateEntity(false)
        .execute();
      if (!r.affected) return false;
      await appendToOutbox(em, events);
      return true;
    });
  }

  /**
   * Records a started run. A cron tick's run carries the tick's queue job id: a tick delivered
   * again (at-least-once queues) finds its run here, and false says so (see runOfTick).
   */
  async startRun(run: ScheduledTaskRun): Promise<boolean> {
    try {
      await this.insertRun(run);
      return true;
    } catch (e) {
      if (run.jobId !== null && isDuplicateKey(e)) return false;
      throw e;
    }
  }

  private async insertRun(run: ScheduledTaskRun): Promise<void> {
    await this.ds
      .createQueryBuilder()
      .insert()
      .into(ScheduledTaskRunSchema)
      .values({
        id: run.id,
        name: run.name,
        triggerKind: run.trigger,
        jobId: run.jobId,
        node: recordedNode(run.node),
        startedAt: run.startedAt,
        finishedAt: null,
        handled: 0,
        outcome: 'RUNNING',
        detail: run.detail,
      })
      .updateEntity(false)
      .execute();
  }

  /** The run recorded for a cron tick, if any. */
  async runOfTick(name: string, jobId: string): Promise<ScheduledTaskRun | null> {
    const row = await this.ds.getRepository(ScheduledTaskRunSchema).findOneBy({ name, jobId });
    return row ? toRun(row) : null;
  }

  /**
   * Hands a RUNNING run to a new attempt: id, node, start and detail become `run`'s. Conditional
   * on the old id and RUNNING, so of two nodes taking the same run over only one gets true, and a
   * run that finished meanwhile is left alone.
   */
  async takeOverRun(prevId: string, run: ScheduledTaskRun): Promise<boolean> {
    return this.updateRun(
      { id: run.id, node: recordedNode(run.node), startedAt: run.startedAt, detail: run.detail },
      prevId,
      true,
    );
  }

  /**
   * Records how a run ended. False when its record is no longer this attempt's: another node took
   * the run over (a new id). Not conditional on RUNNING: a run wrongly ended as interrupted (its
   * node only looked gone) still gets its real outcome.
   */
  async finishRun(run: ScheduledTaskRun): Promise<boolean> {
    const { finishedAt, handled, outcome, detail } = run;
    return this.updateRun({ finishedAt, handled, outcome, detail }, run.id, false);
  }

  /** Ends a run nobody will finish (see orphans), unless it finished or was taken over meanwhile. */
  async interruptRun(run: ScheduledTaskRun): Promise<boolean> {
    const { finishedAt, outcome, detail } = run;
    return this.updateRun({ finishedAt, outcome, detail }, run.id, true);
  }

  /** Updates the run `id` (only while RUNNING if `running`); true when it did. */
  private async updateRun(set: Partial<ScheduledTaskRunRow>, id: string, running: boolean): Promise<boolean> {
    const r = await this.ds
      .createQueryBuilder()
      .update(ScheduledTaskRunSchema)
      .set(set)
      .where(running ? "id = :id AND outcome = 'RUNNING'" : 'id = :id', { id })
      .updateEntity(false)
      .execute();
    return r.affected === 1;
  }

  /**
   * Every RUNNING run. No index on outcome: the history is bounded (90 days, see archival) and
   * this is read a few times an hour per core node.
   */
  async runningRuns(): Promise<ScheduledTaskRun[]> {
    const rows = await this.ds.getRepository(ScheduledTaskRunSchema).findBy({ outcome: 'RUNNING' });
    return rows.map(toRun);
  }

  /** A job's runs, newest first, after the cursor id. */
  async runs(name: string, limit: number, beforeId: string | null): Promise<ScheduledTaskRun[]> {
    const qb = this.ds
      .getRepository(ScheduledTaskRunSchema)
      .createQueryBuilder('r')
      .where('r.name = :name', { name });
    if (beforeId) qb.andWhere('r.id < :beforeId', { beforeId });
    const rows = await qb.orderBy('r.id', 'DESC').limit(limit).getMany();
    return rows.map(toRun);
  }

  async lastRun(name: string): Promise<ScheduledTaskRun | null> {
    return (await this.runs(name, 1, null))[0] ?? null;
  }

  /** Events that change no record of ours (e.g. log entries archived): outbox only. */
  async logEvents(events: DomainEvent[]): Promise<void> {
    await logEvents(this.ds, events);
  }

  /** Run history older than `before` is dropped (archival keeps the history bounded). */
  async pruneRuns(before: Date): Promise<number> {
    const qb = this.ds.getRepository(ScheduledTaskRunSchema).createQueryBuilder('r');
    const [{ n }] = await qb
      .select('COUNT(*)', 'n')
      .where('r.startedAt < :before', { before })
      .getRawMany<{ n: string | number }>();
    await this.ds
      .createQueryBuilder()
      .delete()
      .from(ScheduledTaskRunSchema)
      .where('started_at < :before', { before })
      .execute();
    return Number(n);
  }
}
