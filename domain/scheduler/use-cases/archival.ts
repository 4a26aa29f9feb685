import { domainEvent } from '../../shared/domain-event';
import { ARCHIVABLE_STATUSES } from '../scheduled-task';
import { DAY_MS, type Job } from './scheduler-deps';

/** Run history is kept this long; archival prunes it too. */
export const RUN_HISTORY_DAYS = 90;

/**
 * Archival: finished file tasks and operation log entries past their retention move to their cold
 * tables, one batch per transaction (copy and delete together), so a run killed at any point
 * leaves every row in exactly one table and the next run carries on. File tasks still holding
 * bytes (SUCCESS) stay until expiry has deleted their file. Each batch of file tasks is logged as
 * RECORDS_ARCHIVED in its own transaction; log entries moved are logged once per run.
 */
export const archival: Job = async (d, rule, now) => {
  const taskDays = rule.olderThanDays ?? rule.fileTaskRetentionDays ?? d.settings.fileTaskRetentionDays;
  const logDays = rule.logRetentionDays ?? d.settings.logRetentionDays;
  const taskCutoff = new Date(now.getTime() - taskDays * DAY_MS);
  const logCutoff = new Date(now.getTime() - logDays * DAY_MS);
  let tasks = 0;
  let more = false;
  const event = (detail: Record<string, unknown>, bizType: string | null = null) =>
    domainEvent(
      { type: 'RECORDS_ARCHIVED', userId: null, targetType: 'TABLE', targetId: null, bizType, detail },
      d.ids.next(),
      now,
    );

  for (const status of rule.statuses ?? ARCHIVABLE_STATUSES) {
    while (!more) {
      const room = rule.maxItems - tasks;
      if (room <= 0) {
        more = true;
        break;
      }
      const n = await d.maintenance.archiveBatch(
        status,
        taskCutoff,
        Math.min(rule.batchSize, room),
        rule.bizTypes,
        (count, firstId, lastId) =>
          event({ table: 'file_tasks', status, count, firstId, lastId, before: taskCutoff.toISOString() }),
      );
      if (n === 0) break;
      tasks += n;
      d.outbox.appended();
    }
  }

  // Log entries are not scoped by biz type: the chain moves as one prefix.
  let logs = 0;
  if (!more && rule.bizTypes.length === 0) {
    const room = rule.maxItems - tasks;
    const batches = Math.max(1, Math.floor(room / rule.batchSize));
    logs = await d.logs.archiveBefore(logCutoff, rule.batchSize, batches);
    if (logs >= batches * rule.batchSize) more = true;
    if (logs > 0) {
      await d.scheduler.logEvents([
        event({ table: 'operation_logs', count: logs, before: logCutoff.toISOString() }),
      ]);
      d.outbox.appended();
    }
  }
  const runsPruned = await d.scheduler.pruneRuns(new Date(now.getTime() - RUN_HISTORY_DAYS * DAY_MS));
  return {
    handled: tasks + logs,
    failed: 0,
    more,
    detail: { fileTasks: tasks, operationLogs: logs, runsPruned, taskCutoff, logCutoff },
  };
};
