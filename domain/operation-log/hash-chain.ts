import crypto from 'node:crypto';

/** The fields of a log entry that the chain protects (everything but the chain fields). */
export interface ChainedFields {
  id: string;
  seq: number;
  at: Date;
  userId: string | null;
  action: string;
  targetType: string;
  targetId: string | null;
  bizType: string | null;
  outcome: string;
  detail: Record<string, unknown>;
  requestId: string | null;
}

export const GENESIS_HASH = '0'.repeat(64);

/** JSON with sorted keys at every level, so the same entry always hashes the same. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null);
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const obj = value as Record<string, unknown>;
  return `{${Object.keys(obj)
    .filter((k) => obj[k] !== undefined)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`)
    .join(',')}}`;
}

/**
 * hash(n) = HMAC-SHA256(key, hash(n-1) || canonical(entry n)). The sequence number is inside the
 * hash, so deleting, inserting or reordering entries breaks the chain as surely as editing one.
 * The key lives outside the database (LOG_CHAIN_KEY, or a generated file in the embedded default):
 * someone who can write the table cannot recompute a valid chain after tampering with it.
 */
export function chainHash(key: string, prevHash: string, e: ChainedFields): string {
  const body = canonicalJson({
    id: e.id,
    seq: e.seq,
    at: e.at.toISOString(),
    userId: e.userId,
    action: e.action,
    targetType: e.targetType,
    targetId: e.targetId,
    bizType: e.bizType,
    outcome: e.outcome,
    detail: e.detail,
    requestId: e.requestId,
  });
  return crypto.createHmac('sha256', key).update(prevHash).update('\n').update(body).digest('hex');
}

export interface StoredChainEntry extends ChainedFields {
  prevHash: string;
  hash: string;
}

export interface ChainCheck {
  /** The last verified hash and seq, to continue with the next batch. */
  prevHash: string;
  prevSeq: number;
  firstBrokenId: string | null;
  checked: number;
}

/**
 * Verifies a batch of entries in seq order, continuing from `prev`. An entry is broken when its
 * seq does not follow the previous one (deleted, inserted or reordered rows), its prevHash does not
 * link to the previous hash, or its own hash does not match its content (an edited row).
 */
export function verifyChain(
  key: string,
  entries: readonly StoredChainEntry[],
  prev: { prevHash: string; prevSeq: number },
): ChainCheck {
  let prevHash = prev.prevHash;
  let prevSeq = prev.prevSeq;
  let checked = 0;
  for (const e of entries) {
    checked++;
    const broken = e.seq !== prevSeq + 1 || e.prevHash !== prevHash || chainHash(key, prevHash, e) !== e.hash;
    if (broken) return { prevHash, prevSeq, firstBrokenId: e.id, checked };
    prevHash = e.hash;
    prevSeq = e.seq;
  }
  return { prevHash, prevSeq, firstBrokenId: null, checked };
}
