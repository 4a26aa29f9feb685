import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import jwt from 'jsonwebtoken';
import type { IssuedToken, TokenIssuer, VerifiedToken } from '../../domain/directory/directory.ports';
import type { Principal } from '../../domain/shared/principal';
import { identityErrors } from '../../domain/shared/identity.errors';

const ISSUER = 'file-task-center';
/** Verified tokens kept per process; a full cache starts over (a burst of new tokens costs a verify each). */
const VERIFIED_CACHE_SIZE = 10_000;

/**
 * HS256 tokens with the claims of API.md: sub, roles, unit (and name for logs), and `ver`, the
 * user's token version when it was issued: a token whose `ver` is not the user's current one is
 * revoked (see domain/directory/user.ts).
 */
export class JwtIssuer implements TokenIssuer {
  /**
   * Made once: given a string, jsonwebtoken 9 first tries crypto.createPublicKey(secret) on every
   * sign and verify, which throws before it falls back to a secret key (1.6-4.1 ms per verify
   * against tens of microseconds with a KeyObject).
   */
  private readonly key: crypto.KeyObject;
  private readonly verified = new Map<string, { principal: VerifiedToken; expiresAtMs: number }>();

  constructor(
    secret: string,
    private readonly ttlSeconds: number,
  ) {
    this.key = crypto.createSecretKey(Buffer.from(secret, 'utf8'));
  }

  issue(p: Principal, tokenVersion = 0): IssuedToken {
    const token = jwt.sign(
      { roles: p.roles, unit: p.unitId, name: p.username, ver: tokenVersion },
      this.key,
      {
        algorithm: 'HS256',
        subject: p.id,
        expiresIn: this.ttlSeconds,
        issuer: ISSUER,
      },
    );
    return { token, expiresAt: new Date(Date.now() + this.ttlSeconds * 1000) };
  }

  verify(token: string): VerifiedToken {
    // A token verified before answers from memory until its own expiry: every request carries the
    // same few tokens, and the signature of a given string cannot change.
    const hit = this.verified.get(token);
    if (hit && Date.now() < hit.expiresAtMs) return { ...hit.principal, roles: [...hit.principal.roles] };
    const principal = this.verifyNow(token);
    return { ...principal, roles: [...principal.roles] };
  }

  private verifyNow(token: string): VerifiedToken {
    let claims: jwt.JwtPayload;
    try {
      // Pinning the algorithm rejects alg=none and RS/HS confusion.
      claims = jwt.verify(token, this.key, { algorithms: ['HS256'], issuer: ISSUER }) as jwt.JwtPayload;
    } catch (e) {
      const expired = e instanceof jwt.TokenExpiredError;
      throw expired ? identityErrors.tokenExpired() : identityErrors.invalidToken();
    }
    if (typeof claims.sub !== 'string' || !Array.isArray(claims.roles)) throw identityErrors.invalidToken();
    const principal: VerifiedToken = {
      id: claims.sub,
      username: typeof claims.name === 'string' ? claims.name : claims.sub,
      roles: claims.roles.filter((r): r is string => typeof r === 'string'),
      unitId: typeof claims.unit === 'string' ? claims.unit : null,
      tokenVersion: typeof claims.ver === 'number' ? claims.ver : 0,
      expiresAtMs: typeof claims.exp === 'number' ? claims.exp * 1000 : 0,
    };
    if (typeof claims.exp === 'number') {
      if (this.verified.size >= VERIFIED_CACHE_SIZE) this.verified.clear();
      this.verified.set(token, { principal, expiresAtMs: claims.exp * 1000 });
    }
    return principal;
  }
}

/**
 * A secret from the environment when set; otherwise (embedded default) one generated on first
 * start and kept in <dataDir>/<file>, readable by the owner only, so it survives restarts.
 */
export function resolveSecret(configured: string | null, dataDir: string, file: string): string {
  if (configured) return configured;
  const location = path.join(dataDir, file);
  try {
    return fs.readFileSync(location, 'utf8').trim();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  fs.mkdirSync(dataDir, { recursive: true });
  const secret = crypto.randomBytes(48).toString('base64url');
  try {
    fs.writeFileSync(location, secret, { mode: 0o600, flag: 'wx' });
    return secret;
  } catch (e) {
    // Another process won the race: use its secret.
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return fs.readFileSync(location, 'utf8').trim();
    throw e;
  }
}

/** The JWT signing secret: JWT_SECRET, or <dataDir>/jwt-secret. */
export const resolveJwtSecret = (configured: string | null, dataDir: string) =>
  resolveSecret(configured, dataDir, 'jwt-secret');
