import { test } from 'node:test';
import assert from 'node:assert/strict';
import { seededRng } from './rng.js';

test('seededRng: the mulberry32 sequence (values as uint32 words), for small and uint32-range seeds', () => {
  const words = (seed: number): number[] => {
    const r = seededRng(seed);
    return Array.from({ length: 4 }, () => r() * 4294967296);
  };
  // Produced by the earlier uint32-state version: changing the state's representation kept the sequence.
  assert.deepEqual(words(1), [2693262067, 11749833, 2265367787, 4213581821]);
  assert.deepEqual(words(2 ** 32 - 1), [3850105811, 813802916, 3073704848, 4054706436]);
});
