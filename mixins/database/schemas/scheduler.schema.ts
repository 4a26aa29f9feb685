import { EntitySchema } from 'typeorm';
import { bigintNumber, jsonText } from '../column-types';

export interface ScheduledTaskRow {
  name: string;
  /** null: a built-in job stored before kinds existed, whose kind is its name. */
  kind: string | null;
  rule: object;
  enabled: boolean;
  version: number;
  updatedAt: Date;
  updatedBy: string | null;
}

export const ScheduledTaskSchema = new EntitySchema<ScheduledTaskRow>({
  name: 'ScheduledTask',
  tableName: 'scheduled_tasks',
  columns: {
    name: { type: 'varchar', length: 64, primary: true },
    kind: { type: 'varchar', length: 16, nullable: true },
    rule: { type: 'text', transformer: jsonText },
    enabled: { type: 'boolean' },
    version: { type: 'int' },
    updatedAt: { name: 'updated_at', type: 'datetime', precision: 3 },
    updatedBy: { name: 'updated_by', type: 'varchar', length: 64, nullable: true },
  },
});

export interface ScheduledTaskRunRow {
  id: string;
  name: string;
  triggerKind: string;
  jobId: string | null;
  node: string;
  startedAt: Date;
  finishedAt: Date | null;
  handled: number;
  outcome: string;
  detail: object;
}

export const ScheduledTaskRunSchema = new EntitySchema<ScheduledTaskRunRow>({
  name: 'ScheduledTaskRun',
  tableName: 'scheduled_task_runs',
  columns: {
    id: { type: 'varchar', length: 64, primary: true },
    name: { type: 'varchar', length: 64 },
    triggerKind: { name: 'trigger_kind', type: 'varchar', length: 8 },
    jobId: { name: 'job_id', type: 'varchar', length: 191, nullable: true },
    node: { type: 'varchar', length: 128 },
    startedAt: { name: 'started_at', type: 'datetime', precision: 3 },
    finishedAt: { name: 'finished_at', type: 'datetime', precision: 3, nullable: true },
    handled: { type: 'bigint', transformer: bigintNumber },
    outcome: { type: 'varchar', length: 16 },
    detail: { type: 'text', transformer: jsonText },
  },
});

export const SCHEDULER_ENTITIES = [ScheduledTaskSchema, ScheduledTaskRunSchema];
