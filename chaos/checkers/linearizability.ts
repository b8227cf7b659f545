// Linearizability of a KV history, key by key (a history is linearizable iff each key's
// sub-history is: P-compositionality). The search is Wing & Gong's with Lowe's memoisation:
// walk the history's call/return entries in time order, tentatively linearize a pending
// call whose step the model allows, backtrack when a return is reached whose operation is
// not yet linearized, and never revisit a (linearized set, state) pair. An operation with
// an unknown outcome returns "at infinity": it may be linearized any time after its call,
// and once only such operations remain the history is accepted — so it may also never
// take effect. Bounds (CHECKER_LIMITS) turn a search that would run away into "unknown".
import { CHECKER_LIMITS } from './limits.js';
import type { Operation } from './history.js';
import { ABSENT, keysOf, type KeyOp, type KeyState, projection, stateKey, step } from './model.js';
import { renderTimeline } from './timeline.js';

export type Verdict = 'pass' | 'fail' | 'unknown';

export interface KeyResult {
  key: string;
  verdict: Verdict;
  ops: number;
  /** Why the verdict is unknown. */
  reason?: string;
  /** On failure: the smallest failing sub-history found, and whether no single op can be removed. */
  minimal?: Operation[];
  oneMinimal?: boolean;
  timeline?: string;
}

export interface LinearizabilityResult {
  checker: 'linearizability';
  verdict: Verdict;
  keys: number;
  ops: number;
  elapsedMs: number;
  failures: KeyResult[];
  unknown: KeyResult[];
}

interface Entry {
  op: KeyOp;
  isCall: boolean;
  time: number;
  prev: Entry | undefined;
  next: Entry | undefined;
  /** For a call: its return entry. */
  match?: Entry;
}

function buildList(ops: KeyOp[]): Entry {
  const entries: Entry[] = [];
  for (const op of ops) {
    const call: Entry = { op, isCall: true, time: op.op.call, prev: undefined, next: undefined };
    const ret: Entry = { op, isCall: false, time: op.op.ret ?? Infinity, prev: undefined, next: undefined };
    call.match = ret;
    entries.push(call, ret);
  }
  // Calls before returns at equal times: touching intervals count as concurrent (never a false alarm).
  entries.sort((a, b) => a.time - b.time || (a.isCall === b.isCall ? 0 : a.isCall ? -1 : 1));
  const head: Entry = {
    op: undefined as unknown as KeyOp, isCall: false, time: -Infinity, prev: undefined, next: undefined,
  };
  let prev = head;
  for (const e of entries) {
    prev.next = e;
    e.prev = prev;
    prev = e;
  }
  return head;
}

function lift(call: Entry): void {
  call.prev!.next = call.next;
  if (call.next) call.next.prev = call.prev;
  const ret = call.match!;
  ret.prev!.next = ret.next;
  if (ret.next) ret.next.prev = ret.prev;
}

function unlift(call: Entry): void {
  const ret = call.match!;
  ret.prev!.next = ret;
  if (ret.next) ret.next.prev = ret;
  call.prev!.next = call;
  if (call.next) call.next.prev = call;
}

export interface SearchBudget {
  deadlineMs: number;
  cacheEntriesMax: number;
}

/**
 * Two 32-bit Zobrist words per operation: the linearized set's hash is the XOR of its
 * members' words, updated in O(1) as operations are linearized and backtracked (joining the
 * whole bitset per step made long histories quadratic). Fixed seed: a replayed check makes the
 * same decisions. A 64-bit collision could only make the search skip a configuration it has
 * not seen, i.e. miss a linearization and report "fail" (never a wrong "pass"); at the cache
 * bound of CHECKER_LIMITS that chance is below 1e-7, and a failure is re-checked while shrinking.
 */
function zobristWords(n: number): Uint32Array {
  const words = new Uint32Array(2 * n);
  let x = 0x9e3779b9;
  for (let i = 0; i < words.length; i++) {
    // xorshift32: deterministic and well spread, which is all a Zobrist table needs.
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    words[i] = x >>> 0;
  }
  return words;
}

/** Search one key's sub-history. */
export function searchKey(ops: KeyOp[], budget: SearchBudget, initial: KeyState = ABSENT): Verdict | 'budget' {
  const head = buildList(ops);
  const z = zobristWords(ops.length);
  let hA = 0;
  let hB = 0;
  const cache = new Set<string>();
  const stack: { call: Entry; state: KeyState }[] = [];
  let state = initial;
  let entry = head.next;
  let iterations = 0;
  while (head.next !== undefined) {
    if ((++iterations & 1023) === 0 && performance.now() > budget.deadlineMs) return 'budget';
    if (entry !== undefined && entry.isCall) {
      const next = step(state, entry.op.input, entry.op.out);
      if (next !== undefined) {
        const i = entry.op.index;
        const key = `${(hA ^ z[2 * i]!) >>> 0}.${(hB ^ z[2 * i + 1]!) >>> 0}|${stateKey(next)}`;
        if (!cache.has(key)) {
          if (cache.size >= budget.cacheEntriesMax) return 'budget';
          cache.add(key);
          hA ^= z[2 * i]!;
          hB ^= z[2 * i + 1]!;
          stack.push({ call: entry, state });
          state = next;
          lift(entry);
          entry = head.next;
          continue;
        }
      }
      entry = entry.next;
      continue;
    }
    // A return whose operation is not linearized yet. Returns at infinity (unknown outcomes)
    // sort last, so reaching one means every operation with a known outcome is linearized.
    if (entry !== undefined && entry.op.op.ret === null) return 'pass';
    const top = stack.pop();
    if (top === undefined) return 'fail';
    state = top.state;
    const i = top.call.op.index;
    hA ^= z[2 * i]!;
    hB ^= z[2 * i + 1]!;
    unlift(top.call);
    entry = top.call.next;
  }
  return 'pass';
}

/** Every key's sub-history (operations in call order). */
export function partitionByKey(ops: readonly Operation[]): Map<string, Operation[]> {
  const universe = new Set<string>();
  for (const op of ops) {
    const i = op.input;
    if (i.kind === 'get' || i.kind === 'put' || i.kind === 'delete' || i.kind === 'cas') universe.add(i.key);
    if (i.kind === 'list' && op.output?.kind === 'list') for (const k of Object.keys(op.output.kvs)) universe.add(k);
  }
  const keys = [...universe].sort();
  const out = new Map<string, Operation[]>();
  for (const op of [...ops].sort((a, b) => a.call - b.call)) {
    for (const k of keysOf(op.input, keys)) {
      let list = out.get(k);
      if (!list) out.set(k, (list = []));
      list.push(op);
    }
  }
  return out;
}

function keyOps(ops: readonly Operation[], key: string): KeyOp[] {
  return ops.map((op, index) => ({ index, op, ...projection(op, key) }));
}

export function checkKeyHistory(ops: readonly Operation[], key: string, budgetMs: number): Verdict | 'budget' {
  if (ops.length > CHECKER_LIMITS.linearizabilityOpsPerKeyMax) return 'budget';
  return searchKey(keyOps(ops, key), {
    deadlineMs: performance.now() + budgetMs, cacheEntriesMax: CHECKER_LIMITS.linearizabilityCacheEntriesMax,
  });
}

/**
 * The smallest failing sub-history found by removing chunks, then single operations, while
 * the rest stays non-linearizable (delta debugging). `oneMinimal`: no single removal keeps it failing.
 */
export function shrink(ops: readonly Operation[], key: string, budgetMs = CHECKER_LIMITS.shrinkBudgetMs):
  { ops: Operation[]; oneMinimal: boolean } {
  const deadline = performance.now() + budgetMs;
  // A candidate keeps the writer of every value its reads saw: otherwise a lone read of a
  // value nobody wrote would "fail" and hide the real story.
  const fails = (c: Operation[]) => selfContained(c, key) &&
    checkKeyHistory(c, key, CHECKER_LIMITS.shrinkCheckBudgetMs) === 'fail';
  let cur = [...ops];
  let chunk = Math.max(1, Math.ceil(cur.length / 2));
  for (;;) {
    let progressed = false;
    for (let i = 0; i < cur.length;) {
      if (performance.now() > deadline) return { ops: cur, oneMinimal: false };
      const cand = [...cur.slice(0, i), ...cur.slice(i + chunk)];
      if (cand.length > 0 && fails(cand)) {
        cur = cand;
        progressed = true;
      } else {
        i += chunk;
      }
    }
    if (!progressed) {
      if (chunk === 1) return { ops: cur, oneMinimal: true };
      chunk = Math.max(1, Math.floor(chunk / 2));
    }
  }
}

/**
 * Every value a read saw, every revision a successful compare-and-set expected and every
 * deletion has its write in `ops`: a sub-history missing them fails for a trivial reason.
 */
function selfContained(ops: readonly Operation[], key: string): boolean {
  const written = new Set<string>();
  const revisions = new Set<number>();
  let unknownWrite = false;
  const seen: string[] = [];
  const expected: number[] = [];
  let deletes = false;
  for (const op of ops) {
    const i = op.input;
    const o = op.output;
    if (i.kind === 'put' || i.kind === 'cas') {
      written.add(i.value);
      if (o?.kind === 'put' || (o?.kind === 'cas' && o.succeeded)) revisions.add(o.revision);
      if (o === undefined) unknownWrite = true;
    }
    if (o?.kind === 'get' && o.kv.value !== null) seen.push(o.kv.value);
    if (o?.kind === 'list' && o.kvs[key] !== undefined && o.kvs[key]!.value !== null) seen.push(o.kvs[key]!.value!);
    if (o?.kind === 'cas' && o.current !== undefined && o.current.value !== null) seen.push(o.current.value);
    if (i.kind === 'cas' && o?.kind === 'cas' && o.succeeded && i.expectModRev > 0) expected.push(i.expectModRev);
    if (o?.kind === 'delete' && o.deleted > 0) deletes = true;
  }
  return seen.every((v) => written.has(v)) && (unknownWrite || expected.every((r) => revisions.has(r))) &&
    (!deletes || written.size > 0);
}

/** `shrink: false` skips the search for the smallest failing sub-history (property tests). */
export function checkLinearizability(ops: readonly Operation[], o: { shrink?: boolean } = {}): LinearizabilityResult {
  const t0 = performance.now();
  const failures: KeyResult[] = [];
  const unknown: KeyResult[] = [];
  const byKey = partitionByKey(ops);
  for (const [key, list] of byKey) {
    const v = checkKeyHistory(list, key, CHECKER_LIMITS.linearizabilityKeyBudgetMs);
    if (v === 'pass') continue;
    if (v === 'fail') {
      const s = o.shrink === false ? { ops: list, oneMinimal: false } : shrink(list, key);
      failures.push({ key, verdict: 'fail', ops: list.length, minimal: s.ops, oneMinimal: s.oneMinimal,
        timeline: renderTimeline(s.ops) });
    } else {
      const reason = list.length > CHECKER_LIMITS.linearizabilityOpsPerKeyMax
        ? `${list.length} operations > linearizabilityOpsPerKeyMax (${CHECKER_LIMITS.linearizabilityOpsPerKeyMax})`
        : `search exceeded ${CHECKER_LIMITS.linearizabilityKeyBudgetMs} ms or ` +
          `${CHECKER_LIMITS.linearizabilityCacheEntriesMax} cache entries`;
      unknown.push({ key, verdict: 'unknown', ops: list.length, reason });
    }
  }
  const verdict: Verdict = failures.length > 0 ? 'fail' : unknown.length > 0 ? 'unknown' : 'pass';
  return { checker: 'linearizability', verdict, keys: byKey.size, ops: ops.length,
    elapsedMs: Math.round(performance.now() - t0), failures, unknown };
}
