import { Transform, type TransformCallback } from 'node:stream';
import type { ByteRange } from '../../domain/ports/object-storage.port';
import { StorageErrors } from '../../domain/ports/storage.errors';

/**
 * Rules every storage adapter applies the same way, so a key or option accepted on one backend is
 * accepted on the other.
 */

export const MAX_KEY_BYTES = 1024;
/** OSS caps user metadata at 8 KiB; the disk adapter keeps the same limit so moving backends is safe. */
export const MAX_METADATA_BYTES = 8 * 1024;
export const DEFAULT_CONTENT_TYPE = 'application/octet-stream';
export const MAX_LIST_LIMIT = 1000;

// eslint-disable-next-line no-control-regex
const CONTROL_CHARS = /[\u0000-\u001f\u007f]/;

/**
 * Empty, `.` and `..` segments are refused rather than normalised: `a//b` and `a/b` would otherwise
 * name one file on disk but two objects on OSS.
 */
export function validateObjectKey(key: unknown): string {
  const bad = (reason: string) =>
    StorageErrors.invalidKey(reason, typeof key === 'string' ? key.slice(0, 200) : typeof key);
  if (typeof key !== 'string' || key.length === 0) throw bad('empty');
  if (Buffer.byteLength(key, 'utf8') > MAX_KEY_BYTES) throw bad(`longer than ${MAX_KEY_BYTES} bytes`);
  if (CONTROL_CHARS.test(key)) throw bad('control character');
  if (key.includes('\\')) throw bad('backslash');
  if (key.startsWith('/')) throw bad('absolute');
  for (const segment of key.split('/')) {
    if (segment === '') throw bad('empty path segment');
    if (segment === '.' || segment === '..') throw bad(`"${segment}" segment`);
  }
  return key;
}

export function validateRange(range: ByteRange): void {
  const { start, end } = range;
  const ok =
    Number.isSafeInteger(start) &&
    start >= 0 &&
    (end === undefined || (Number.isSafeInteger(end) && end >= start));
  if (!ok) throw StorageErrors.invalidRange({ start, end });
}

export const rangeNotSatisfiable = (range: ByteRange, size?: number) =>
  StorageErrors.invalidRange(
    { start: range.start, end: range.end, size },
    `range starting at byte ${range.start} is beyond the object's end`,
  );

export function validateListLimit(limit: number | undefined): number {
  const n = limit ?? MAX_LIST_LIMIT;
  if (!Number.isSafeInteger(n) || n < 1 || n > MAX_LIST_LIMIT) {
    throw StorageErrors.invalidLimit(MAX_LIST_LIMIT, limit);
  }
  return n;
}

/**
 * Metadata keys are lower-cased because OSS sends them back as lower-case HTTP headers; only
 * letters, digits and `-` survive every proxy between us and OSS.
 */
export function normalizeMetadata(metadata: Record<string, string> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  let bytes = 0;
  for (const [rawKey, value] of Object.entries(metadata ?? {})) {
    const key = rawKey.toLowerCase();
    if (!/^[a-z0-9][a-z0-9-]*$/.test(key) || typeof value !== 'string') {
      throw StorageErrors.invalidMetadata(`invalid metadata entry "${rawKey}"`);
    }
    out[key] = value;
    bytes += Buffer.byteLength(key) + Buffer.byteLength(value);
  }
  if (bytes > MAX_METADATA_BYTES) {
    throw StorageErrors.invalidMetadata(`metadata exceeds ${MAX_METADATA_BYTES} bytes`);
  }
  return out;
}

export function normalizeContentType(contentType: string | undefined): string {
  if (contentType === undefined || contentType === '') return DEFAULT_CONTENT_TYPE;
  // A header value with non-ASCII or control characters makes Node's http client throw.
  if (contentType.length > 255 || !/^[\x20-\x7e]+$/.test(contentType)) {
    throw StorageErrors.invalidContentType();
  }
  return contentType;
}

/** Byte order of UTF-8, which is how OSS orders keys in a listing (JS `<` compares UTF-16 units). */
export const compareKeys = (a: string, b: string): number => Buffer.compare(Buffer.from(a), Buffer.from(b));

/**
 * Counts the bytes going through and fails the stream when a declared size is not met, so a
 * truncated upload can never be stored as a complete object.
 */
export class SizeGuard extends Transform {
  bytes = 0;

  constructor(private readonly expected: number | undefined) {
    super();
    if (expected !== undefined && (!Number.isSafeInteger(expected) || expected < 0)) {
      throw StorageErrors.invalidSize(expected);
    }
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.expected !== undefined && this.bytes > this.expected) return done(this.mismatch());
    done(null, chunk);
  }

  override _flush(done: TransformCallback): void {
    done(this.expected !== undefined && this.bytes !== this.expected ? this.mismatch() : null);
  }

  private mismatch() {
    return StorageErrors.sizeMismatch(this.expected, this.bytes);
  }
}
