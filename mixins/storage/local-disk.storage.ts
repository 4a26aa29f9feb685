import crypto from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type {
  ByteRange,
  ObjectHead,
  ObjectStorage,
  PutOptions,
  PutResult,
} from '../../domain/ports/object-storage.port';
import {
  DEFAULT_CONTENT_TYPE,
  validateObjectKey,
  validateRange,
  rangeNotSatisfiable,
  validateListLimit,
  normalizeMetadata,
  normalizeContentType,
  compareKeys,
  SizeGuard,
} from './object-rules';
import { StorageErrors } from '../../domain/ports/storage.errors';

interface Sidecar {
  v: 1;
  size: number;
  md5: string;
  contentType: string;
  metadata: Record<string, string>;
}

const STALE_TEMP_MS = 60 * 60 * 1000;
const errno = (e: unknown): string | undefined => (e as NodeJS.ErrnoException | null)?.code;

/**
 * Object storage on the local filesystem, for the single-node embedded default.
 *
 * Layout under `root`: `data/<key>` holds the bytes, `.meta/<key>` a JSON sidecar (content type,
 * metadata, size, md5) mirroring the data tree exactly, so a sidecar can only collide where the data
 * itself would, and `.tmp/` holds uploads in progress. Keeping user keys under `data/` means no key
 * can ever clash with our own directories.
 *
 * The etag is the MD5 of the bytes (hex), computed while streaming the upload, so it costs nothing
 * extra and matches what OSS reports for a simple put. If the sidecar does not describe the current
 * file (lost, or a crash between the two renames) head falls back to a weak `W/"size-mtime"` etag.
 *
 * Limits of a filesystem: a key cannot be both an object and a "directory" (`a` and `a/b`), which is
 * refused with STORAGE_KEY_CONFLICT; a segment is at most 255 bytes; on case-insensitive filesystems
 * keys differing only in case collide.
 */
export class LocalDiskStorage implements ObjectStorage {
  readonly kind = 'local' as const;
  private readonly dataDir: string;
  private readonly metaDir: string;
  private readonly tmpDir: string;

  constructor(readonly root: string) {
    this.dataDir = path.join(root, 'data');
    this.metaDir = path.join(root, '.meta');
    this.tmpDir = path.join(root, '.tmp');
  }

  async start(): Promise<void> {
    for (const dir of [this.dataDir, this.metaDir, this.tmpDir]) await fsp.mkdir(dir, { recursive: true });
    await this.collectTemporary(STALE_TEMP_MS);
  }

  /** A put writes `.tmp/<time>-<random>` and renames it into place; a killed writer leaves it there. */
  async collectTemporary(olderThanMs: number): Promise<number> {
    // By modification time: a put still writing touches its file with every chunk.
    const cutoff = Date.now() - olderThanMs;
    let removed = 0;
    for (const name of await fsp.readdir(this.tmpDir).catch(() => [] as string[])) {
      const file = path.join(this.tmpDir, name);
      const stat = await fsp.stat(file).catch(() => null);
      if (stat && stat.mtimeMs < cutoff) {
        await fsp.rm(file, { force: true, recursive: true });
        removed++;
      }
    }
    return removed;
  }

  async stop(): Promise<void> {}

  async put(key: string, body: Readable, options: PutOptions = {}): Promise<PutResult> {
    const target = this.dataPath(key);
    const contentType = normalizeContentType(options.contentType);
    const metadata = normalizeMetadata(options.metadata);
    const guard = new SizeGuard(options.size);
    const md5 = crypto.createHash('md5');
    const hashing = new Transform({
      transform(chunk: Buffer, _enc, done) {
        md5.update(chunk);
        done(null, chunk);
      },
    });
    const tmpData = this.tmpPath();
    const tmpMeta = `${tmpData}.meta`;
    // `flush` fsyncs before close, so the rename below can never expose bytes still in the page cache.
    const file = fs.createWriteStream(tmpData, { flags: 'wx', flush: true });
    const closed = new Promise<void>((resolve) => file.once('close', () => resolve()));
    try {
      await pipeline(body, guard, hashing, file);
      const sidecar: Sidecar = { v: 1, size: guard.bytes, md5: md5.digest('hex'), contentType, metadata };
      await writeDurably(tmpMeta, JSON.stringify(sidecar));
      // Data first: a reader racing the second rename sees the new bytes with a stale sidecar, which
      // head detects by size; the reverse order would describe bytes that are not there yet.
      await this.renameInto(tmpData, target);
      await this.renameInto(tmpMeta, this.metaPath(key));
      return { key, size: sidecar.size, etag: sidecar.md5 };
    } catch (e) {
      // A body that fails before the file is open still gets it created once the open completes:
      // remove it only after the stream has closed, or the temp file outlives the failure.
      if (!file.closed) {
        file.destroy();
        await closed;
      }
      await Promise.all([fsp.rm(tmpData, { force: true }), fsp.rm(tmpMeta, { force: true })]);
      if (!body.destroyed) body.destroy();
      throw this.mapFsError(e, key);
    }
  }

  async get(key: string, range?: ByteRange): Promise<Readable> {
    if (range) validateRange(range);
    const file = this.dataPath(key);
    // Open first, then stat the handle: a concurrent overwrite renames a new file into place but the
    // open descriptor keeps reading the version we checked.
    const fh = await fsp.open(file, 'r').catch((e: unknown) => {
      if (['ENOENT', 'ENOTDIR', 'EISDIR'].includes(errno(e) ?? '')) throw this.missing(key);
      throw this.mapFsError(e, key);
    });
    try {
      const stat = await fh.stat();
      if (!stat.isFile()) throw this.missing(key);
      if (!range) return fh.createReadStream();
      if (range.start >= stat.size) throw rangeNotSatisfiable(range, stat.size);
      const end = Math.min(range.end ?? stat.size - 1, stat.size - 1);
      return fh.createReadStream({ start: range.start, end });
    } catch (e) {
      await fh.close();
      throw e;
    }
  }

  async head(key: string): Promise<ObjectHead | null> {
    const stat = await fsp.stat(this.dataPath(key)).catch((e: unknown) => {
      if (errno(e) === 'ENOENT' || errno(e) === 'ENOTDIR') return null;
      throw this.mapFsError(e, key);
    });
    if (!stat?.isFile()) return null;
    const sidecar = await this.readSidecar(key);
    const current = sidecar !== null && sidecar.size === stat.size;
    return {
      key,
      size: stat.size,
      contentType: sidecar?.contentType ?? DEFAULT_CONTENT_TYPE,
      etag: current ? sidecar.md5 : `W/"${stat.size.toString(16)}-${Math.floor(stat.mtimeMs).toString(16)}"`,
      lastModified: stat.mtime,
      metadata: sidecar?.metadata ?? {},
    };
  }

  async delete(key: string): Promise<void> {
    const data = this.dataPath(key);
    const meta = this.metaPath(key);
    for (const file of [data, meta]) {
      await fsp.unlink(file).catch((e: unknown) => {
        // EISDIR/EPERM: the key names a "directory" of other keys, so this object does not exist.
        if (!['ENOENT', 'ENOTDIR', 'EISDIR', 'EPERM'].includes(errno(e) ?? '')) throw this.mapFsError(e, key);
      });
    }
    await this.pruneEmptyDirs(path.dirname(data), this.dataDir);
    await this.pruneEmptyDirs(path.dirname(meta), this.metaDir);
  }

  async list(
    prefix: string,
    cursor?: string,
    limit?: number,
  ): Promise<{ keys: string[]; nextCursor: string | null }> {
    const max = validateListLimit(limit);
    const slash = prefix.lastIndexOf('/');
    const dirPart = slash < 0 ? '' : prefix.slice(0, slash);
    // A prefix whose directory part no valid key can have matches nothing.
    if (dirPart !== '') {
      try {
        validateObjectKey(dirPart);
      } catch {
        return { keys: [], nextCursor: null };
      }
    }
    const keys: string[] = [];
    for await (const key of this.walk(dirPart, prefix, cursor ?? null)) {
      keys.push(key);
      if (keys.length > max) break;
    }
    const more = keys.length > max;
    if (more) keys.length = max;
    return { keys, nextCursor: more ? keys[keys.length - 1] : null };
  }

  /** The gateway streams local objects itself: there is nothing a client could fetch directly. */
  async signedUrl(key: string, _expiresInSeconds?: number, _downloadName?: string): Promise<string | null> {
    validateObjectKey(key);
    return null;
  }

  /**
   * Yields keys under `dirRel` in UTF-8 byte order. A directory sorts as `name/`, which is where all
   * its keys fall in a flat listing (`a-c` < `a/b` because `-` < `/`); subtrees entirely before the
   * cursor or outside the prefix are never read.
   */
  private async *walk(dirRel: string, prefix: string, after: string | null): AsyncGenerator<string> {
    const entries = await fsp
      .readdir(dirRel === '' ? this.dataDir : path.join(this.dataDir, dirRel), { withFileTypes: true })
      .catch((e: unknown) => {
        if (errno(e) === 'ENOENT' || errno(e) === 'ENOTDIR') return [];
        throw e;
      });
    const items = entries
      .filter((d) => d.isFile() || d.isDirectory())
      .map((d) => {
        const key = dirRel === '' ? d.name : `${dirRel}/${d.name}`;
        return { key, dir: d.isDirectory(), sortKey: d.isDirectory() ? `${key}/` : key };
      })
      .sort((a, b) => compareKeys(a.sortKey, b.sortKey));
    for (const item of items) {
      if (item.dir) {
        const sub = item.sortKey;
        const overlapsPrefix = sub.startsWith(prefix) || prefix.startsWith(sub);
        const beforeCursor = after !== null && compareKeys(sub, after) < 0 && !after.startsWith(sub);
        if (overlapsPrefix && !beforeCursor) yield* this.walk(item.key, prefix, after);
      } else if (item.key.startsWith(prefix) && (after === null || compareKeys(item.key, after) > 0)) {
        yield item.key;
      }
    }
  }

  private dataPath(key: string): string {
    return path.join(this.dataDir, ...this.segments(key));
  }

  private metaPath(key: string): string {
    return path.join(this.metaDir, ...this.segments(key));
  }

  private segments(key: string): string[] {
    const segments = validateObjectKey(key).split('/');
    if (segments.some((s) => Buffer.byteLength(s) > 255)) {
      throw StorageErrors.invalidKey('a path segment is longer than 255 bytes', key);
    }
    return segments;
  }

  private tmpPath(): string {
    return path.join(this.tmpDir, `${Date.now()}-${crypto.randomBytes(8).toString('hex')}`);
  }

  private async readSidecar(key: string): Promise<Sidecar | null> {
    try {
      const parsed = JSON.parse(await fsp.readFile(this.metaPath(key), 'utf8')) as Partial<Sidecar>;
      return parsed.v === 1 ? (parsed as Sidecar) : null;
    } catch {
      return null;
    }
  }

  /** A concurrent delete may prune the parent directory between mkdir and rename: retry then. */
  private async renameInto(from: string, to: string): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      await fsp.mkdir(path.dirname(to), { recursive: true });
      try {
        await fsp.rename(from, to);
        await syncDir(path.dirname(to));
        return;
      } catch (e) {
        if (errno(e) !== 'ENOENT' || attempt >= 3) throw e;
      }
    }
  }

  private async pruneEmptyDirs(dir: string, stopAt: string): Promise<void> {
    while (dir !== stopAt && dir.startsWith(stopAt + path.sep)) {
      try {
        await fsp.rmdir(dir);
      } catch {
        return; // not empty (or already gone): the ancestors are not empty either
      }
      dir = path.dirname(dir);
    }
  }

  private missing(key: string) {
    return StorageErrors.notFound(key);
  }

  private mapFsError(e: unknown, key: string): unknown {
    switch (errno(e)) {
      case 'EEXIST':
      case 'ENOTDIR':
      case 'EISDIR':
      case 'ENOTEMPTY':
        return StorageErrors.keyConflict(key);
      case 'ENAMETOOLONG':
        return StorageErrors.invalidKey('path too long', key);
      case 'ENOSPC':
      case 'EDQUOT':
      case 'EROFS':
      case 'EIO':
        return StorageErrors.unavailable(`local object storage failed: ${(e as Error).message}`, { key });
      default:
        return e;
    }
  }
}

async function writeDurably(file: string, content: string): Promise<void> {
  const fh = await fsp.open(file, 'wx');
  try {
    await fh.writeFile(content);
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** Makes a rename durable; some platforms cannot fsync a directory, which is harmless to skip. */
async function syncDir(dir: string): Promise<void> {
  let fh: fsp.FileHandle | null = null;
  try {
    fh = await fsp.open(dir, fs.constants.O_RDONLY);
    await fh.sync();
  } catch {
    // best effort
  } finally {
    await fh?.close().catch(() => undefined);
  }
}
