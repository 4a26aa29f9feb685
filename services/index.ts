import type { ServiceSchema } from 'moleculer';
import type { AppConfig } from '../mixins/config/app-config';
import { apiService } from './api.service';
import { directoryService } from './directory.service';
import { operationLogsService } from './operation-logs.service';
import { shopService } from './shop.service';
import { permissionsService } from './permissions.service';
import { fileTasksService } from './file-tasks.service';
import { exportsService } from './exports.service';
import { exportWorkerService } from './export-worker.service';
import { metadataService } from './metadata.service';
import { schedulerService } from './scheduler.service';
import { webhooksService } from './webhooks.service';
import { exportRequestsService } from './export-requests.service';
import { exportSchedulesService } from './export-schedules.service';

/** Every service by the name SERVICES uses. A node creates only the ones it is told to run. */
export const SERVICE_FACTORIES: Record<string, (config: AppConfig) => ServiceSchema> = {
  api: apiService,
  directory: directoryService,
  operationLogs: operationLogsService,
  permissions: permissionsService,
  fileTasks: fileTasksService,
  shop: shopService,
  metadata: metadataService,
  exports: exportsService,
  exportWorker: exportWorkerService,
  scheduler: schedulerService,
  webhooks: webhooksService,
  exportRequests: exportRequestsService,
  exportSchedules: exportSchedulesService,
};
