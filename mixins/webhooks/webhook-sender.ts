import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { resolveTarget } from './target-guard';

export interface SendResult {
  /** null: no answer (refused, timed out, connection error). */
  statusCode: number | null;
  error: string | null;
}

/**
 * One attempt: POST the body to the URL, the connection pinned to the checked address, no
 * redirects followed (a 3xx is a failed attempt), the whole attempt bounded by `timeoutMs`. The
 * answer's body is read up to a few KiB and dropped.
 */
export async function sendOnce(
  url: string,
  body: string,
  headers: Record<string, string>,
  opts: { timeoutMs: number; allowPrivate: boolean },
): Promise<SendResult> {
  const u = new URL(url);
  const target = await resolveTarget(u.hostname, opts.allowPrivate);
  const lookup: LookupFunction = (_host, options, cb) => {
    if ((options as { all?: boolean }).all) cb(null, [target] as never, undefined);
    else cb(null, target.address, target.family);
  };
  const client = u.protocol === 'https:' ? https : http;
  return new Promise<SendResult>((resolve) => {
    const req = client.request(
      u,
      {
        method: 'POST',
        lookup,
        headers: {
          ...headers,
          'content-type': 'application/json',
          'content-length': String(Buffer.byteLength(body)),
          'user-agent': 'file-task-center-webhooks',
        },
        signal: AbortSignal.timeout(opts.timeoutMs),
      },
      (res) => {
        let read = 0;
        res.on('data', (c: Buffer) => {
          read += c.length;
          if (read > 16 * 1024) res.destroy();
        });
        res.on('close', () => resolve({ statusCode: res.statusCode ?? null, error: null }));
        res.on('error', () => resolve({ statusCode: res.statusCode ?? null, error: null }));
      },
    );
    req.on('error', (e: NodeJS.ErrnoException) =>
      resolve({
        statusCode: null,
        error: e.name === 'AbortError' ? `timed out after ${opts.timeoutMs} ms` : (e.code ?? e.message),
      }),
    );
    req.end(body);
  });
}
