import type { Readable } from 'node:stream';
import type { Lifecycle } from './lifecycle.port';

export interface ObjectHead {
  key: string;
  size: number;
  contentType: string | null;
  etag: string | null;
  lastModified: Date | null;
  metadata: Record<string, string>;
}

export interface PutOptions {
  contentType?: string;
  /** Small string metadata stored with the object (OSS `x-oss-meta-*`, a sidecar file on disk). */
  metadata?: Record<string, string>;
  /**
   * Expected size when known. Objects larger than the adapter's multipart threshold (or of unknown
   * size, when the adapter cannot buffer) go through a multipart upload.
   */
  size?: number;
}

export interface PutResult {
  key: string;
  size: number;
  etag: string | null;
}

export interface ByteRange {
  /** First byte, inclusive. */
  start: number;
  /** Last byte, inclusive; absent means to the end. */
  end?: number;
}

/**
 * Object storage for file bytes. Keys are relative, slash-separated, and never contain `..`; the
 * adapters reject anything else with STORAGE_INVALID_KEY. A put is atomic: a reader never sees a
 * half-written object, and a failed or aborted put leaves nothing behind.
 */
export interface ObjectStorage extends Lifecycle {
  readonly kind: 'local' | 'oss';
  put(key: string, body: Readable, options?: PutOptions): Promise<PutResult>;
  /** Throws STORAGE_NOT_FOUND when the key does not exist. */
  get(key: string, range?: ByteRange): Promise<Readable>;
  /** null when the key does not exist. */
  head(key: string): Promise<ObjectHead | null>;
  /** Idempotent: deleting a missing key succeeds. */
  delete(key: string): Promise<void>;
  /** Lists keys under a prefix, in pages, for garbage collection. */
  list(
    prefix: string,
    cursor?: string,
    limit?: number,
  ): Promise<{ keys: string[]; nextCursor: string | null }>;
  /**
   * A URL a client can fetch the object from directly for `expiresInSeconds`, or null when the
   * backend cannot sign (local disk: the gateway streams the bytes itself).
   */
  signedUrl(key: string, expiresInSeconds: number, downloadName?: string): Promise<string | null>;
  /**
   * Deletes what writers that died mid-put left behind (a killed export node's partial file), once
   * untouched for `olderThanMs`; a younger one may be a put still running in another process.
   * Answers how many were deleted.
   */
  collectTemporary(olderThanMs: number): Promise<number>;
}
