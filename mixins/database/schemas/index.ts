import type { EntitySchema } from 'typeorm';
import { DIRECTORY_ENTITIES } from './directory.schema';
import { OPERATION_LOG_ENTITIES } from './operation-log.schema';
import { QUEUE_ENTITIES } from './queue.schema';
import { PERMISSION_ENTITIES } from './permission.schema';
import { FILE_TASK_ENTITIES } from './file-task.schema';
import { SCHEDULER_ENTITIES } from './scheduler.schema';
import { WEBHOOK_ENTITIES } from './webhook.schema';
import { EXPORT_SCHEDULE_ENTITIES } from './export-schedule.schema';

/** Every entity of the main database. Each capability adds its schemas here. */
export const MAIN_ENTITIES: EntitySchema[] = [
  ...(DIRECTORY_ENTITIES as EntitySchema[]),
  ...(OPERATION_LOG_ENTITIES as EntitySchema[]),
  ...(QUEUE_ENTITIES as EntitySchema[]),
  ...(PERMISSION_ENTITIES as EntitySchema[]),
  ...(FILE_TASK_ENTITIES as EntitySchema[]),
  ...(SCHEDULER_ENTITIES as EntitySchema[]),
  ...(WEBHOOK_ENTITIES as EntitySchema[]),
  ...(EXPORT_SCHEDULE_ENTITIES as EntitySchema[]),
];
