import { finished, type Readable } from 'node:stream';
import OSS from 'ali-oss';
import type {
  ByteRange,
  ObjectHead,
  ObjectStorage,
  PutOptions,
  PutResult,
} from '../../domain/ports/object-storage.port';
import { DomainError, isDomainError } from '../../domain/shared/errors';
import type { OssConfig } from '../config/app-config';
import {
  SizeGuard,
  normalizeContentType,
  normalizeMetadata,
  rangeNotSatisfiable,
  validateListLimit,
  validateObjectKey,
  validateRange,
} from './object-rules';
import { StorageErrors } from '../../domain/ports/storage.errors';

/** OSS limits: parts of 100 KiB..5 GiB (the last may be smaller), at most 10,000 per upload. */
const MIN_PART_SIZE = 100 * 1024;
const MAX_PARTS = 10_000;
const DEFAULT_PART_SIZE = 8 * 1024 * 1024;

export interface OssStorageOptions {
  /** Multipart part size; at most two parts are in memory per upload (one read, one in flight). */
  partSize?: number;
  /**
   * The endpoint is a domain bound to the bucket (or a single-bucket test server): requests go to
   * the endpoint itself instead of `<bucket>.<endpoint>`.
   */
  cname?: boolean;
  /** ali-oss per-request timeout (its default is 60 s). */
  timeoutMs?: number;
}

/** The slice of the ali-oss client this adapter uses; the published typings make options mandatory. */
interface OssClient {
  put(
    name: string,
    file: Buffer,
    options?: { mime?: string; meta?: Record<string, string> },
  ): Promise<OssResult>;
  putStream(
    name: string,
    stream: Readable,
    options: { contentLength?: number; mime?: string; meta?: Record<string, string> },
  ): Promise<OssResult>;
  getStream(name: string, options?: { headers?: Record<string, string> }): Promise<{ stream: Readable }>;
  head(name: string): Promise<{ status: number; meta: Record<string, string> | null; res: OssResponse }>;
  delete(name: string): Promise<OssResult>;
  listV2(
    query: { prefix: string; 'max-keys': number; 'start-after'?: string },
    options?: object,
  ): Promise<{ objects: { name: string }[] | undefined; isTruncated: boolean }>;
  signatureUrl(name: string, options: { expires: number; response?: Record<string, string> }): string;
  initMultipartUpload(
    name: string,
    options: { mime?: string; meta?: Record<string, string> },
  ): Promise<{ uploadId: string }>;
  uploadPart(
    name: string,
    uploadId: string,
    partNo: number,
    file: Buffer,
    start: number,
    end: number,
  ): Promise<{ etag: string }>;
  completeMultipartUpload(
    name: string,
    uploadId: string,
    parts: { number: number; etag: string }[],
  ): Promise<{ etag?: string; res: OssResponse }>;
  abortMultipartUpload(name: string, uploadId: string): Promise<unknown>;
}
interface OssResponse {
  status: number;
  headers: Record<string, string | undefined>;
}
interface OssResult {
  res: OssResponse;
}
interface OssError {
  status?: number;
  code?: string;
  name?: string;
  message?: string;
  requestId?: string;
}

/**
 * Object storage on Alibaba Cloud OSS through ali-oss (signature v1, its default).
 *
 * Bodies are never held whole in memory: a put of declared size below `multipartThreshold` is one
 * streamed PutObject; anything else is a multipart upload read part by part, with one part buffered
 * while the previous one uploads. A body of unknown size that ends within its first part becomes a
 * single PutObject instead. A failed multipart upload is aborted, so it leaves no parts behind
 * (a bucket lifecycle rule for incomplete uploads is still advisable against crashes).
 *
 * Metadata values are percent-encoded on the way in and decoded on the way out: HTTP header values
 * cannot carry the non-ASCII text (Chinese file names) our metadata holds.
 */
export class OssStorage implements ObjectStorage {
  readonly kind = 'oss' as const;
  private readonly client: OssClient;
  private readonly prefix: string;
  private readonly partSize: number;
  private readonly threshold: number;

  constructor(
    private readonly config: OssConfig,
    options: OssStorageOptions = {},
  ) {
    this.prefix = config.prefix === '' || config.prefix.endsWith('/') ? config.prefix : `${config.prefix}/`;
    this.partSize = Math.max(MIN_PART_SIZE, options.partSize ?? DEFAULT_PART_SIZE);
    this.threshold = config.multipartThreshold;
    this.client = new OSS({
      region: config.region,
      bucket: config.bucket,
      accessKeyId: config.accessKeyId,
      accessKeySecret: config.accessKeySecret,
      endpoint: config.endpoint ?? undefined,
      secure: config.secure,
      cname: options.cname ?? false,
      timeout: options.timeoutMs ?? 60_000,
    }) as unknown as OssClient;
  }

  /**
   * A HEAD of a key that does not exist proves the endpoint answers, the bucket exists and the
   * credentials are accepted (OSS checks the signature before looking the key up), with only the
   * read permission the service needs anyway.
   */
  async start(): Promise<void> {
    try {
      await this.head('.file-task-center-probe');
    } catch (e) {
      const reason = isDomainError(e) ? e.message : String(e);
      throw new Error(
        `OSS bucket "${this.config.bucket}" at ${this.config.endpoint ?? this.config.region} is not usable: ${reason}`,
        { cause: e },
      );
    }
  }

  async stop(): Promise<void> {}

  async put(key: string, body: Readable, options: PutOptions = {}): Promise<PutResult> {
    const name = this.name(key);
    const mime = normalizeContentType(options.contentType);
    const meta = encodeMeta(normalizeMetadata(options.metadata));
    const guard = new SizeGuard(options.size);
    // The caller's own stream error is what they should see, not ali-oss's generic wrapper of it.
    let bodyError: unknown = null;
    finished(body, (err) => {
      if (err && !guard.destroyed) {
        bodyError ??= err;
        guard.destroy(err);
      }
    });
    guard.on('error', (err) => (bodyError ??= err));
    body.pipe(guard);
    try {
      if (options.size !== undefined && options.size < this.threshold) {
        const { res } = await this.client.putStream(name, guard, { contentLength: options.size, mime, meta });
        return { key, size: guard.bytes, etag: unquote(res.headers.etag) };
      }
      return await this.putMultipart(key, name, guard, options.size, mime, meta);
    } catch (e) {
      if (!body.destroyed) body.destroy();
      if (!guard.destroyed) guard.destroy();
      throw bodyError ?? this.mapError(e, key);
    }
  }

  async get(key: string, range?: ByteRange): Promise<Readable> {
    const name = this.name(key);
    const headers: Record<string, string> = {};
    if (range) {
      validateRange(range);
      headers.Range = `bytes=${range.start}-${range.end ?? ''}`;
      // Without it OSS answers an unsatisfiable range with the whole object and a 200.
      headers['x-oss-range-behavior'] = 'standard';
    }
    try {
      const { stream } = await this.client.getStream(name, { headers });
      return stream;
    } catch (e) {
      if ((e as OssError).status === 416 && range) throw rangeNotSatisfiable(range);
      throw this.mapError(e, key);
    }
  }

  async head(key: string): Promise<ObjectHead | null> {
    const name = this.name(key);
    try {
      const { res, meta } = await this.client.head(name);
      const h = res.headers;
      return {
        key,
        size: Number(h['content-length'] ?? 0),
        contentType: h['content-type'] ?? null,
        etag: unquote(h.etag),
        lastModified: h['last-modified'] ? new Date(h['last-modified']) : null,
        metadata: decodeMeta(meta),
      };
    } catch (e) {
      const err = e as OssError;
      if (err.status === 404 && err.code !== 'NoSuchBucket') return null;
      throw this.mapError(e, key);
    }
  }

  async delete(key: string): Promise<void> {
    const name = this.name(key);
    try {
      await this.client.delete(name); // OSS answers 204 for a missing key too
    } catch (e) {
      if ((e as OssError).code === 'NoSuchKey') return;
      throw this.mapError(e, key);
    }
  }

  async list(
    prefix: string,
    cursor?: string,
    limit?: number,
  ): Promise<{ keys: string[]; nextCursor: string | null }> {
    const max = validateListLimit(limit);
    // start-after (not the continuation token) keeps the cursor the last key, as on local disk.
    const query: { prefix: string; 'max-keys': number; 'start-after'?: string } = {
      prefix: this.prefix + prefix,
      'max-keys': max,
    };
    if (cursor) query['start-after'] = this.prefix + cursor;
    try {
      const result = await this.client.listV2(query, {});
      const keys = (result.objects ?? []).map((o) => o.name.slice(this.prefix.length));
      return { keys, nextCursor: result.isTruncated && keys.length > 0 ? keys[keys.length - 1] : null };
    } catch (e) {
      throw this.mapError(e, prefix);
    }
  }

  /**
   * Nothing to collect here: an object appears only when its put completes, and a failed multipart
   * upload is aborted. The parts of a writer killed mid-upload are left to the bucket's lifecycle
   * rule "abort incomplete multipart uploads" (docs/operations.md "Outages").
   */
  collectTemporary(): Promise<number> {
    return Promise.resolve(0);
  }

  async signedUrl(key: string, expiresInSeconds: number, downloadName?: string): Promise<string | null> {
    const name = this.name(key);
    const options: { expires: number; response?: Record<string, string> } = {
      expires: Math.max(1, Math.floor(expiresInSeconds)),
    };
    if (downloadName) options.response = { 'content-disposition': contentDisposition(downloadName) };
    try {
      return this.client.signatureUrl(name, options);
    } catch {
      // ali-oss refuses to sign for an IP endpoint; the gateway then streams the bytes itself.
      return null;
    }
  }

  private async putMultipart(
    key: string,
    name: string,
    source: Readable,
    size: number | undefined,
    mime: string,
    meta: Record<string, string>,
  ): Promise<PutResult> {
    const partSize =
      size === undefined ? this.partSize : Math.max(this.partSize, Math.ceil(size / MAX_PARTS));
    const reader = new PartReader(source, partSize);
    let part = await reader.next();
    if (reader.ended) {
      const { res } = await this.client.put(name, part, { mime, meta });
      return { key, size: part.length, etag: unquote(res.headers.etag) };
    }
    const { uploadId } = await this.client.initMultipartUpload(name, { mime, meta });
    const parts: { number: number; etag: string }[] = [];
    let inFlight: Promise<{ number: number; etag: string }> | null = null;
    try {
      for (let partNo = 1; part.length > 0; partNo++) {
        if (partNo > MAX_PARTS) throw StorageErrors.tooLarge(MAX_PARTS);
        if (inFlight) parts.push(await inFlight);
        const number = partNo;
        inFlight = this.client
          .uploadPart(name, uploadId, number, part, 0, part.length)
          .then(({ etag }) => ({ number, etag }));
        inFlight.catch(() => undefined); // awaited on the next turn; the next part is read meanwhile
        part = reader.ended ? Buffer.alloc(0) : await reader.next();
      }
      if (inFlight) parts.push(await inFlight);
      inFlight = null;
      const done = await this.client.completeMultipartUpload(name, uploadId, parts);
      return { key, size: reader.bytes, etag: unquote(done.etag ?? done.res.headers.etag) };
    } catch (e) {
      // Let the part in flight settle first: a part landing after the abort would survive it.
      await inFlight?.catch(() => undefined);
      await this.client.abortMultipartUpload(name, uploadId).catch(() => undefined);
      throw e;
    }
  }

  private name(key: string): string {
    return this.prefix + validateObjectKey(key);
  }

  private mapError(e: unknown, key: string): unknown {
    if (e instanceof DomainError) return e;
    const err = e as OssError;
    const data = { key, status: err.status, ossCode: err.code, requestId: err.requestId };
    if (err.status === 404 && (err.code === 'NoSuchKey' || err.code === undefined)) {
      return StorageErrors.notFound(key, data);
    }
    if (err.status === 403) {
      return StorageErrors.accessDenied(
        `OSS refused the request (${err.code ?? 'AccessDenied'}): check the access key, secret and bucket policy`,
        data,
      );
    }
    return StorageErrors.unavailable(
      `OSS request failed: ${err.code ?? err.name ?? 'error'} ${err.message ?? ''}`,
      data,
    );
  }
}

/**
 * Reads a stream in parts of exactly `size` bytes (the last may be shorter). Pulling through the
 * async iterator keeps backpressure: nothing more is read while the caller awaits an upload.
 */
class PartReader {
  ended = false;
  bytes = 0;
  private readonly it: AsyncIterator<Buffer>;
  private leftover: Buffer | null = null;

  constructor(
    source: Readable,
    private readonly size: number,
  ) {
    this.it = source[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  }

  async next(): Promise<Buffer> {
    const chunks: Buffer[] = this.leftover ? [this.leftover] : [];
    let length = this.leftover?.length ?? 0;
    this.leftover = null;
    while (length < this.size && !this.ended) {
      const r = await this.it.next();
      if (r.done) {
        this.ended = true;
        break;
      }
      chunks.push(r.value);
      length += r.value.length;
    }
    const all = Buffer.concat(chunks, length);
    if (length > this.size) {
      this.leftover = Buffer.from(all.subarray(this.size)); // a copy, so the big buffer can go
      this.bytes += this.size;
      return all.subarray(0, this.size);
    }
    this.bytes += length;
    return all;
  }
}

const unquote = (etag: string | undefined): string | null => (etag ? etag.replace(/^"|"$/g, '') : null);

function encodeMeta(meta: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(meta).map(([k, v]) => [k, encodeURIComponent(v)]));
}

function decodeMeta(meta: Record<string, string> | null): Record<string, string> {
  return Object.fromEntries(
    Object.entries(meta ?? {}).map(([k, v]) => {
      try {
        return [k, decodeURIComponent(v)];
      } catch {
        return [k, v]; // written by another tool, not percent-encoded
      }
    }),
  );
}

/** RFC 6266: an ASCII fallback for old clients plus the exact UTF-8 name. */
export function contentDisposition(fileName: string): string {
  const ascii = fileName.replace(/[^\x20-\x7e]|["\\]/g, '_');
  const encoded = encodeURIComponent(fileName).replace(
    /['()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}
