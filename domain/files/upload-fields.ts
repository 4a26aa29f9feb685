import { isShortCode } from '../shared/identifiers';
import { sanitizeFileName } from './file-name';
import { FileErrors } from './file.errors';

/** `bizDomain` is a short optional label (API.md "FileTask"), stored as given once checked. */
export function checkBizDomain(raw: unknown): string | null {
  if (raw === undefined || raw === null || raw === '') return null;
  if (typeof raw !== 'string' || !isShortCode(raw.trim())) {
    throw FileErrors.invalidBizDomain();
  }
  return raw.trim();
}

/** The file name of an upload: the `name` field, else the part's own file name, made safe. */
export function uploadName(name: unknown, filename: unknown): string {
  const raw = typeof name === 'string' && name.trim() !== '' ? name : filename;
  if (typeof raw !== 'string' || raw.trim() === '') {
    throw FileErrors.fileNameRequired();
  }
  return sanitizeFileName(raw);
}

/** The object key of an upload: derived from the task id only, never from the client's file name. */
export function uploadKey(taskId: string, now: Date): string {
  const y = now.getUTCFullYear();
  const m = String(now.getUTCMonth() + 1).padStart(2, '0');
  return `files/${y}/${m}/${taskId}`;
}
