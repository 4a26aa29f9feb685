import crypto from 'node:crypto';
import type { VerifiedToken } from '../../domain/directory/directory.ports';
import { SYSTEM_PRINCIPAL, type Principal } from '../../domain/shared/principal';
import { identityErrors } from '../../domain/shared/identity.errors';
import { isDomainError } from '../../domain/shared/errors';
import { SystemTokens } from './system-token';
import { parseServiceAccountToken } from './service-account-token';

/** A user or service account as the directory has it now. */
export interface SubjectRecord {
  id: string;
  username: string;
  roles: string[];
  unitId: string | null;
  disabled: boolean;
  /** Tokens issued under another version are revoked. */
  tokenVersion: number;
  /** Service accounts: sha256 (hex) of the token's secret part. */
  tokenHash?: string;
}

export interface PrincipalResolverDeps {
  verifyJwt(token: string): VerifiedToken;
  system: SystemTokens;
  /** The record, null when it does not exist; throws when the directory cannot be reached. */
  fetch(kind: 'user' | 'service', id: string): Promise<SubjectRecord | null>;
  /** How long a fetched record is believed without a change broadcast (bounds revocation delay). */
  ttlMs: number;
  now?: () => number;
}

const MAX_ENTRIES = 10_000;

/**
 * Credential → principal, for the gateway and for every action of every node (the caller
 * identity middleware). The hot path is two in-process map reads: the verified JWT by its string
 * (in JwtIssuer) and the subject by id. A subject is fetched from the directory (as the system principal) at
 * most once per TTL per node, and dropped at once on a USERS_CHANGED broadcast.
 */
export class PrincipalResolver {
  private readonly subjects = new Map<string, { rec: SubjectRecord | null; until: number }>();
  private readonly inflight = new Map<string, Promise<SubjectRecord | null>>();
  private readonly now: () => number;
  /** Bumped by every forget(): a read that started before a change is not kept after it. */
  private generation = 0;

  constructor(private readonly d: PrincipalResolverDeps) {
    this.now = d.now ?? Date.now;
  }

  /** Throws UNAUTHORIZED (401) for a credential that is not good, UNAVAILABLE (503) when it cannot be checked. */
  async resolve(token: string, senderNodeId: string | null | undefined): Promise<Principal> {
    if (SystemTokens.looksLike(token)) {
      if (this.d.system.verify(token, senderNodeId, this.now())) return SYSTEM_PRINCIPAL;
      throw identityErrors.invalidToken();
    }
    const sa = parseServiceAccountToken(token);
    if (sa) return this.serviceAccount(sa.id, sa.secret);
    // JwtIssuer keeps verified tokens in memory until they expire: no HMAC per request.
    const claims = this.d.verifyJwt(token);
    const rec = await this.subject('user', claims.id);
    if (!rec) throw identityErrors.invalidToken('the user of this token no longer exists');
    if (rec.disabled) throw identityErrors.userDisabled();
    if (rec.tokenVersion !== claims.tokenVersion) throw identityErrors.tokenRevoked();
    return { id: rec.id, username: rec.username, roles: rec.roles, unitId: rec.unitId, kind: 'user' };
  }

  /**
   * A user or service account as the directory has it now (null: gone), from this node's cache:
   * what a signed download link is checked against at download time. Throws 503 when the directory is down.
   */
  async currentSubject(id: string): Promise<SubjectRecord | null> {
    return (await this.subject('user', id)) ?? (await this.subject('service', id));
  }

  /** Drops a subject (or every one) so the next request reads the directory again. */
  forget(id?: string): void {
    this.generation++;
    if (id === undefined) {
      this.subjects.clear();
      return;
    }
    this.subjects.delete(`user:${id}`);
    this.subjects.delete(`service:${id}`);
  }

  private async serviceAccount(id: string, secret: string): Promise<Principal> {
    const rec = await this.subject('service', id);
    const hash = crypto.createHash('sha256').update(secret).digest();
    const want = rec?.tokenHash ? Buffer.from(rec.tokenHash, 'hex') : null;
    if (!rec || !want || want.length !== hash.length || !crypto.timingSafeEqual(want, hash) || rec.disabled)
      throw identityErrors.invalidToken('unknown or revoked service account token');
    return { id: rec.id, username: rec.username, roles: rec.roles, unitId: rec.unitId, kind: 'service' };
  }

  private async subject(kind: 'user' | 'service', id: string): Promise<SubjectRecord | null> {
    const key = `${kind}:${id}`;
    const hit = this.subjects.get(key);
    if (hit && hit.until > this.now()) return hit.rec;
    let pending = this.inflight.get(key);
    if (!pending) {
      pending = this.d.fetch(kind, id).finally(() => this.inflight.delete(key));
      this.inflight.set(key, pending);
      const generation = this.generation;
      pending.then(
        (rec) => {
          // A change broadcast that arrived while this read was under way wins: do not keep it.
          if (generation !== this.generation) return;
          if (this.subjects.size >= MAX_ENTRIES) this.subjects.clear();
          this.subjects.set(key, { rec, until: this.now() + this.d.ttlMs });
        },
        () => undefined,
      );
    }
    try {
      return await pending;
    } catch (e) {
      // Not "no such user": the directory could not answer. The credential may well be good.
      if (isDomainError(e) && e.kind === 'UNAUTHORIZED') throw e;
      throw identityErrors.directoryUnavailable();
    }
  }
}
