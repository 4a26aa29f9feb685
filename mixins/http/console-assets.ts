import fs from 'node:fs';
import path from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Service, ServiceSchema } from 'moleculer';

/**
 * Serves the built web console (web/dist) at `/` from the gateway: no second server.
 *
 * - Files under `assets/` have content hashes in their names: cached for a year, `immutable`.
 * - Everything else (index.html) is `no-cache`, so a new release is picked up on the next load.
 * - A GET for a path that is no file and not under `/api` answers index.html (the SPA's own router
 *   decides); `/api/...` never falls back, so unknown API routes keep their JSON 404.
 * - `.br` / `.gz` files written at build time are sent when the client accepts them.
 *
 * Files are read per request from disk (a few dozen, small) so a rebuilt console needs no restart.
 */
export interface ConsoleAssets {
  readonly dir: string;
  /** Answers the request and returns true, or returns false when it is not the console's. */
  serve(req: IncomingMessage, res: ServerResponse): boolean;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.woff2': 'font/woff2',
};

/** Where the built console is: CONSOLE_DIR, else web/dist of the checkout (from source or dist/). */
export function defaultConsoleDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.CONSOLE_DIR) return path.resolve(env.CONSOLE_DIR);
  for (const up of ['../..', '../../..']) {
    const dir = path.resolve(__dirname, up, 'web', 'dist');
    if (fs.existsSync(path.join(dir, 'index.html'))) return dir;
  }
  return path.resolve(__dirname, '../..', 'web', 'dist');
}

/** The encodings a client accepts, from Accept-Encoding (q=0 means refused). */
function accepted(header: string | string[] | undefined): Set<string> {
  const out = new Set<string>();
  const value = Array.isArray(header) ? header.join(',') : (header ?? '');
  for (const part of value.split(',')) {
    const [name, ...params] = part.trim().toLowerCase().split(';');
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    if (name && !(q && Number(q.slice(2)) === 0)) out.add(name);
  }
  return out;
}

export function consoleAssets(dir: string): ConsoleAssets {
  const root = path.resolve(dir);

  const fileAt = (urlPath: string): string | null => {
    let decoded: string;
    try {
      decoded = decodeURIComponent(urlPath);
    } catch {
      return null;
    }
    // No NUL, and no dot files (the build's own stamp, editors' leftovers).
    if (decoded.includes('\0') || /(^|\/)\./.test(decoded)) return null;
    const file = path.resolve(root, `.${path.posix.normalize(`/${decoded}`)}`);
    // Never outside the console folder, whatever the path says.
    if (file !== root && !file.startsWith(root + path.sep)) return null;
    try {
      return fs.statSync(file).isFile() ? file : null;
    } catch {
      return null;
    }
  };

  const send = (req: IncomingMessage, res: ServerResponse, file: string, cache: string) => {
    const ext = path.extname(file);
    const encodings = accepted(req.headers['accept-encoding']);
    let body = file;
    let encoding: string | null = null;
    for (const [name, suffix] of [
      ['br', '.br'],
      ['gzip', '.gz'],
    ] as const) {
      if (encodings.has(name) && fs.existsSync(file + suffix)) {
        body = file + suffix;
        encoding = name;
        break;
      }
    }
    const stat = fs.statSync(body);
    const headers: Record<string, string | number> = {
      'Content-Type': TYPES[ext] ?? 'application/octet-stream',
      'Content-Length': stat.size,
      'Cache-Control': cache,
      Vary: 'Accept-Encoding',
      'X-Content-Type-Options': 'nosniff',
    };
    if (encoding) headers['Content-Encoding'] = encoding;
    if (ext === '.html') {
      // The console talks only to its own origin; no framing by other sites.
      headers['X-Frame-Options'] = 'DENY';
      headers['Referrer-Policy'] = 'same-origin';
    }
    res.writeHead(200, headers);
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    fs.createReadStream(body)
      .on('error', () => res.destroy())
      .pipe(res);
  };

  return {
    dir: root,
    serve(req, res) {
      if (req.method !== 'GET' && req.method !== 'HEAD') return false;
      // moleculer-web rewrites req.url while it tries routes: the client's path is originalUrl.
      const original = (req as { originalUrl?: string }).originalUrl ?? req.url ?? '/';
      const urlPath = original.split('?')[0] ?? '/';
      if (urlPath === '/api' || urlPath.startsWith('/api/')) return false;
      const index = path.join(root, 'index.html');
      if (!fs.existsSync(index)) return false;
      const file = urlPath === '/' ? null : fileAt(urlPath);
      if (file && !file.endsWith('.gz') && !file.endsWith('.br')) {
        const immutable = urlPath.startsWith('/assets/');
        send(req, res, file, immutable ? 'public, max-age=31536000, immutable' : 'no-cache');
        return true;
      }
      // A missing hashed asset is a real 404 (an old page asking for a removed chunk), not the page.
      if (urlPath.startsWith('/assets/')) return false;
      send(req, res, index, 'no-cache');
      return true;
    },
  };
}

/**
 * A Moleculer mixin for the moleculer-web gateway: requests no route took (moleculer-web's
 * `this.serve` hook, used for its own `assets` option) go to the console; anything the console
 * does not serve gets the gateway's usual 404.
 */
export function consoleAssetsMixin(dir: string = defaultConsoleDir()): Partial<ServiceSchema> {
  const assets = consoleAssets(dir);
  return {
    created(this: Service) {
      const gateway = this as unknown as {
        serve?: (req: IncomingMessage, res: ServerResponse) => void;
        send404: (req: IncomingMessage, res: ServerResponse) => void;
      };
      gateway.serve = (req, res) => {
        if (!assets.serve(req, res)) gateway.send404(req, res);
      };
    },
  };
}
