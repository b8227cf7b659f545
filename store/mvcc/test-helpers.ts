// Shared helpers for the mvcc tests (not used by the state machine itself).

import assert from 'node:assert/strict';
import type { MvccError, Result } from './errors.js';
import type { KeyValue } from './types.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Bytes of a string; "\0" etc. pass through as their code points (ASCII tests only). */
export function b(s: string): Uint8Array {
  return encoder.encode(s);
}

export function str(u: Uint8Array): string {
  return decoder.decode(u);
}

export function unwrap<T>(r: Result<T>): T {
  if (!r.ok) assert.fail(`expected ok, got ${r.error.code}: ${r.error.message}`);
  return r.value;
}

export function expectError<T>(r: Result<T>, err: MvccError): void {
  assert.equal(r.ok, false, `expected ${err.code}, got ok`);
  if (!r.ok) {
    assert.equal(r.error.message, err.message);
    assert.equal(r.error.code, err.code);
  }
}

/** A KeyValue as a compact, comparable tuple: [key, value, create, mod, version, lease]. */
export type KvTuple = [string, string, number, number, number, bigint];

export function kvt(kv: KeyValue): KvTuple {
  return [str(kv.key), str(kv.value), kv.createRevision, kv.modRevision, kv.version, kv.lease];
}

/** Deterministic PRNG for tests and benchmarks (mulberry32). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
