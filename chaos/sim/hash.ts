// FNV-1a, 32 bits: cheap, deterministic fingerprints for entry data and the state
// machine's chain hash. Collisions can only hide a divergence (two different entries that
// hash alike), never invent one: equal bytes always hash equal.
const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

export function hashBytes(data: Uint8Array, seed = FNV_OFFSET): number {
  let h = seed >>> 0;
  for (let i = 0; i < data.length; i++) {
    h ^= data[i] as number;
    h = Math.imul(h, FNV_PRIME);
  }
  return h >>> 0;
}

/** Folds 32-bit integers into a running hash (FNV-1a over their four bytes each). */
export function hashInts(seed: number, ...values: number[]): number {
  let h = seed >>> 0;
  for (const v of values) {
    for (let shift = 0; shift < 32; shift += 8) {
      h ^= (v >>> shift) & 0xff;
      h = Math.imul(h, FNV_PRIME);
    }
  }
  return h >>> 0;
}

export const HASH_SEED = FNV_OFFSET;

/** Fingerprint of an entry's payload and kind (not its position): what "same entry" means. */
export function entryDataHash(type: number, data: Uint8Array): number {
  return hashInts(hashBytes(data), type);
}
