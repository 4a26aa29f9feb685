import { domainEvent } from '../../shared/domain-event';
import type { FileTaskStatus } from '../../file-tasks/file-task';
import { DAY_MS, type Job, type JobDeps } from './scheduler-deps';

/** Where stored objects live: exports (exports/<biz>/<yyyy-mm>/<taskId>.<ext>) and uploads (files/<yyyy>/<mm>/<taskId>). */
export const OBJECT_PREFIXES = ['exports/', 'files/'];
/** Storage adapters list at most this many keys per page. */
const LIST_PAGE = 1000;

/** The task id an object is named after: its last path segment without the extension. */
export const taskIdOfKey = (key: string): string => {
  const base = key.slice(key.lastIndexOf('/') + 1);
  const dot = base.indexOf('.');
  return dot < 0 ? base : base.slice(0, dot);
};

/**
 * Whether an object is still wanted: it is its task's stored file, or its task is still being
 * exported (the file is written before the record names it).
 */
export const objectWanted = (
  key: string,
  owner: { status: FileTaskStatus; storageKey: string | null } | undefined,
) =>
  owner !== undefined &&
  (owner.status === 'PENDING' ||
    owner.status === 'EXPORTING' ||
    (owner.status === 'SUCCESS' && owner.storageKey === key));

/**
 * Expiry: the files of SUCCESS tasks past their biz type's `retentionDays` (exports and, since
 * API.md "Lifecycle rules per biz type", uploads of FILE biz types) are deleted and the tasks
 * marked EXPIRED, logged as EXPORT_EXPIRED or FILE_EXPIRED and published as files.expired
 * (SUCCESS → EXPIRED first, then the bytes: a crash in between leaves an object whose task is
 * EXPIRED, which orphan collection removes). Then orphan collection: objects under the known
 * prefixes that no record wants, and older than the rule's minimum age (an upload writes its
 * object before its record), are deleted. Last, the temp files of writers that died mid-put,
 * untouched for TEMP_FILES_MAX_AGE_MINUTES.
 */
export const expiry: Job = async (d, rule, now) => {
  const report = { expired: 0, orphans: 0, failed: 0 };
  let more = false;
  const scope = new Set(rule.bizTypes);
  const bizTypes = (await d.bizTypes.all()).filter(
    (b) => b.retentionDays !== null && (scope.size === 0 || scope.has(b.code)),
  );
  outer: for (const b of bizTypes) {
    const days = b.retentionDays ?? 0;
    const before = new Date(now.getTime() - days * DAY_MS);
    let afterId = '';
    for (;;) {
      const ids = await d.maintenance.expired(b.code, before, afterId, rule.batchSize);
      for (const id of ids) {
        if (report.expired + report.orphans >= rule.maxItems) {
          more = true;
          break outer;
        }
        if (await expireOne(d, id, days, now)) report.expired++;
        else report.failed++;
      }
      if (ids.length < rule.batchSize) break;
      afterId = ids[ids.length - 1];
    }
  }
  let temporary = 0;
  if (!more && scope.size === 0) {
    const minAgeMs = (rule.orphanMinAgeMinutes ?? 60) * 60_000;
    more = await collectOrphans(d, now, minAgeMs, rule.maxItems - report.expired, report);
    // Partial files of writers that died (a killed export node), not only at the next start.
    temporary = await d.storage.collectTemporary(d.settings.tempFileMaxAgeMs).catch((e: unknown) => {
      d.logger.warn(`expiry: could not collect temp files: ${(e as Error).message}`);
      report.failed++;
      return 0;
    });
  }
  return {
    handled: report.expired + report.orphans + temporary,
    failed: report.failed,
    more,
    detail: { ...report, ...(temporary ? { temporary } : {}) },
  };
};

async function expireOne(d: JobDeps, id: string, retentionDays: number, now: Date): Promise<boolean> {
  const task = await d.tasks.find(id);
  if (!task || task.status !== 'SUCCESS') return true; // changed meanwhile: nothing to do
  const from = { status: task.status, version: task.version };
  const key = task.file?.storageKey ?? null;
  task.expire(now);
  const event = domainEvent(
    {
      // Both are published as files.expired (domain/notifications/integration-event.ts).
      type: task.kind === 'FILE' ? 'FILE_EXPIRED' : 'EXPORT_EXPIRED',
      userId: null,
      targetType: 'FILE_TASK',
      targetId: task.id,
      bizType: task.bizType,
      detail: { retentionDays },
    },
    d.ids.next(),
    now,
  );
  if (!(await d.tasks.transition(task, from, [event]))) return true;
  d.outbox.appended();
  if (!key) return true;
  try {
    await d.storage.delete(key);
    return true;
  } catch (e) {
    d.logger.warn(`expiry: could not delete ${key} (orphan collection retries): ${(e as Error).message}`);
    return false;
  }
}

/** Deletes unwanted objects; true when it stopped at `room` with keys left to look at. */
async function collectOrphans(
  d: JobDeps,
  now: Date,
  minAgeMs: number,
  room: number,
  report: { orphans: number; failed: number },
): Promise<boolean> {
  for (const prefix of OBJECT_PREFIXES) {
    let cursor: string | undefined;
    do {
      const page = await d.storage.list(prefix, cursor, LIST_PAGE);
      const owners = await d.maintenance.owners([...new Set(page.keys.map(taskIdOfKey))]);
      for (const key of page.keys) {
        if (objectWanted(key, owners.get(taskIdOfKey(key)))) continue;
        if (report.orphans >= room) return true;
        try {
          const head = await d.storage.head(key);
          // No modification time: age unknown, so never treated as old enough.
          if (!head?.lastModified || now.getTime() - head.lastModified.getTime() < minAgeMs) continue;
          // Re-checked right before deleting: a record may have appeared since the page was read.
          const again = await d.maintenance.owners([taskIdOfKey(key)]);
          if (objectWanted(key, again.get(taskIdOfKey(key)))) continue;
          await d.storage.delete(key);
          report.orphans++;
        } catch (e) {
          report.failed++;
          d.logger.warn(`expiry: could not collect ${key}: ${(e as Error).message}`);
        }
      }
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
  }
  return false;
}
