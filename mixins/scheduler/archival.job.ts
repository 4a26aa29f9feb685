import { domainEvent } from '../../domain/shared/domain-event';
import { ARCHIVABLE_STATUSES } from './file-task-maintenance.repository';
import type { Job } from './job-context';

const DAY = 24 * 3600 * 1000;
/** Run history is kept this long; archival prunes it too. */
export const RUN_HISTORY_DAYS = 90;

/**
 * Archival: finished file tasks and operation log entries past their retention move to their cold
 * tables, one batch per transaction (copy and delete together), so a run killed at any point
 * leaves every row in exactly one table and the next run carries on. File tasks still holding
 * bytes (SUCCESS) stay until expiry has deleted their file. Each batch of file tasks is logged as
 * RECORDS_ARCHIVED in its own transaction; log entries moved are logged once per run.
 */
export const archival: Job = async (deps, rule, now) => {
  const taskDays =
    rule.olderThanDays ?? rule.fileTaskRetentionDays ?? deps.config.scheduler.fileTaskRetentionDays;
  const logDays = rule.logRetentionDays ?? deps.config.scheduler.logRetentionDays;
  const taskCutoff = new Date(now.getTime() - taskDays * DAY);
  const logCutoff = new Date(now.getTime() - logDays * DAY);
  let tasks = 0;
  let more = false;
  const event = (detail: Record<string, unknown>, bizType: string | null = null) =>
    domainEvent(
      { type: 'RECORDS_ARCHIVED', userId: null, targetType: 'TABLE', targetId: null, bizType, detail },
      deps.ids.next(),
      now,
    );

  for (const status of rule.statuses ?? ARCHIVABLE_STATUSES) {
    while (!more) {
      const room = rule.maxItems - tasks;
      if (room <= 0) {
        more = true;
        break;
      }
      const n = await deps.maintenance.archiveBatch(
        status,
        taskCutoff,
        Math.min(rule.batchSize, room),
        rule.bizTypes,
        (count, firstId, lastId) =>
          event({ table: 'file_tasks', status, count, firstId, lastId, before: taskCutoff.toISOString() }),
      );
      if (n === 0) break;
      tasks += n;
      deps.outboxHint();
    }
  }

  // Log entries are not scoped by biz type: the chain moves as one prefix.
  let logs = 0;
  if (!more && rule.bizTypes.length === 0) {
    const room = rule.maxItems - tasks;
    const batches = Math.max(1, Math.floor(room / rule.batchSize));
    logs = await deps.logs.archiveBefore(logCutoff, rule.batchSize, batches);
    if (logs >= batches * rule.batchSize) more = true;
    if (logs > 0) {
      await deps.scheduler.logEvents([
        event({ table: 'operation_logs', count: logs, before: logCutoff.toISOString() }),
      ]);
      deps.outboxHint();
    }
  }
  const runsPruned = await deps.scheduler.pruneRuns(new Date(now.getTime() - RUN_HISTORY_DAYS * DAY));
  return {
    handled: tasks + logs,
    failed: 0,
    more,
    detail: { fileTasks: tasks, operationLogs: logs, runsPruned, taskCutoff, logCutoff },
  };
};
