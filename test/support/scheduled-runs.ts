import type { ScheduledTaskRun } from '../../domain/scheduler/run';
import { ulidIds } from '../../mixins/auth/ulid-ids';

/** A RUNNING run record as a node left it a minute ago; `over` sets the rest. */
export const runningRun = (over: Partial<ScheduledTaskRun> = {}): ScheduledTaskRun => ({
  id: ulidIds.next(),
  name: 'expiry',
  trigger: 'cron',
  jobId: null,
  node: 'dead-node-1',
  startedAt: new Date(Date.now() - 60_000),
  finishedAt: null,
  handled: 0,
  outcome: 'RUNNING',
  detail: { rule: {} },
  ...over,
});
