/**
 * mulberry32: a tiny, fast, seeded PRNG (a 32-bit seed gives a stream in [0, 1)). Good enough for
 * generated demo and benchmark data, where the same seed must give the same rows; not for secrets.
 */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
