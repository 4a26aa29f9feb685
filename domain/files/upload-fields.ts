import { validationError } from '../shared/errors';
import { isShortCode } from '../shared/identifiers';
import { sanitizeFileName } from './file-name';

/** `bizDomain` is a short optional label (API.md "FileTask"), stored as given once checked. */
export function checkBizDomain(raw: unknown): string | null {
  if (raw === undefined || raw === null || raw === '') return null;
  if (typeof raw !== 'string' || !isShortCode(raw.trim())) {
    throw validationError('INVALID_BIZ_DOMAIN', 'bizDomain must be 1 to 64 letters, digits, _ . or -');
  }
  return raw.trim();
}

/** The file name of an upload: the `name` field, else the part's own file name, made safe. */
export function uploadName(name: unknown, filename: unknown): string {
  const raw = typeof name === 'string' && name.trim() !== '' ? name : filename;
  if (typeof raw !== 'string' || raw.trim() === '') {
    throw validationError('FILE_NAME_REQUIRED', 'send a name field or a file name with the file part');
  }
  return sanitizeFileName(raw);
}
