import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  canonicalJson,
  chainHash,
  GENESIS_HASH,
  verifyChain,
  type StoredChainEntry,
} from '../../../domain/operation-log/hash-chain';

const KEY = 'k'.repeat(32);

function buildChain(n: number): StoredChainEntry[] {
  const out: StoredChainEntry[] = [];
  let prev = GENESIS_HASH;
  for (let i = 1; i <= n; i++) {
    const e = {
      id: `e${i}`,
      seq: i,
      at: new Date(1_700_000_000_000 + i * 1000),
      userId: `u${i % 3}`,
      action: i % 2 ? 'FILE_UPLOADED' : 'EXPORT_REQUESTED',
      targetType: 'FILE_TASK',
      targetId: `t${i}`,
      bizType: 'invoice',
      outcome: 'SUCCESS',
      detail: { size: i, name: `f${i}.pdf` },
      requestId: null,
    };
    const hash = chainHash(KEY, prev, e);
    out.push({ ...e, prevHash: prev, hash });
    prev = hash;
  }
  return out;
}

/** A deterministic PRNG so a failing tampering can be replayed. */
function rng(seed: number) {
  return () => {
    seed = (seed * 1664525 + 1013904223) >>> 0;
    return seed / 2 ** 32;
  };
}

const start = { prevHash: GENESIS_HASH, prevSeq: 0 };

describe('hash chain', () => {
  it('canonical JSON sorts keys at every level', () => {
    assert.equal(
      canonicalJson({ b: 1, a: { d: [1, { z: 1, y: 2 }], c: null } }),
      '{"a":{"c":null,"d":[1,{"y":2,"z":1}]},"b":1}',
    );
    assert.equal(canonicalJson({ a: 1, b: undefined }), '{"a":1}');
  });

  it('verifies an intact chain, also in batches', () => {
    const chain = buildChain(50);
    assert.deepEqual(verifyChain(KEY, chain, start).firstBrokenId, null);
    const first = verifyChain(KEY, chain.slice(0, 20), start);
    const rest = verifyChain(KEY, chain.slice(20), first);
    assert.equal(rest.firstBrokenId, null);
    assert.equal(rest.prevSeq, 50);
  });

  it('cannot be re-forged without the key', () => {
    const chain = buildChain(5);
    assert.equal(verifyChain('another-key-'.padEnd(32, 'x'), chain, start).firstBrokenId, 'e1');
  });

  it('detects 100% of 400 random tamperings and names the first broken entry', () => {
    const random = rng(42);
    const kinds = ['update', 'delete', 'insert', 'reorder'] as const;
    let detected = 0;
    for (let t = 0; t < 400; t++) {
      const chain = buildChain(30);
      const kind = kinds[t % kinds.length];
      const i = Math.floor(random() * 29); // never the last, for delete and reorder
      let expected: string;
      if (kind === 'update') {
        const field = (['action', 'userId', 'targetId', 'detail', 'at', 'outcome'] as const)[
          Math.floor(random() * 6)
        ];
        const e = chain[i];
        if (field === 'detail') e.detail = { ...e.detail, size: 999 };
        else if (field === 'at') e.at = new Date(e.at.getTime() + 1);
        else (e as unknown as Record<string, string>)[field] = 'tampered';
        expected = e.id;
      } else if (kind === 'delete') {
        chain.splice(i, 1);
        expected = chain[i].id;
      } else if (kind === 'insert') {
        // A forger copies a neighbour and re-links it; without the key the hash cannot match.
        const fake = { ...chain[i], id: 'forged', detail: { forged: true } };
        chain.splice(i + 1, 0, fake);
        expected = 'forged';
      } else {
        [chain[i], chain[i + 1]] = [chain[i + 1], chain[i]];
        expected = chain[i].id;
      }
      const r = verifyChain(KEY, chain, start);
      assert.equal(r.firstBrokenId, expected, `${kind} at ${i}`);
      detected++;
    }
    assert.equal(detected, 400);
  });
});
