import crypto from 'node:crypto';

const PREFIX = 'sys1';
const LIFETIME_SECONDS = 300;
const RENEW_AFTER_MS = 60_000;

/**
 * Tokens that carry the system principal from one node to another. A token is an HMAC over the
 * sending node's id and an expiry, keyed by a key derived from the cluster's JWT secret, so only a
 * node that holds that secret can make one. The receiver also checks that the packet's sender is
 * the node named in the token: a token copied off the wire and replayed by a node under its own id
 * is refused. (A node that can also pose as another node id on the transporter is past this check;
 * that is why the transporter needs credentials: see docs/operations.md "Trust boundary".)
 */
export class SystemTokens {
  private readonly key: crypto.KeyObject;
  private minted: { token: string; at: number } | null = null;

  constructor(
    clusterSecret: string,
    private readonly nodeId: string,
  ) {
    // A separate key, so a system token can never be read as a user JWT or the other way round.
    this.key = crypto.createSecretKey(
      crypto.createHmac('sha256', clusterSecret).update('ftc-system-principal-v1').digest(),
    );
  }

  /** This node's current token: one HMAC a minute, not one per call. */
  current(now = Date.now()): string {
    if (this.minted && now - this.minted.at < RENEW_AFTER_MS) return this.minted.token;
    const exp = Math.floor(now / 1000) + LIFETIME_SECONDS;
    const body = `${PREFIX}.${Buffer.from(this.nodeId).toString('base64url')}.${exp}`;
    const token = `${body}.${this.mac(body)}`;
    this.minted = { token, at: now };
    return token;
  }

  static looksLike(token: string): boolean {
    return token.startsWith(`${PREFIX}.`);
  }

  /** True when `token` is a live system token minted by `senderNodeId`. */
  verify(token: string, senderNodeId: string | null | undefined, now = Date.now()): boolean {
    const parts = token.split('.');
    if (parts.length !== 4 || parts[0] !== PREFIX) return false;
    const body = `${parts[0]}.${parts[1]}.${parts[2]}`;
    const given = Buffer.from(parts[3], 'base64url');
    const want = Buffer.from(this.mac(body), 'base64url');
    if (given.length !== want.length || !crypto.timingSafeEqual(given, want)) return false;
    const exp = Number(parts[2]);
    if (!Number.isSafeInteger(exp) || exp * 1000 < now) return false;
    return Buffer.from(parts[1], 'base64url').toString() === senderNodeId;
  }

  private mac(body: string): string {
    return crypto.createHmac('sha256', this.key).update(body).digest('base64url');
  }
}
