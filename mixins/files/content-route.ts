import type { IncomingMessage, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import type { Context } from 'moleculer';
import type { ObjectStorage } from '../../domain/ports/object-storage.port';
import {
  contentRange,
  ifRangeAllows,
  parseRange,
  unsatisfiedContentRange,
} from '../../domain/files/byte-range';
import { contentDisposition } from '../../domain/files/content-disposition';
import type { DownloadLinks } from './download-link';
import { asSystem } from '../auth/caller-identity.middleware';
import { FileErrors } from '../../domain/files/file.errors';

/**
 * GET /api/files/:taskId/content?token=… on the gateway: the signed link is the credential (no
 * bearer token). The token is checked here, before any call, so a prober costs one HMAC. The bytes
 * stream from storage through this node (or, with DOWNLOAD_REDIRECT=oss, the client is sent to a
 * short-lived signed OSS URL). Every download is recorded (FILE_DOWNLOADED) before a byte is sent.
 */

interface DownloadTarget {
  id: string;
  name: string;
  bizType: string;
  storageKey: string;
  size: number;
  sha256: string;
  contentType: string;
}

export interface ContentRouteDeps {
  storage: ObjectStorage;
  links: DownloadLinks;
  redirect: 'stream' | 'oss';
}

/** Answers the request; returns the status sent. Errors before the first byte are thrown to the caller. */
export async function serveContent(
  ctx: Pick<Context, 'call'>,
  req: IncomingMessage,
  res: ServerResponse,
  { taskId, token }: { taskId: unknown; token: unknown },
  deps: ContentRouteDeps,
): Promise<number> {
  if (typeof taskId !== 'string' || taskId === '' || taskId.length > 64) {
    throw FileErrors.downloadLinkInvalid();
  }
  const link = deps.links.verify(token, { taskId });
  // The link is the credential, checked above: the gateway reads the task as the system principal.
  const target = await ctx.call<DownloadTarget, { id: string; userId: string }>(
    'fileTasks.downloadTarget',
    { id: taskId, userId: link.userId },
    asSystem(),
  );

  const etag = `"${target.sha256}"`;
  const ifRange = typeof req.headers['if-range'] === 'string' ? req.headers['if-range'] : undefined;
  const range = ifRangeAllows(ifRange, etag) ? parseRange(req.headers.range, target.size) : null;
  const common = {
    'Cache-Control': 'private, no-store',
    'X-Content-Type-Options': 'nosniff',
    'Accept-Ranges': 'bytes',
    ETag: etag,
  };
  if (range === 'unsatisfiable') {
    const body = JSON.stringify({
      error: {
        code: 'RANGE_NOT_SATISFIABLE',
        message: `the range is outside the file (${target.size} bytes)`,
        data: { size: target.size },
      },
    });
    res.writeHead(416, {
      ...common,
      'Content-Range': unsatisfiedContentRange(target.size),
      'Content-Type': 'application/json; charset=utf-8',
      'Content-Length': Buffer.byteLength(body),
    });
    res.end(body);
    return 416;
  }

  const redirect = deps.redirect === 'oss' && deps.storage.kind === 'oss';
  await ctx.call(
    'fileTasks.recordDownload',
    {
      id: target.id,
      bizType: target.bizType,
      userId: link.userId,
      linkId: link.linkId,
      range: range ? `${range.start}-${range.end}` : null,
      redirect,
    },
    asSystem(),
  );

  if (redirect) {
    // The OSS URL lives no longer than the link it replaces (at least a second, to be usable).
    const seconds = Math.max(1, Math.floor((link.expiresAt.getTime() - Date.now()) / 1000));
    const url = await deps.storage.signedUrl(target.storageKey, seconds, target.name);
    if (url) {
      res.writeHead(302, { Location: url, 'Cache-Control': 'private, no-store', 'Content-Length': 0 });
      res.end();
      return 302;
    }
  }

  const body = await deps.storage.get(
    target.storageKey,
    range ? { start: range.start, end: range.end } : undefined,
  );
  const length = range ? range.end - range.start + 1 : target.size;
  const status = range ? 206 : 200;
  res.writeHead(status, {
    ...common,
    'Content-Type': target.contentType,
    'Content-Length': length,
    'Content-Disposition': contentDisposition(target.name),
    ...(range ? { 'Content-Range': contentRange(range, target.size) } : {}),
  });
  // A client that goes away mid-download ends the pipeline: the storage stream is closed with it.
  await pipeline(body, res).catch(() => res.destroy());
  return status;
}
