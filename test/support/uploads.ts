import crypto from 'node:crypto';
import http from 'node:http';
import { Readable } from 'node:stream';
import type { ObjectStorage } from '../../domain/ports/object-storage.port';

/**
 * Clients for the file routes that never hold a file in memory: multipart bodies are written from a
 * stream over node:http (fetch cannot stream a request body of known parts and still show an early
 * 413), and downloads are hashed as they arrive.
 */

export interface Generated {
  stream: Readable;
  /** The sha256 (hex) of the bytes produced, once the stream has ended. */
  sha256: () => string;
}

/** `size` pseudo-random bytes, made chunk by chunk (64 KiB) and hashed on the way. */
export function generatedBytes(size: number, seed = 1): Generated {
  const hash = crypto.createHash('sha256');
  const block = crypto.createHash('sha512').update(String(seed)).digest();
  let sent = 0;
  let n = 0;
  const stream = new Readable({
    read() {
      if (sent >= size) {
        this.push(null);
        return;
      }
      const length = Math.min(64 * 1024, size - sent);
      const chunk = Buffer.allocUnsafe(length);
      // Cheap, deterministic and not constant: a counter stamped into a repeating block.
      for (let i = 0; i < length; i += block.length)
        block.copy(chunk, i, 0, Math.min(block.length, length - i));
      if (length >= 8) chunk.writeDoubleLE(n++, 0);
      hash.update(chunk);
      sent += length;
      this.push(chunk);
    },
  });
  return { stream, sha256: () => hash.digest('hex') };
}

export const sha256Of = (b: Buffer | string) => crypto.createHash('sha256').update(b).digest('hex');

export interface FilePart {
  filename?: string;
  contentType?: string;
  body: Readable | Buffer | string;
  /** Destroy the connection after this many file bytes (a client that goes away). */
  abortAfter?: number;
}

export interface UploadAnswer {
  status: number;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  /** The connection broke before an answer (expected for abortAfter). */
  aborted?: boolean;
  /** The Location header of the answer (a 201 names the task it created). */
  location?: string;
}

/** POST /api/files with the given fields (in order) and an optional file part, streamed. */
export function uploadMultipart(
  baseUrl: string,
  token: string | null,
  fields: [string, string][],
  file?: FilePart,
  opts: { partName?: string; contentLength?: number } = {},
): Promise<UploadAnswer> {
  const boundary = `----ftc${crypto.randomBytes(8).toString('hex')}`;
  const u = new URL('/api/files', baseUrl);
  const headers: Record<string, string | number> = {
    'content-type': `multipart/form-data; boundary=${boundary}`,
  };
  if (token) headers.authorization = `Bearer ${token}`;
  if (opts.contentLength !== undefined) headers['content-length'] = opts.contentLength;
  return new Promise((resolve, reject) => {
    let answered = false;
    let responded = false;
    const req = http.request(
      { method: 'POST', hostname: u.hostname, port: u.port, path: u.pathname, headers },
      (res) => {
        responded = true;
        const parts: Buffer[] = [];
        res.on('data', (d: Buffer) => parts.push(d));
        res.on('end', () => {
          answered = true;
          const text = Buffer.concat(parts).toString('utf8');
          let body: unknown = text;
          try {
            body = text ? JSON.parse(text) : null;
          } catch {
            /* keep text */
          }
          resolve({ status: res.statusCode ?? 0, body, location: res.headers.location });
        });
        res.on('error', () => undefined);
        // Cut off mid-body: the status still counts.
        res.on('close', () => {
          if (!answered) resolve({ status: res.statusCode ?? 0, body: null });
        });
      },
    );
    req.on('error', (e) => {
      // The server may answer early (413, 415) and close while we are still sending: the answer
      // counts. The request closes after any answer it received was handed over, whatever the load.
      req.once('close', () => {
        if (answered || responded) return;
        if (file?.abortAfter !== undefined) resolve({ status: 0, body: null, aborted: true });
        else reject(e);
      });
    });
    void (async () => {
      const write = (s: string | Buffer) =>
        new Promise<void>((ok) => {
          if (req.write(s)) ok();
          else req.once('drain', ok);
        });
      try {
        for (const [name, value] of fields) {
          await write(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`);
        }
        if (file) {
          const disp = file.filename === undefined ? '' : `; filename="${file.filename}"`;
          await write(
            `--${boundary}\r\nContent-Disposition: form-data; name="${opts.partName ?? 'file'}"${disp}\r\n` +
              `Content-Type: ${file.contentType ?? 'application/octet-stream'}\r\n\r\n`,
          );
          const body =
            typeof file.body === 'string' || Buffer.isBuffer(file.body)
              ? Readable.from([Buffer.from(file.body)])
              : file.body;
          let sent = 0;
          for await (const chunk of body as AsyncIterable<Buffer>) {
            if (req.destroyed) return;
            if (file.abortAfter !== undefined && sent + chunk.length >= file.abortAfter) {
              await write(chunk.subarray(0, file.abortAfter - sent));
              // Give the server the bytes, then vanish mid-file.
              await new Promise((r) => setTimeout(r, 150));
              req.destroy();
              return;
            }
            sent += chunk.length;
            await write(chunk);
          }
          await write('\r\n');
        }
        req.end(`--${boundary}--\r\n`);
      } catch {
        /* the request was destroyed; the 'error' handler decides */
      }
    })();
  });
}

export interface Downloaded {
  status: number;
  headers: http.IncomingHttpHeaders;
  size: number;
  sha256: string;
  text: string;
}

/** GET a URL, hashing the body as it arrives (the text is kept only for small bodies). */
export function download(url: string, headers: Record<string, string> = {}): Promise<Downloaded> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers }, (res) => {
        const hash = crypto.createHash('sha256');
        let size = 0;
        const small: Buffer[] = [];
        res.on('data', (d: Buffer) => {
          hash.update(d);
          size += d.length;
          if (size <= 64 * 1024) small.push(d);
        });
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            size,
            sha256: hash.digest('hex'),
            text: Buffer.concat(small).toString('utf8'),
          }),
        );
        res.on('error', reject);
      })
      .on('error', reject);
  });
}

/** Every object key in storage (uploads live under files/). */
export async function storedKeys(storage: ObjectStorage): Promise<string[]> {
  const keys: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await storage.list('', cursor, 1000);
    keys.push(...page.keys);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return keys;
}
