// The sequential specification of one etcd key: its value, mod revision and lease. Each
// history operation becomes one step per key it touches (a list becomes a read of every
// key). Revisions are global and increase, so a write's revision must exceed the key's
// current mod revision: that is what catches a write ordered against the store's own log.
import type { KvInput, KvRead, Operation } from './history.js';

export interface KeyState {
  value: string | null;
  /** -1: written by a put whose revision is unknown (a later read may pin it). */
  modRev: number;
  lease: string;
  /** Highest revision known to have changed this key: writes must go above it, across deletes too. */
  maxRev: number;
}

export const ABSENT: KeyState = Object.freeze({ value: null, modRev: 0, lease: '0', maxRev: 0 });

const absentAfter = (s: KeyState, revision = s.maxRev): KeyState =>
  ({ ...ABSENT, maxRev: Math.max(s.maxRev, revision) });

export type StepInput =
  | { k: 'read' }
  | { k: 'put'; value: string; lease: string }
  | { k: 'delete' }
  | { k: 'cas'; expect: number; value: string }
  | { k: 'revoke'; lease: string };

export type StepOutput =
  | { k: 'read'; kv: KvRead }
  | { k: 'put'; revision: number }
  | { k: 'delete'; deleted: number; revision: number }
  | { k: 'cas'; succeeded: boolean; revision: number; current?: KvRead }
  | { k: 'revoke' };

/** One operation's effect on one key. `out` undefined: outcome unknown. */
export interface KeyOp {
  /** Index in the key's sub-history (the bit in the linearized set). */
  index: number;
  op: Operation;
  input: StepInput;
  out?: StepOutput;
}

export function stateKey(s: KeyState): string {
  return `${s.value ?? '\u0001'}\u0000${s.modRev}\u0000${s.lease}\u0000${s.maxRev}`;
}

/** The read matches the state; returns the state with an unknown mod revision pinned, or undefined. */
function matchRead(s: KeyState, kv: KvRead): KeyState | undefined {
  if (kv.value !== s.value) return undefined;
  if (s.modRev === -1) return kv.modRev > s.maxRev ? { ...s, modRev: kv.modRev, maxRev: kv.modRev } : undefined;
  return kv.modRev === s.modRev ? s : undefined;
}

function writeRevisionOk(s: KeyState, revision: number): boolean {
  return revision > s.maxRev;
}

/** The state after `input` with output `out`, or undefined when that output is impossible from `s`. */
export function step(s: KeyState, input: StepInput, out: StepOutput | undefined): KeyState | undefined {
  switch (input.k) {
    case 'read':
      return out?.k === 'read' ? matchRead(s, out.kv) : s;
    case 'put': {
      if (out?.k !== 'put') return { value: input.value, modRev: -1, lease: input.lease, maxRev: s.maxRev };
      return writeRevisionOk(s, out.revision)
        ? { value: input.value, modRev: out.revision, lease: input.lease, maxRev: out.revision } : undefined;
    }
    case 'delete': {
      if (out?.k !== 'delete') return absentAfter(s);
      if (out.deleted > 0) {
        return s.value !== null && writeRevisionOk(s, out.revision) ? absentAfter(s, out.revision) : undefined;
      }
      return s.value === null ? s : undefined;
    }
    case 'cas':
      return stepCas(s, input, out);
    case 'revoke':
      return s.value !== null && s.lease === input.lease ? absentAfter(s) : s;
  }
}

function stepCas(s: KeyState, input: { expect: number; value: string }, out: StepOutput | undefined):
  KeyState | undefined {
  // An unknown revision is above every revision the key had before that write.
  const matches = s.modRev === input.expect || (s.modRev === -1 && input.expect > s.maxRev);
  if (out?.k !== 'cas') {
    // Unknown: it either failed (no effect) or succeeded; an unknown failure shows nothing.
    return matches ? { value: input.value, modRev: -1, lease: '0', maxRev: s.maxRev } : s;
  }
  if (out.succeeded) {
    if (!matches || !writeRevisionOk(s, out.revision)) return undefined;
    return { value: input.value, modRev: out.revision, lease: '0', maxRev: out.revision };
  }
  if (s.modRev === input.expect) return undefined;
  return out.current === undefined ? s : matchRead(s, out.current);
}

/** Keys an operation touches; a list touches every key in `universe` under its prefix. */
export function keysOf(i: KvInput, universe: readonly string[]): string[] {
  switch (i.kind) {
    case 'get': case 'put': case 'delete': case 'cas': return [i.key];
    case 'list': return universe.filter((k) => k.startsWith(i.prefix));
    case 'leaseRevoke': return i.keys;
    case 'leaseGrant': return [];
  }
}

const absentRead: KvRead = { value: null, modRev: 0 };

/** The step of `op` on `key` (input and, when known, output). */
export function projection(op: Operation, key: string): { input: StepInput; out?: StepOutput } {
  const i = op.input;
  // An unknown outcome has no output, unless patchHistory found it in the store's own history.
  const o = op.output;
  switch (i.kind) {
    case 'get':
      return { input: { k: 'read' }, ...(o?.kind === 'get' ? { out: { k: 'read', kv: o.kv } } : {}) };
    case 'list':
      return { input: { k: 'read' }, ...(o?.kind === 'list' ? { out: { k: 'read', kv: o.kvs[key] ?? absentRead } } : {}) };
    case 'put':
      return { input: { k: 'put', value: i.value, lease: i.lease ?? '0' },
        ...(o?.kind === 'put' ? { out: { k: 'put', revision: o.revision } } : {}) };
    case 'delete':
      return { input: { k: 'delete' }, ...(o?.kind === 'delete' ? { out: { k: 'delete', deleted: o.deleted, revision: o.revision } } : {}) };
    case 'cas':
      return { input: { k: 'cas', expect: i.expectModRev, value: i.value }, ...(o?.kind === 'cas'
        ? { out: { k: 'cas', succeeded: o.succeeded, revision: o.revision, ...(o.current ? { current: o.current } : {}) } }
        : {}) };
    case 'leaseRevoke':
      return { input: { k: 'revoke', lease: i.lease }, ...(o ? { out: { k: 'revoke' } } : {}) };
    case 'leaseGrant':
      return { input: { k: 'read' } };
  }
}
