import { EntitySchema } from 'typeorm';
import { jsonText } from '../column-types';

export interface ExportScheduleRow {
  id: string;
  name: string;
  ownerId: string;
  bizType: string;
  format: string;
  filters: object;
  columns: string[] | null;
  locale: string | null;
  cron: string;
  timeZone: string;
  enabled: boolean;
  version: number;
  createdAt: Date;
  updatedAt: Date;
  lastFiredAt: Date | null;
  lastTaskId: string | null;
  lastError: string | null;
}

export const ExportScheduleSchema = new EntitySchema<ExportScheduleRow>({
  name: 'ExportSchedule',
  tableName: 'export_schedules',
  columns: {
    id: { type: 'varchar', length: 64, primary: true },
    name: { type: 'varchar', length: 100 },
    ownerId: { name: 'owner_id', type: 'varchar', length: 64 },
    bizType: { name: 'biz_type', type: 'varchar', length: 64 },
    format: { type: 'varchar', length: 16 },
    filters: { type: 'text', transformer: jsonText },
    columns: { type: 'text', nullable: true, transformer: jsonText },
    locale: { type: 'varchar', length: 35, nullable: true },
    cron: { type: 'varchar', length: 100 },
    timeZone: { name: 'time_zone', type: 'varchar', length: 64 },
    enabled: { type: 'boolean' },
    version: { type: 'int' },
    createdAt: { name: 'created_at', type: 'datetime', precision: 3 },
    updatedAt: { name: 'updated_at', type: 'datetime', precision: 3 },
    lastFiredAt: { name: 'last_fired_at', type: 'datetime', precision: 3, nullable: true },
    lastTaskId: { name: 'last_task_id', type: 'varchar', length: 64, nullable: true },
    lastError: { name: 'last_error', type: 'varchar', length: 500, nullable: true },
  },
});

export const EXPORT_SCHEDULE_ENTITIES = [ExportScheduleSchema];
