import { interrupted, orphans, type ClusterView, type ScheduledTaskRun } from '../run';
import type { SchedulerDeps } from './scheduler-deps';

/**
 * Ends the RUNNING runs nobody will finish (see the domain's orphans) as FAILED with the attempt
 * in detail.interrupted, and returns them. A cron tick the queue still holds is left alone: the
 * queue redelivers it and runJob takes its run over, so the tick still gets its run.
 */
export async function endOrphanedRuns(
  d: Pick<SchedulerDeps, 'scheduler' | 'timer' | 'logger' | 'clock'>,
  view: ClusterView,
): Promise<ScheduledTaskRun[]> {
  const ended: ScheduledTaskRun[] = [];
  for (const { run, reason } of orphans(await d.scheduler.runningRuns(), view)) {
    if (run.jobId !== null && (await d.timer.tickLive(run.jobId))) continue;
    const end = interrupted(run, reason, d.clock.now());
    // Conditional: another node may have ended it, or a redelivered tick taken it over, meanwhile.
    if (!(await d.scheduler.interruptRun(end))) continue;
    d.logger.warn(
      `scheduled job ${run.name}: run ${run.id} on node ${run.node} was interrupted (${reason}); recorded as FAILED`,
    );
    ended.push(end);
  }
  return ended;
}
