// Model-based test: random sequences of puts, deletes, ranges at random revisions, txns
// (with nested txns), compactions, leases, snapshot round trips and watcher pumping, run
// against the store and against a deliberately naive model — a flat list of every change
// ever made, folded from scratch for every read. A replica store applies the same writes
// and must agree byte for byte (determinism). Watchers run with tiny bounds so victims,
// batching and restores happen; at the end each must have seen exactly the model's events.
//
// Reproduce a failure with FC_SEED=<seed> (printed below); FC_RUNS sets the run count.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { MvccStore } from './store.js';
import { Errors, type MvccError, type Result } from './errors.js';
import {
  CompareResult, CompareTarget, EventType, SortOrder, SortTarget, WatchFilterType,
  type Compare, type KeyValue, type RangeRequest, type RequestOp, type ResponseOp, type TxnRequest, type TxnResponse,
  type WatchResponse,
} from './types.js';

const seed = Number(process.env.FC_SEED ?? Date.now() % 2 ** 31);
const numRuns = Number(process.env.FC_RUNS ?? 80);
console.log(`mvcc model fast-check seed=${seed} runs=${numRuns} (rerun with FC_SEED=${seed})`);

// ---- bytes: model keys are strings of code points 0..255, one per byte ---------------------

const lb = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0));
const ls = (u: Uint8Array): string => String.fromCharCode(...u);
const cmpKey = (a: string, c: string): number => Buffer.compare(Buffer.from(lb(a)), Buffer.from(lb(c)));
const ZERO = '\u0000';

/** A range as the request encodes it: end undefined = one key, ZERO = every key ≥ start. */
interface MSpan {
  key: string;
  end?: string;
}

function inSpan(s: MSpan, k: string): boolean {
  if (s.end === undefined) return k === s.key;
  if (s.end === ZERO) return cmpKey(k, s.key) >= 0;
  return cmpKey(k, s.key) >= 0 && cmpKey(k, s.end) < 0;
}

// ---- the model ---------------------------------------------------------------------------

interface MChange {
  rev: number;
  sub: number;
  key: string;
  del: boolean;
  value: string;
  lease: bigint;
}

interface MKv {
  key: string;
  value: string;
  create: number;
  mod: number;
  version: number;
  lease: bigint;
}

class Model {
  changes: MChange[] = [];
  rev = 1;
  compactRev = -1;
  leases = new Map<bigint, number>();

  stateAt(rev: number): Map<string, MKv> {
    const m = new Map<string, MKv>();
    for (const c of this.changes) {
      if (c.rev > rev) break;
      if (c.del) {
        m.delete(c.key);
        continue;
      }
      const old = m.get(c.key);
      m.set(c.key, { key: c.key, value: c.value, create: old?.create ?? c.rev, mod: c.rev,
        version: (old?.version ?? 0) + 1, lease: c.lease });
    }
    return m;
  }

  liveIn(span: MSpan, rev: number): MKv[] {
    return [...this.stateAt(rev).values()].filter((kv) => inSpan(span, kv.key)).sort((a, c) => cmpKey(a.key, c.key));
  }
}

type MResult<T> = { ok: true; value: T } | { ok: false; error: MvccError };

const kvTuple = (kv: KeyValue): MKv => ({ key: ls(kv.key), value: ls(kv.value), create: kv.createRevision,
  mod: kv.modRevision, version: kv.version, lease: kv.lease });

/** What the runs exercised, printed at the end so a reader can see the generators reach the corners. */
const stats = new Map<string, number>();
const bump = (k: string): void => {
  stats.set(k, (stats.get(k) ?? 0) + 1);
};

function sameResult<T, U>(got: Result<T>, want: MResult<U>, norm: (t: T) => U, what: string): void {
  bump(`${what} ${got.ok ? 'ok' : got.error.code.replace('FLOTILLA_ERR_', '')}`);
  if (!want.ok) {
    assert.equal(got.ok ? 'ok' : got.error.code, want.error.code, `${what}: error`);
    return;
  }
  if (!got.ok) assert.fail(`${what}: expected ok, got ${got.error.message}`);
  assert.deepEqual(norm(got.value), want.value, what);
}

// ---- range -------------------------------------------------------------------------------

function modelRange(m: Model, r: RangeRequest, cur: number): MResult<{ rev: number; kvs: MKv[]; more: boolean;
  count: number; }> {
  let rev = r.revision ?? 0;
  if (rev > cur) return { ok: false, error: Errors.futureRev };
  if (rev <= 0) rev = cur;
  if (rev < m.compactRev) return { ok: false, error: Errors.compacted };
  const span: MSpan = { key: ls(r.key), end: r.rangeEnd === undefined ? undefined : ls(r.rangeEnd) };
  const all = m.liveIn(span, rev);
  if (r.countOnly === true) return { ok: true, value: { rev: cur, kvs: [], more: false, count: all.length } };
  let kvs = all.filter((kv) => (r.minModRevision ?? 0) === 0 || kv.mod >= (r.minModRevision ?? 0))
    .filter((kv) => (r.maxModRevision ?? 0) === 0 || kv.mod <= (r.maxModRevision ?? 0));
  const target = r.sortTarget ?? SortTarget.KEY;
  const order = r.sortOrder ?? SortOrder.NONE;
  const limit = r.limit ?? 0;
  // etcd quirk: with no sort order and no revision filter it fetches limit + 1 keys in key
  // order and only then sorts them by a non-key target.
  const filtered = (r.minModRevision ?? 0) !== 0 || (r.maxModRevision ?? 0) !== 0;
  if (order === SortOrder.NONE && !filtered && limit > 0) kvs = kvs.slice(0, limit + 1);
  const by: Record<SortTarget, (a: MKv, c: MKv) => number> = {
    [SortTarget.KEY]: (a, c) => cmpKey(a.key, c.key),
    [SortTarget.VERSION]: (a, c) => a.version - c.version,
    [SortTarget.CREATE]: (a, c) => a.create - c.create,
    [SortTarget.MOD]: (a, c) => a.mod - c.mod,
    [SortTarget.VALUE]: (a, c) => cmpKey(a.value, c.value),
  };
  if (order !== SortOrder.NONE || target !== SortTarget.KEY) {
    kvs = [...kvs].sort(by[target]);
    if (order === SortOrder.DESCEND) kvs.reverse();
  }
  const more = limit > 0 && kvs.length > limit;
  if (more) kvs = kvs.slice(0, limit);
  if (r.keysOnly === true) kvs = kvs.map((kv) => ({ ...kv, value: '' }));
  return { ok: true, value: { rev: cur, kvs, more, count: all.length } };
}

// ---- writes ------------------------------------------------------------------------------

class ModelTxn {
  sub = 0;
  constructor(readonly m: Model) {}

  get readRev(): number {
    return this.sub > 0 ? this.m.rev + 1 : this.m.rev;
  }

  put(key: string, value: string, lease: bigint): void {
    this.m.changes.push({ rev: this.m.rev + 1, sub: this.sub++, key, del: false, value, lease });
  }

  del(span: MSpan): MKv[] {
    const gone = this.m.liveIn(span, this.readRev);
    for (const kv of gone) this.m.changes.push({ rev: this.m.rev + 1, sub: this.sub++, key: kv.key, del: true,
      value: '', lease: 0n });
    return gone;
  }

  end(): void {
    if (this.sub > 0) this.m.rev++;
  }
}

interface PutOp {
  key: string;
  value: string;
  lease: bigint;
  prevKv: boolean;
  ignoreValue: boolean;
  ignoreLease: boolean;
}

function putRequest(p: PutOp): RequestOp {
  return { requestPut: { key: lb(p.key), value: lb(p.value), lease: p.lease, prevKv: p.prevKv,
    ignoreValue: p.ignoreValue, ignoreLease: p.ignoreLease } };
}

function putStaticError(p: PutOp): MvccError | null {
  if (p.ignoreValue && p.value !== '') return Errors.valueProvided;
  if (p.ignoreLease && p.lease !== 0n) return Errors.leaseProvided;
  return null;
}

function modelPutApply(t: ModelTxn, p: PutOp): { rev: number; prev?: MKv } {
  const prev = t.m.stateAt(t.readRev).get(p.key);
  t.put(p.key, p.ignoreValue ? (prev as MKv).value : p.value, p.ignoreLease ? (prev as MKv).lease : p.lease);
  return p.prevKv && prev !== undefined ? { rev: t.m.rev + 1, prev } : { rev: t.m.rev + 1 };
}

// ---- txn in the model --------------------------------------------------------------------

type MResp =
  | { t: 'range'; rev: number; kvs: MKv[]; more: boolean; count: number }
  | { t: 'put'; rev: number; prev?: MKv }
  | { t: 'del'; rev: number; deleted: number; prev: MKv[] }
  | { t: 'txn'; succeeded: boolean; resps: MResp[] };

function normResp(r: ResponseOp): MResp {
  if ('responseRange' in r) {
    const x = r.responseRange;
    return { t: 'range', rev: x.revision, kvs: x.kvs.map(kvTuple), more: x.more, count: x.count };
  }
  if ('responsePut' in r) {
    const x = r.responsePut;
    return x.prevKv === undefined ? { t: 'put', rev: x.revision } : { t: 'put', rev: x.revision, prev: kvTuple(x.prevKv) };
  }
  if ('responseDeleteRange' in r) {
    const x = r.responseDeleteRange;
    return { t: 'del', rev: x.revision, deleted: x.deleted, prev: x.prevKvs.map(kvTuple) };
  }
  return { t: 'txn', succeeded: r.responseTxn.succeeded, resps: r.responseTxn.responses.map(normResp) };
}

function compareHolds(m: Model, c: Compare): boolean {
  const kvs = m.liveIn({ key: ls(c.key), end: c.rangeEnd === undefined ? undefined : ls(c.rangeEnd) }, m.rev);
  if (kvs.length === 0 && c.target === CompareTarget.VALUE) return false;
  const one = (kv: MKv | undefined): boolean => {
    let d = 0;
    switch (c.target) {
      case CompareTarget.VALUE: d = cmpKey(kv?.value ?? '', ls(c.value ?? new Uint8Array())); break;
      case CompareTarget.VERSION: d = Math.sign((kv?.version ?? 0) - (c.version ?? 0)); break;
      case CompareTarget.CREATE: d = Math.sign((kv?.create ?? 0) - (c.createRevision ?? 0)); break;
      case CompareTarget.MOD: d = Math.sign((kv?.mod ?? 0) - (c.modRevision ?? 0)); break;
      case CompareTarget.LEASE: {
        const x = kv?.lease ?? 0n;
        const y = c.lease ?? 0n;
        d = x > y ? 1 : x < y ? -1 : 0;
      }
    }
    return [d === 0, d > 0, d < 0, d !== 0][c.result] as boolean;
  };
  return kvs.length === 0 ? one(undefined) : kvs.every(one);
}

/** Static validation the model needs (the generator never produces overlaps). */
function txnStaticError(t: MTxn): MvccError | null {
  for (const op of [...t.success, ...t.failure]) {
    const e = op.kind === 'put' ? putStaticError(op.put) : op.kind === 'txn' ? txnStaticError(op.txn) : null;
    if (e !== null) return e;
  }
  return null;
}

interface MPath {
  ok: boolean;
  nested: MPath[];
}

function modelPath(m: Model, t: MTxn): MPath {
  const ok = t.compare.every((c) => compareHolds(m, c));
  return { ok, nested: (ok ? t.success : t.failure).filter((o) => o.kind === 'txn').map((o) => modelPath(m,
    (o as { txn: MTxn }).txn)) };
}

function pathCheck(m: Model, t: MTxn, p: MPath): MvccError | null {
  let n = 0;
  for (const op of p.ok ? t.success : t.failure) {
    let e: MvccError | null = null;
    if (op.kind === 'range') {
      const rev = op.req.revision ?? 0;
      if (rev !== 0 && rev > m.rev) e = Errors.futureRev;
      else if (rev !== 0 && rev < m.compactRev) e = Errors.compacted;
    } else if (op.kind === 'put') {
      if ((op.put.ignoreValue || op.put.ignoreLease) && !m.stateAt(m.rev).has(op.put.key)) e = Errors.keyNotFound;
      else if (op.put.lease !== 0n && !m.leases.has(op.put.lease)) e = Errors.leaseNotFound;
    } else if (op.kind === 'txn') {
      e = pathCheck(m, op.txn, p.nested[n++] as MPath);
    }
    if (e !== null) return e;
  }
  return null;
}

function modelExec(t: ModelTxn, txn: MTxn, p: MPath): MResp[] {
  const out: MResp[] = [];
  let n = 0;
  for (const op of p.ok ? txn.success : txn.failure) {
    if (op.kind === 'range') {
      const r = modelRange(t.m, op.req, t.readRev);
      assert.ok(r.ok);
      out.push({ t: 'range', ...r.value });
    } else if (op.kind === 'put') {
      out.push({ t: 'put', ...modelPutApply(t, op.put) });
    } else if (op.kind === 'del') {
      const gone = t.del(op.span);
      out.push({ t: 'del', rev: t.sub > 0 ? t.m.rev + 1 : t.m.rev, deleted: gone.length, prev: op.prevKv ? gone : [] });
    } else {
      const np = p.nested[n++] as MPath;
      out.push({ t: 'txn', succeeded: np.ok, resps: modelExec(t, op.txn, np) });
    }
  }
  return out;
}

// ---- generated operations ----------------------------------------------------------------

type MOp =
  | { kind: 'range'; req: RangeRequest }
  | { kind: 'put'; put: PutOp }
  | { kind: 'del'; span: MSpan; prevKv: boolean }
  | { kind: 'txn'; txn: MTxn };

interface MTxn {
  compare: Compare[];
  success: MOp[];
  failure: MOp[];
}

function toRequestOp(o: MOp): RequestOp {
  switch (o.kind) {
    case 'range': return { requestRange: o.req };
    case 'put': return putRequest(o.put);
    case 'del': return { requestDeleteRange: { key: lb(o.span.key), rangeEnd: o.span.end === undefined ? undefined :
      lb(o.span.end), prevKv: o.prevKv } };
    case 'txn': return { requestTxn: toTxnRequest(o.txn) };
  }
}

function toTxnRequest(t: MTxn): TxnRequest {
  return { compare: t.compare, success: t.success.map(toRequestOp), failure: t.failure.map(toRequestOp) };
}

/** Make a txn valid under etcd's overlap rules (stricter: no key put twice anywhere, none deleted). */
function repair(t: MTxn): MTxn {
  const dels: MSpan[] = [];
  const collect = (x: MTxn): void => {
    for (const o of [...x.success, ...x.failure]) {
      if (o.kind === 'del') dels.push(o.span);
      else if (o.kind === 'txn') collect(o.txn);
    }
  };
  collect(t);
  const seen = new Set<string>();
  const fix = (x: MTxn): MTxn => {
    const f = (o: MOp): MOp => {
      if (o.kind === 'txn') return { kind: 'txn', txn: fix(o.txn) };
      if (o.kind !== 'put') return o;
      const k = o.put.key;
      if (seen.has(k) || dels.some((d) => inSpan(d, k) || (d.end !== undefined && d.end !== ZERO &&
        cmpKey(d.end, d.key) <= 0 && k === d.key))) {
        return { kind: 'range', req: { key: lb(k) } };
      }
      seen.add(k);
      return o;
    };
    return { compare: x.compare, success: x.success.map(f), failure: x.failure.map(f) };
  };
  return fix(t);
}

const keyArb = fc.constantFrom('a', 'b', 'c', 'ab', 'ba', `a${ZERO}`, '\u00ff', ZERO, 'c\u00ff');
const valueArb = fc.constantFrom('', 'x', 'y', 'zz', '\u0001', '\u00ff');
const leaseArb = fc.constantFrom(0n, 0n, 0n, 0n, 0n, 1n, 2n, 3n);
const endArb = fc.option(fc.oneof(keyArb, fc.constant(ZERO)), { nil: undefined });
/** Resolved against the store when run: negative, 0 (current) or around the live window. */
const revPickArb = fc.integer({ min: -2, max: 999 });

function pickRev(m: Model, pick: number): number {
  if (pick < 0) return pick + 1; // -1 or 0
  const lo = Math.max(m.compactRev - 1, 1);
  return lo + (pick % (m.rev + 2 - lo));
}

const rarely = fc.constantFrom(false, false, false, false, false, false, false, false, false, true);
const putArb: fc.Arbitrary<PutOp> = fc.record({
  key: keyArb, value: valueArb, lease: leaseArb, prevKv: fc.boolean(), ignoreValue: rarely, ignoreLease: rarely,
  // Mostly well-formed ignore_* puts, sometimes the "value/lease is provided" errors.
  clearValue: fc.constantFrom(true, true, false), clearLease: fc.constantFrom(true, true, false),
}).map(({ clearValue, clearLease, ...p }) => ({ ...p, value: p.ignoreValue && clearValue ? '' : p.value,
  lease: p.ignoreLease && clearLease ? 0n : p.lease }));

const rangeFieldsArb = fc.record({
  key: keyArb, end: endArb, revPick: revPickArb, limit: fc.constantFrom(0, 0, 1, 2, -1),
  sortOrder: fc.constantFrom(SortOrder.NONE, SortOrder.NONE, SortOrder.ASCEND, SortOrder.DESCEND),
  sortTarget: fc.constantFrom(SortTarget.KEY, SortTarget.KEY, SortTarget.VERSION, SortTarget.CREATE, SortTarget.MOD,
    SortTarget.VALUE),
  countOnly: rarely, keysOnly: fc.boolean(), allowFuture: rarely,
  minMod: fc.constantFrom(0, 0, 0, 3, 6), maxMod: fc.constantFrom(0, 0, 0, 4, 9),
});

type RangeFields = typeof rangeFieldsArb extends fc.Arbitrary<infer T> ? T : never;

function rangeReq(m: Model, f: RangeFields, allowFuture = true): RangeRequest {
  let revision = pickRev(m, f.revPick);
  if (!allowFuture && revision > m.rev) revision = 0;
  return { key: lb(f.key), rangeEnd: f.end === undefined ? undefined : lb(f.end), revision, limit: f.limit,
    sortOrder: f.sortOrder, sortTarget: f.sortTarget, countOnly: f.countOnly, keysOnly: f.keysOnly,
    minModRevision: f.minMod, maxModRevision: f.maxMod };
}

const compareArb = fc.record({
  key: keyArb, end: fc.option(fc.oneof(keyArb, fc.constant(ZERO)), { nil: undefined, freq: 4 }),
  target: fc.constantFrom(CompareTarget.VERSION, CompareTarget.CREATE, CompareTarget.MOD, CompareTarget.VALUE,
    CompareTarget.LEASE),
  result: fc.constantFrom(CompareResult.EQUAL, CompareResult.GREATER, CompareResult.LESS, CompareResult.NOT_EQUAL),
  n: fc.integer({ min: 0, max: 8 }), value: valueArb, lease: leaseArb,
}).map((c): Compare => ({ key: lb(c.key), rangeEnd: c.end === undefined ? undefined : lb(c.end), target: c.target,
  result: c.result, version: c.n, createRevision: c.n, modRevision: c.n, value: lb(c.value), lease: c.lease }));

/** Txn ops carry range fields unresolved; the runner resolves revisions against the model. */
type GenOp =
  | { kind: 'range'; f: RangeFields }
  | { kind: 'put'; put: PutOp }
  | { kind: 'del'; span: MSpan; prevKv: boolean }
  | { kind: 'txn'; txn: GenTxn };

interface GenTxn {
  compare: Compare[];
  success: GenOp[];
  failure: GenOp[];
}

const leafOpArb: fc.Arbitrary<GenOp> = fc.oneof(
  rangeFieldsArb.map((f) => ({ kind: 'range' as const, f })),
  putArb.map((put) => ({ kind: 'put' as const, put })),
  fc.record({ key: keyArb, end: endArb, prevKv: fc.boolean() })
    .map((d) => ({ kind: 'del' as const, span: { key: d.key, end: d.end }, prevKv: d.prevKv })),
);

const txnArb = (depth: number): fc.Arbitrary<GenTxn> => {
  const op = depth > 0 ? fc.oneof({ arbitrary: leafOpArb, weight: 5 },
    { arbitrary: txnArb(depth - 1).map((txn) => ({ kind: 'txn' as const, txn })), weight: 1 }) : leafOpArb;
  return fc.record({ compare: fc.array(compareArb, { maxLength: 3 }), success: fc.array(op, { maxLength: 4 }),
    failure: fc.array(op, { maxLength: 3 }) });
};

function resolveTxn(m: Model, g: GenTxn): MTxn {
  const r = (o: GenOp): MOp => (o.kind === 'range' ? { kind: 'range', req: rangeReq(m, o.f, o.f.allowFuture) }
    : o.kind === 'txn' ? { kind: 'txn', txn: resolveTxn(m, o.txn) } : o);
  return { compare: g.compare, success: g.success.map(r), failure: g.failure.map(r) };
}

type Cmd =
  | { c: 'put'; put: PutOp }
  | { c: 'del'; key: string; end?: string; prevKv: boolean }
  | { c: 'range'; f: RangeFields }
  | { c: 'txn'; txn: GenTxn }
  | { c: 'compact'; pick: number }
  | { c: 'grant'; id: bigint; ttl: number }
  | { c: 'revoke'; id: bigint }
  | { c: 'roundtrip' }
  | { c: 'restore' }
  | { c: 'poll'; n: number }
  | { c: 'syncWatchers' }
  | { c: 'syncVictims' }
  | { c: 'watch'; key: string; end?: string; pick: number; prevKv: boolean; noPut: boolean; noDelete: boolean }
  | { c: 'cancel'; pick: number };

const cmdArb: fc.Arbitrary<Cmd> = fc.oneof(
  { arbitrary: putArb.map((put) => ({ c: 'put' as const, put })), weight: 12 },
  { arbitrary: fc.record({ key: keyArb, end: endArb, prevKv: fc.boolean() }).map((d) => ({ c: 'del' as const, ...d })),
    weight: 3 },
  { arbitrary: rangeFieldsArb.map((f) => ({ c: 'range' as const, f })), weight: 5 },
  { arbitrary: txnArb(1).map((txn) => ({ c: 'txn' as const, txn })), weight: 5 },
  { arbitrary: fc.integer({ min: -2, max: 999 }).map((pick) => ({ c: 'compact' as const, pick })), weight: 1 },
  { arbitrary: fc.record({ id: fc.constantFrom(0n, 1n, 2n, 3n), ttl: fc.integer({ min: 0, max: 50 }) })
    .map((g) => ({ c: 'grant' as const, ...g })), weight: 3 },
  { arbitrary: fc.constantFrom(1n, 2n, 3n, 4n).map((id) => ({ c: 'revoke' as const, id })), weight: 1 },
  { arbitrary: fc.constant({ c: 'roundtrip' as const }), weight: 1 },
  { arbitrary: fc.constant({ c: 'restore' as const }), weight: 1 },
  { arbitrary: fc.integer({ min: 1, max: 4 }).map((n) => ({ c: 'poll' as const, n })), weight: 3 },
  { arbitrary: fc.constant({ c: 'syncWatchers' as const }), weight: 2 },
  { arbitrary: fc.constant({ c: 'syncVictims' as const }), weight: 2 },
  { arbitrary: fc.record({ key: keyArb, end: endArb, pick: revPickArb, prevKv: fc.boolean(), noPut: rarely,
    noDelete: rarely }).map((w) => ({ c: 'watch' as const, ...w })), weight: 1 },
  { arbitrary: fc.nat().map((pick) => ({ c: 'cancel' as const, pick })), weight: 1 },
);


// ---- the runner --------------------------------------------------------------------------

const LIMITS = {
  maxPendingResponsesPerWatcher: 3, maxPendingResponsesPerStream: 6, maxRevisionsPerWatchBatch: 4,
  maxEventsPerWatchBatch: 5, maxSyncScanChangesPerStep: 40, minLeaseTtlSeconds: 5,
};

interface TrackedWatcher {
  id: number;
  span: MSpan;
  /** First revision whose events it must see. */
  from: number;
  prevKv: boolean;
  noPut: boolean;
  noDelete: boolean;
  clientCanceled: boolean;
}

function unwrap<T>(r: Result<T>): T {
  if (!r.ok) assert.fail(r.error.message);
  return r.value;
}

class Runner {
  readonly m = new Model();
  readonly store = new MvccStore({ limits: LIMITS });
  replica = new MvccStore({ limits: LIMITS });
  readonly ws = this.store.newWatchStream();
  readonly watchers: TrackedWatcher[] = [];
  readonly received: WatchResponse[] = [];

  constructor() {
    this.addWatcher(ZERO, ZERO, 1, true, false, false);
  }

  addWatcher(key: string, end: string | undefined, start: number, prevKv: boolean, noPut: boolean,
    noDelete: boolean): void {
    const filters = [...(noPut ? [WatchFilterType.NOPUT] : []), ...(noDelete ? [WatchFilterType.NODELETE] : [])];
    const r = this.ws.watch({ key: lb(key), rangeEnd: end === undefined ? undefined : lb(end), startRevision: start,
      prevKv, filters });
    const emptyRange = end !== undefined && end !== ZERO && cmpKey(key, end) >= 0;
    if (emptyRange) {
      assert.equal(r.ok ? 'ok' : r.error.code, Errors.watcherRangeEmpty.code);
      return;
    }
    const from = start <= 0 || start > this.m.rev ? Math.max(this.m.rev + 1, start) : start;
    this.watchers.push({ id: unwrap(r), span: { key, end }, from, prevKv, noPut, noDelete, clientCanceled: false });
  }

  /** Apply a write to both stores; they must answer identically. */
  both<T>(f: (s: MvccStore) => Result<T>): Result<T> {
    const a = f(this.store);
    const b = f(this.replica);
    assert.deepEqual(b, a, 'replica diverged');
    return a;
  }

  put(p: PutOp): void {
    const m = this.m;
    const got = this.both((s) => s.put((putRequest(p) as { requestPut: Parameters<MvccStore['put']>[0] }).requestPut));
    let want: MResult<{ rev: number; prev?: MKv }>;
    const err = putStaticError(p) ?? (p.lease !== 0n && !m.leases.has(p.lease) ? Errors.leaseNotFound : null) ??
      ((p.ignoreValue || p.ignoreLease) && !m.stateAt(m.rev).has(p.key) ? Errors.keyNotFound : null);
    if (err !== null) {
      want = { ok: false, error: err };
    } else {
      const t = new ModelTxn(m);
      want = { ok: true, value: modelPutApply(t, p) };
      t.end();
    }
    sameResult(got, want, (v) => (v.prevKv === undefined ? { rev: v.revision } : { rev: v.revision,
      prev: kvTuple(v.prevKv) }), 'put');
  }

  del(span: MSpan, prevKv: boolean): void {
    const got = this.both((s) => s.deleteRange({ key: lb(span.key), rangeEnd: span.end === undefined ? undefined :
      lb(span.end), prevKv }));
    const t = new ModelTxn(this.m);
    const gone = t.del(span);
    const rev = t.sub > 0 ? this.m.rev + 1 : this.m.rev;
    t.end();
    sameResult(got, { ok: true, value: { rev, deleted: gone.length, prev: prevKv ? gone : [] } },
      (v) => ({ rev: v.revision, deleted: v.deleted, prev: v.prevKvs.map(kvTuple) }), 'delete');
  }

  txn(g: GenTxn): void {
    const m = this.m;
    const t = repair(resolveTxn(m, g));
    const got = this.both((s) => s.txn(toTxnRequest(t)));
    const norm = (v: TxnResponse): { rev: number; succeeded: boolean; resps: MResp[] } =>
      ({ rev: v.revision, succeeded: v.succeeded, resps: v.responses.map(normResp) });
    const staticErr = txnStaticError(t);
    if (staticErr !== null) return sameResult(got, { ok: false, error: staticErr }, norm, 'txn');
    const path = modelPath(m, t);
    const err = pathCheck(m, t, path);
    if (err !== null) return sameResult(got, { ok: false, error: err }, norm, 'txn');
    const mt = new ModelTxn(m);
    const resps = modelExec(mt, t, path);
    bump(`txn ${path.ok ? 'success' : 'failure'} branch, ${mt.sub} changes${path.nested.length > 0 ? ', nested' : ''}`);
    mt.end();
    sameResult(got, { ok: true, value: { rev: m.rev, succeeded: path.ok, resps } }, norm, 'txn');
  }

  compact(pick: number): void {
    const m = this.m;
    const rev = pickRev(m, pick);
    const got = this.both((s) => s.compact({ revision: rev }));
    let want: MResult<number>;
    if (rev <= m.compactRev) want = { ok: false, error: Errors.compacted };
    else if (rev > m.rev) want = { ok: false, error: Errors.futureRev };
    else {
      m.compactRev = rev;
      want = { ok: true, value: m.rev };
    }
    sameResult(got, want, (v) => v.revision, 'compact');
  }

  grant(id: bigint, ttl: number): void {
    const m = this.m;
    const got = this.both((s) => s.leaseGrant({ id, ttlSeconds: ttl }));
    let want: MResult<bigint>;
    if (id === 0n) want = { ok: false, error: Errors.leaseNotFound };
    else if (m.leases.has(id)) want = { ok: false, error: Errors.leaseExists };
    else {
      m.leases.set(id, Math.max(ttl, LIMITS.minLeaseTtlSeconds));
      want = { ok: true, value: id };
    }
    sameResult(got, want, (v) => v.id, 'lease grant');
  }

  revoke(id: bigint): void {
    const m = this.m;
    const got = this.both((s) => s.leaseRevoke(id));
    if (!m.leases.has(id)) return sameResult(got, { ok: false, error: Errors.leaseNotFound }, () => 0, 'revoke');
    const t = new ModelTxn(m);
    for (const kv of m.liveIn({ key: ZERO, end: ZERO }, m.rev).filter((x) => x.lease === id)) t.del({ key: kv.key });
    t.end();
    m.leases.delete(id);
    sameResult(got, { ok: true, value: m.rev }, (v) => v.revision, 'revoke');
  }

  roundtrip(): void {
    const bytes = this.store.snapshot();
    assert.deepEqual(this.replica.snapshot(), bytes, 'replica snapshot differs');
    const copy = MvccStore.fromSnapshot(bytes, { limits: LIMITS });
    assert.deepEqual(copy.snapshot(), bytes, 'snapshot round trip is not exact');
    assert.equal(copy.hash(), this.store.hash());
    assert.deepEqual(copy.hashKV(0), this.store.hashKV(0));
    assert.deepEqual(copy.leaseLeases(), this.store.leaseLeases());
    this.replica = copy;
  }

  run(cmd: Cmd): void {
    const m = this.m;
    switch (cmd.c) {
      case 'put': return this.put(cmd.put);
      case 'del': return this.del({ key: cmd.key, end: cmd.end }, cmd.prevKv);
      case 'range': {
        const req = rangeReq(m, cmd.f);
        return sameResult(this.store.range(req), modelRange(m, req, m.rev), (v) => ({ rev: v.revision,
          kvs: v.kvs.map(kvTuple), more: v.more, count: v.count }), 'range');
      }
      case 'txn': return this.txn(cmd.txn);
      case 'compact': return this.compact(cmd.pick);
      case 'grant': return this.grant(cmd.id, cmd.ttl);
      case 'revoke': return this.revoke(cmd.id);
      case 'roundtrip': return this.roundtrip();
      case 'restore': {
        const before = this.store.hash();
        this.store.restore(this.replica.snapshot());
        return assert.equal(this.store.hash(), before);
      }
      case 'poll': this.received.push(...this.ws.poll(cmd.n)); return;
      case 'syncWatchers': this.store.syncWatchers(); return;
      case 'syncVictims': this.store.syncVictims(); return;
      case 'watch': return this.addWatcher(cmd.key, cmd.end, pickRev(m, cmd.pick), cmd.prevKv, cmd.noPut, cmd.noDelete);
      case 'cancel': {
        const live = this.watchers.filter((w) => !w.clientCanceled);
        const w = live[cmd.pick % Math.max(live.length, 1)];
        if (w === undefined) return;
        // The watcher may already be gone (compacted): then the stream says it does not exist.
        const r = this.ws.cancel(w.id);
        const compacted = this.received.some((x) => x.watchId === w.id && x.compactRevision > 0);
        assert.ok(r.ok || !this.ws.watchers.has(w.id), 'cancel of a live watcher failed');
        if (r.ok) assert.ok(!compacted);
        w.clientCanceled = true;
        return;
      }
    }
  }

  checkAfterEachCommand(): void {
    for (const s of [this.store, this.replica]) {
      assert.equal(s.currentRevision, this.m.rev);
      assert.equal(s.compactRevision, this.m.compactRev);
    }
    assert.equal(this.replica.hash(), this.store.hash());
    const leases = this.store.leaseLeases().leases.map((l) => l.id);
    assert.deepEqual(leases, [...this.m.leases.keys()].sort((a, c) => (a < c ? -1 : a > c ? 1 : 0)));
    const live = this.m.liveIn({ key: ZERO, end: ZERO }, this.m.rev);
    for (const id of leases) {
      assert.deepEqual(this.store.leaseTimeToLive(id, true).keys.map(ls), live.filter((kv) => kv.lease === id)
        .map((kv) => kv.key));
    }
  }

  checkAllRevisions(): void {
    const m = this.m;
    for (let rev = Math.max(m.compactRev, 1); rev <= m.rev; rev++) {
      const got = unwrap(this.store.range({ key: lb(ZERO), rangeEnd: lb(ZERO), revision: rev }));
      assert.deepEqual(got.kvs.map(kvTuple), m.liveIn({ key: ZERO, end: ZERO }, rev), `state at revision ${rev}`);
    }
    if (m.compactRev > 1) {
      assert.equal(this.store.range({ key: lb(ZERO), revision: m.compactRev - 1 }).ok, false);
    }
  }

  /** Pump the watch machinery until quiet, then compare every watcher's events with the model. */
  checkWatchers(): void {
    for (let i = 0; ; i++) {
      assert.ok(i < 100_000, 'watchers did not settle');
      const got = this.ws.poll();
      this.received.push(...got);
      const moved = this.store.syncVictims();
      const unsynced = this.store.syncWatchers();
      if (got.length === 0 && moved === 0 && unsynced === 0 && this.store.watchStats().victims === 0 &&
        this.ws.pendingResponses === 0) break;
    }
    for (const w of this.watchers) this.checkWatcher(w);
    bump(`watchers canceled by compaction (${this.received.filter((x) => x.compactRevision > 0).length > 0})`);
    stats.set('watch events delivered', (stats.get('watch events delivered') ?? 0) +
      this.received.reduce((n, x) => n + x.events.length, 0));
  }

  checkWatcher(w: TrackedWatcher): void {
    const m = this.m;
    const mine = this.received.filter((r) => r.watchId === w.id && !r.created);
    const canceled = mine.some((r) => r.canceled);
    const got = mine.flatMap((r) => {
      for (const e of r.events) assert.ok(e.kv.modRevision <= r.revision, 'event newer than its response');
      return r.events;
    });
    const want = m.changes.filter((c) => c.rev >= w.from && inSpan(w.span, c.key) && !(w.noPut && !c.del) &&
      !(w.noDelete && c.del));
    const tuple = (type: EventType, key: string, value: string, rev: number): string =>
      `${type === EventType.PUT ? 'PUT' : 'DEL'} ${JSON.stringify(key)}=${JSON.stringify(value)}@${rev}`;
    const gotT = got.map((e) => tuple(e.type, ls(e.kv.key), ls(e.kv.value), e.kv.modRevision));
    const wantT = want.map((c) => tuple(c.del ? EventType.DELETE : EventType.PUT, c.key, c.value, c.rev));
    if (canceled || w.clientCanceled) assert.deepEqual(gotT, wantT.slice(0, gotT.length), `watcher ${w.id} prefix`);
    else assert.deepEqual(gotT, wantT, `watcher ${w.id} events`);
    if (canceled && !w.clientCanceled) {
      const c = mine.find((r) => r.canceled) as WatchResponse;
      assert.ok(c.compactRevision > 0 && c.compactRevision > (got.at(-1)?.kv.modRevision ?? w.from - 1));
    }
    if (!w.prevKv) return assert.ok(got.every((e) => e.prevKv === undefined));
    for (const e of got) {
      const prev = m.stateAt(e.kv.modRevision - 1).get(ls(e.kv.key));
      if (e.prevKv !== undefined) assert.deepEqual(kvTuple(e.prevKv), prev, 'prev_kv');
      else assert.ok(prev === undefined || e.kv.modRevision - 1 < m.compactRev, 'prev_kv missing');
    }
  }
}

function runModel(cmds: Cmd[]): void {
  const r = new Runner();
  for (const cmd of cmds) {
    r.run(cmd);
    r.checkAfterEachCommand();
    if (r.store.watchStats().victims > 0) bump('watch victims present');
  }
  bump(`max revision ${r.m.rev < 20 ? '<20' : r.m.rev < 50 ? '20-49' : '50+'}`);
  r.checkAllRevisions();
  r.checkWatchers();
}

test('model: the store matches a naive model of every revision, replicas agree, watchers see every event', () => {
  fc.assert(fc.property(fc.array(cmdArb, { minLength: 30, maxLength: 200, size: 'medium' }), (cmds) => runModel(cmds)),
    { seed, numRuns });
  console.log([...stats].sort().map(([k, v]) => `  ${k}: ${v}`).join('\n'));
});
