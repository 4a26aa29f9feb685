import { FileTask, type StoredFile } from '../../file-tasks/file-task';
import { committing, fileTaskEvent, type FileTaskDeps } from '../../file-tasks/use-cases/file-task-deps';
import type { Actor } from '../../shared/domain-event';
import type { Principal } from '../../shared/principal';
import { sanitizeFileName } from '../file-name';
import type { UnitPathReader, UploadSource } from '../files.ports';
import { checkBizDomain, uploadKey, uploadName } from '../upload-fields';

type RecordDeps = Pick<FileTaskDeps, 'tasks' | 'outbox' | 'ids' | 'clock'> & { units: UnitPathReader };

/** Stored bytes to record: what the gateway's multipart route sends after its own store. */
export interface RecordUploadInput {
  id: string;
  bizType: string;
  bizDomain?: string | null;
  name: string;
  file: StoredFile;
}

/**
 * Writes the record of stored bytes and its FILE_UPLOADED event in one transaction. A retried
 * call (the first answer lost on the way back) finds its own record and gets the same answer.
 */
export async function recordUpload(d: RecordDeps, user: Principal, actor: Actor, p: RecordUploadInput) {
  const unitPaths = await d.units.unitPaths();
  const task = FileTask.uploaded({
    id: p.id,
    bizType: p.bizType,
    bizDomain: checkBizDomain(p.bizDomain),
    name: sanitizeFileName(p.name),
    createdBy: user.id,
    unitId: user.unitId,
    unitPath: user.unitId ? (unitPaths[user.unitId] ?? null) : null,
    file: p.file,
    now: d.clock.now(),
  });
  const { size, sha256, contentType } = p.file;
  const uploaded = fileTaskEvent(d, actor, 'FILE_UPLOADED', task, {
    name: task.name,
    size,
    sha256,
    contentType,
  });
  try {
    await committing(d, () => d.tasks.insert(task, [uploaded]));
  } catch (e) {
    const existing = await d.tasks.find(p.id).catch(() => null);
    if (existing?.file?.storageKey === p.file.storageKey && existing.createdBy === user.id) {
      return existing.toView();
    }
    throw e;
  }
  return task.toView();
}

/** The fields of an upload sent next to its bytes (API.md "Files"). */
export interface UploadFields {
  bizType?: unknown;
  bizDomain?: unknown;
  name?: unknown;
  filename?: unknown;
  contentType?: unknown;
}

/**
 * An upload from a business service: checks the fields and the biz type's rules, stores the bytes
 * under a key of a new task id and records them. When the record is refused the stored object is
 * deleted (a failed delete leaves it to the expiry job's orphan collection).
 */
export async function uploadFile(
  d: RecordDeps & Pick<FileTaskDeps, 'storage' | 'logger'>,
  user: Principal,
  actor: Actor,
  source: UploadSource,
  fields: UploadFields,
) {
  const name = uploadName(fields.name, fields.filename);
  const bizDomain = checkBizDomain(fields.bizDomain);
  const rules = await source.rules(fields.bizType);
  const id = d.ids.next();
  const declared = typeof fields.contentType === 'string' ? fields.contentType : null;
  const file = await source.store(uploadKey(id, d.clock.now()), rules, declared);
  try {
    return await recordUpload(d, user, actor, { id, bizType: rules.bizType, bizDomain, name, file });
  } catch (e) {
    await d.storage.delete(file.storageKey).catch((err: unknown) => {
      d.logger.warn(`object ${file.storageKey} stays for orphan collection`, err);
    });
    throw e;
  }
}
