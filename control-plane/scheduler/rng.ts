// A seeded PRNG (mulberry32) for tie-breaking and preemption offsets: deterministic tests.
export function seededRng(seed: number): () => number {
  // The state is kept as an int32 (`| 0`), not a uint32 (`>>> 0`): above 2^31 a uint32 is no small
  // integer, so each call boxed a new heap number — selectHost calls this for every tied node. The
  // bits, and so the sequence, are the same: the operators below read their operands as 32-bit words.
  let a = seed | 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
