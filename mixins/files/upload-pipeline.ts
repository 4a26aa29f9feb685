import crypto from 'node:crypto';
import { Readable } from 'node:stream';
import type { ObjectStorage } from '../../domain/ports/object-storage.port';
import type { StoredFile } from '../../domain/file-tasks/file-task';
import { checkContentType, SNIFF_BYTES } from '../../domain/files/content-type';
import type { UploadRules } from '../../domain/files/upload-rules';
import { FileErrors } from '../../domain/files/file.errors';

/**
 * The one way bytes of an upload reach storage, used by the gateway's multipart route and by the
 * fileTasks.upload action alike: the first 8 KiB decide the content type before anything is
 * written, then every chunk is counted against the size limit and hashed (sha256) on its way into
 * ObjectStorage.put, which streams (multipart on OSS). Nothing holds the whole file. A failure at
 * any point rejects the put, and the storage adapters remove a failed put's bytes themselves.
 */

export const uploadTooLarge = FileErrors.fileTooLarge;

export interface StoreUploadOptions {
  key: string;
  rules: UploadRules;
  /** The client's claim (the multipart part's Content-Type); checked against the bytes. */
  declaredType?: string | null;
}

export async function storeUpload(
  storage: ObjectStorage,
  source: Readable,
  { key, rules, declaredType }: StoreUploadOptions,
): Promise<StoredFile> {
  const chunks = source[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  let bytes = 0;
  const sha256 = crypto.createHash('sha256');
  const count = (chunk: Buffer) => {
    bytes += chunk.length;
    if (bytes > rules.maxBytes) throw uploadTooLarge(rules.maxBytes);
    sha256.update(chunk);
  };

  let head: Buffer;
  try {
    // The head is held back until it proves an accepted type: a refused file never touches storage.
    const parts: Buffer[] = [];
    let length = 0;
    let ended = false;
    while (length < SNIFF_BYTES) {
      const next = await chunks.next();
      if (next.done) {
        ended = true;
        break;
      }
      const chunk = Buffer.isBuffer(next.value) ? next.value : Buffer.from(next.value);
      count(chunk);
      parts.push(chunk);
      length += chunk.length;
    }
    head = Buffer.concat(parts);
    const contentType = checkContentType({
      declared: declaredType,
      head: head.subarray(0, SNIFF_BYTES),
      allowed: rules.contentTypes,
    });
    const body = Readable.from(rest(head, ended ? null : chunks, count), { objectMode: false });
    const put = await storage.put(key, body, { contentType });
    // A mismatch would mean the adapter lost or added bytes: never record such a file.
    if (put.size !== bytes) throw new Error(`stored ${put.size} bytes of ${bytes} for ${key}`);
    return { storageKey: key, size: bytes, sha256: sha256.digest('hex'), contentType };
  } catch (e) {
    // Stop reading the client: its remaining bytes are of no use. Errors after the head are
    // already destroying the source through Readable.from's iterator.
    await chunks.return?.().catch(() => undefined);
    throw e;
  }
}

async function* rest(
  head: Buffer,
  chunks: AsyncIterator<Buffer> | null,
  count: (chunk: Buffer) => void,
): AsyncGenerator<Buffer> {
  if (head.length > 0) yield head;
  if (!chunks) return;
  for (;;) {
    const next = await chunks.next();
    if (next.done) return;
    const chunk = Buffer.isBuffer(next.value) ? next.value : Buffer.from(next.value);
    count(chunk);
    yield chunk;
  }
}
