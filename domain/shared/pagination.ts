import { ValidationErrors } from './validation.errors';

export const DEFAULT_PAGE = 20;
export const MAX_PAGE = 200;

/** `?limit=` of API.md: 1..200, default 20. */
export function pageLimit(raw: unknown): number {
  if (raw === undefined || raw === null || raw === '') return DEFAULT_PAGE;
  const n = typeof raw === 'number' ? raw : Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > MAX_PAGE) {
    throw ValidationErrors.invalidField('limit', `limit must be an integer from 1 to ${MAX_PAGE}`);
  }
  return n;
}

/** Cursors are opaque to clients: base64url JSON of the last row's sort key. */
export function encodeCursor(key: Record<string, string | number>): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

export function decodeCursor<K extends Record<string, string | number>>(
  raw: unknown,
  shape: { [P in keyof K]: 'string' | 'number' },
): K | null {
  if (raw === undefined || raw === null || raw === '') return null;
  const bad = ValidationErrors.invalidCursor;
  if (typeof raw !== 'string' || raw.length > 512) throw bad();
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
  } catch {
    throw bad();
  }
  if (!parsed || typeof parsed !== 'object') throw bad();
  const obj = parsed as Record<string, unknown>;
  for (const [k, t] of Object.entries(shape)) {
    if (typeof obj[k] !== t || (t === 'number' && !Number.isFinite(obj[k]))) throw bad();
  }
  return obj as K;
}
