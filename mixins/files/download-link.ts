import crypto from 'node:crypto';
import { resolveSecret } from '../auth/jwt-issuer';
import { FileErrors } from '../../domain/files/file.errors';
import type { DownloadLinkIssuer } from '../../domain/files/files.ports';

/**
 * Signed download links: the URL itself is the credential (API.md: no bearer token), so it names
 * the task, the user it was issued to (for the download log) and an expiry, under an HMAC-SHA256.
 *
 * Token: base64url(JSON payload) "." base64url(HMAC-SHA256(key, payload segment)).
 * Every failure except expiry answers the same DOWNLOAD_LINK_INVALID, so a prober learns nothing
 * about which part was wrong.
 */

const VERSION = 1;
const ALG = 'HS256';
/** Far above a real token (~200 chars) yet small enough that a junk query string costs nothing. */
const MAX_TOKEN_LENGTH = 2048;
const MAX_ID_LENGTH = 256;
const SIG_BYTES = 32;
const B64URL = /^[A-Za-z0-9_-]+$/;
const PAYLOAD_KEYS = ['alg', 'exp', 'n', 't', 'u', 'v'];

interface Payload {
  v: number;
  alg: string;
  t: string;
  u: string;
  exp: number;
  n: string;
}

export interface VerifiedLink {
  userId: string;
  /** The link's random nonce: lets the download log tie a download to the URL issued. */
  linkId: string;
  expiresAt: Date;
}

const invalid = FileErrors.downloadLinkInvalid;

export class DownloadLinks {
  private readonly key: Buffer;

  /**
   * `secret` comes from resolveSecret(config, dataDir, 'download-link-key'). A purpose-bound key is
   * derived from it so that the same secret reused elsewhere (e.g. for JWTs) cannot forge links.
   */
  constructor(secret: string | Buffer) {
    if (Buffer.byteLength(secret) < 16)
      throw new TypeError('the download link secret must have at least 16 bytes');
    this.key = crypto.createHmac('sha256', secret).update('file-task-center/download-link/v1').digest();
  }

  /** A whole-second expiry `ttlSeconds` from now: the token stores seconds, so report this exact Date. */
  static expiresIn(ttlSeconds: number, now: number | Date = Date.now()): Date {
    return new Date((Math.floor(Number(now) / 1000) + ttlSeconds) * 1000);
  }

  mint(p: { taskId: string; userId: string; expiresAt: Date }): string {
    return this.issue(p).token;
  }

  /** A token and its nonce, which the DOWNLOAD_URL_ISSUED log entry records as the link id. */
  issue({ taskId, userId, expiresAt }: { taskId: string; userId: string; expiresAt: Date }): {
    token: string;
    linkId: string;
  } {
    for (const [name, id] of [
      ['taskId', taskId],
      ['userId', userId],
    ] as const) {
      if (typeof id !== 'string' || id === '' || id.length > MAX_ID_LENGTH)
        throw new TypeError(`invalid ${name}`);
    }
    const ms = expiresAt instanceof Date ? expiresAt.getTime() : NaN;
    if (!Number.isFinite(ms)) throw new TypeError('invalid expiresAt');
    const payload: Payload = {
      v: VERSION,
      alg: ALG,
      t: taskId,
      u: userId,
      // Rounded down: a link never outlives the expiry the caller asked for.
      exp: Math.floor(ms / 1000),
      n: crypto.randomBytes(12).toString('base64url'),
    };
    const body = Buffer.from(JSON.stringify(payload), 'utf8').toString('base64url');
    return { token: `${body}.${this.sign(body).toString('base64url')}`, linkId: payload.n };
  }

  /** The link's user; DOWNLOAD_LINK_INVALID or DOWNLOAD_LINK_EXPIRED (both 403) otherwise. */
  verify(
    token: unknown,
    { taskId, now = Date.now() }: { taskId: string; now?: number | Date },
  ): VerifiedLink {
    if (typeof token !== 'string' || token.length > MAX_TOKEN_LENGTH) throw invalid();
    const parts = token.split('.');
    if (parts.length !== 2) throw invalid();
    const [body, sig] = parts;
    if (!B64URL.test(body) || !B64URL.test(sig)) throw invalid();
    const given = Buffer.from(sig, 'base64url');
    // Node's decoder ignores stray bits: re-encoding rejects every non-canonical spelling of a signature.
    if (given.length !== SIG_BYTES || given.toString('base64url') !== sig) throw invalid();
    if (!crypto.timingSafeEqual(given, this.sign(body))) throw invalid();

    // From here the payload is ours; the checks below guard against our own format changes.
    const payload = this.decode(body);
    if (payload.t !== taskId) throw invalid();
    if (Number(now) >= payload.exp * 1000) {
      throw FileErrors.downloadLinkExpired();
    }
    return { userId: payload.u, linkId: payload.n, expiresAt: new Date(payload.exp * 1000) };
  }

  /** The public URL of a link; the only place that knows the route. */
  url(baseUrl: string, taskId: string, token: string): string {
    return `${baseUrl.replace(/\/+$/, '')}/api/files/${encodeURIComponent(taskId)}/content?token=${encodeURIComponent(token)}`;
  }

  private sign(body: string): Buffer {
    return crypto.createHmac('sha256', this.key).update(body, 'ascii').digest();
  }

  private decode(body: string): Payload {
    let p: unknown;
    try {
      p = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
    } catch {
      throw invalid();
    }
    if (typeof p !== 'object' || p === null || Array.isArray(p)) throw invalid();
    const o = p as Record<string, unknown>;
    const ok =
      Object.keys(o).sort().join() === PAYLOAD_KEYS.join() &&
      o.v === VERSION &&
      o.alg === ALG &&
      typeof o.t === 'string' &&
      o.t !== '' &&
      typeof o.u === 'string' &&
      o.u !== '' &&
      typeof o.n === 'string' &&
      Number.isSafeInteger(o.exp);
    if (!ok) throw invalid();
    return o as unknown as Payload;
  }
}

/**
 * The links of one deployment: DOWNLOAD_LINK_SECRET, else JWT_SECRET (a purpose-bound key is
 * derived from it, so it cannot forge tokens), else a key generated into <dataDir>/download-link-key.
 * The gateway verifies what a core node signs, so every node must resolve the same secret.
 */
export function downloadLinksFor(config: {
  downloads: { linkSecret: string | null };
  auth: { jwtSecret: string | null };
  dataDir: string;
}): DownloadLinks {
  return new DownloadLinks(
    resolveSecret(config.downloads.linkSecret ?? config.auth.jwtSecret, config.dataDir, 'download-link-key'),
  );
}

/** The DownloadLinkIssuer port: links that expire `ttlSeconds` (whole seconds) after `now`. */
export const downloadLinkIssuer = (links: DownloadLinks, ttlSeconds: number): DownloadLinkIssuer => ({
  issue({ taskId, userId, baseUrl, now }) {
    const expiresAt = DownloadLinks.expiresIn(ttlSeconds, now);
    const { token, linkId } = links.issue({ taskId, userId, expiresAt });
    return { url: links.url(baseUrl, taskId, token), linkId, expiresAt };
  },
});
