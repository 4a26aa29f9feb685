import { FileTask } from '../../file-tasks/file-task';
import { outageRetry, type ExportFailure, type OutageDecision, type OutageState } from '../export-failure';
import type { ExportOutput } from '../export-pipeline.ports';
import { committing, exportEvent, type ExportActor, type ExportDeps } from './export-deps';

export type RunOutcome =
  | { outcome: 'SUCCESS'; rows: number }
  | { outcome: 'STOPPED' }
  | { outcome: 'FAILED'; reason: string }
  | { outcome: 'WAITING'; wait: OutageDecision };

/** Runs are the system's doing on the requester's behalf: logged under the requester, no request id. */
const requesterOf = (task: FileTask): ExportActor => ({ userId: task.createdBy, requestId: null });

/**
 * EXPORTING → SUCCESS with the stored file. When the task moved meanwhile (cancelled or taken over
 * after the last check) the file is never published. If the write fails the task is left as it
 * was (EXPORTING) and the error goes to the failure path.
 */
export async function finishExport(
  d: Pick<ExportDeps, 'tasks' | 'pipeline' | 'progress' | 'outbox' | 'ids' | 'clock'>,
  task: FileTask,
  output: ExportOutput,
  ms: number,
): Promise<RunOutcome> {
  const from = { status: task.status, version: task.version };
  const running = task.snapshot();
  task.succeed(output.file, output.rowCount, output.manifest, d.clock.now());
  const succeeded = exportEvent(
    d,
    requesterOf(task),
    'EXPORT_SUCCEEDED',
    task,
    { rows: output.rowCount, size: output.file.size, sha256: output.file.sha256, ms },
    'SUCCESS',
  );
  const ok = await committing(d, () => d.tasks.transition(task, from, [succeeded])).catch((e: unknown) => {
    // Not saved: the task is still EXPORTING, and the failure path records that.
    task.revertTo(running);
    throw e;
  });
  if (!ok) {
    await d.pipeline.discard(output.file.storageKey);
    return { outcome: 'STOPPED' };
  }
  // Progress events are a courtesy to open event streams: a transporter outage must not turn a
  // recorded SUCCESS into a failure.
  await d.progress
    .publish({ taskId: task.id, status: 'SUCCESS', rows: output.rowCount, total: output.rowCount })
    .catch(() => undefined);
  return { outcome: 'SUCCESS', rows: output.rowCount };
}

/**
 * EXPORTING → FAILED. An outage within its window gives the attempt back and is tried again after
 * a wait; otherwise a retryable reason with attempts left is rethrown, so the queue retries with
 * backoff (the next run moves FAILED → PENDING → EXPORTING).
 */
export async function failExport(
  d: Pick<ExportDeps, 'tasks' | 'progress' | 'outbox' | 'ids' | 'clock' | 'logger' | 'settings'>,
  task: FileTask,
  failure: ExportFailure,
  outage: OutageState | null,
  random: () => number,
): Promise<RunOutcome> {
  const now = d.clock.now();
  const wait = outageRetry(failure, outage, now.getTime(), random(), { windowMs: d.settings.outageWindowMs });
  const from = { status: task.status, version: task.version };
  if (wait.wait) task.failForOutage(failure.message, now);
  else task.fail(failure.reason, failure.message, now);
  const willRetry = wait.wait || task.mayRetry(d.settings.maxAttempts);
  d.logger.warn(
    `export ${task.id} failed (${failure.reason}${wait.wait ? `, outage: next try in ${wait.delayMs} ms` : willRetry ? ', will retry' : ''}): ${failure.message}`,
  );
  const failed = exportEvent(
    d,
    requesterOf(task),
    'EXPORT_FAILED',
    task,
    {
      reason: failure.reason,
      message: failure.message,
      attempt: task.exportAttrs.attempts,
      willRetry,
      ...(wait.wait ? { outage: true } : {}),
    },
    'FAILURE',
  );
  const ok = await committing(d, () => d.tasks.transition(task, from, [failed]));
  if (ok)
    await d.progress
      .publish({ taskId: task.id, status: 'FAILED', willRetry, reason: failure.reason })
      .catch(() => undefined);
  if (ok && wait.wait) return { outcome: 'WAITING', wait };
  if (ok && willRetry) throw failure;
  return { outcome: 'FAILED', reason: failure.reason };
}
