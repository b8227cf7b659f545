// Builders for hand-written histories in tests, and a generator of histories from a
// sequential model (linearizable by construction) used by the property tests.
import type { KvInput, KvOutput, KvRead, Operation } from './history.js';

let nextId = 1;

export function op(client: number, call: number, ret: number | null, input: KvInput, output?: KvOutput): Operation {
  return { id: nextId++, client, call, ret, input, ...(output !== undefined && ret !== null ? { output } : {}),
    ...(ret === null ? { error: 'timeout' } : {}) };
}

export const put = (c: number, call: number, ret: number | null, key: string, value: string, revision = 0) =>
  op(c, call, ret, { kind: 'put', key, value }, { kind: 'put', revision });

export const get = (c: number, call: number, ret: number, key: string, value: string | null, modRev: number) =>
  op(c, call, ret, { kind: 'get', key }, { kind: 'get', kv: { value, modRev }, revision: modRev });

export const del = (c: number, call: number, ret: number | null, key: string, deleted: number, revision: number) =>
  op(c, call, ret, { kind: 'delete', key }, { kind: 'delete', deleted, revision });

export const cas = (c: number, call: number, ret: number | null, key: string, expect: number, value: string,
  succeeded: boolean, revision: number, current?: KvRead) =>
  op(c, call, ret, { kind: 'cas', key, expectModRev: expect, value },
    { kind: 'cas', succeeded, revision, ...(current ? { current } : {}) });

export type GenStep =
  | { kind: 'put'; key: number }
  | { kind: 'get'; key: number }
  | { kind: 'list' }
  | { kind: 'delete'; key: number }
  | { kind: 'cas'; key: number; stale: boolean };

export interface GenOptions {
  steps: GenStep[];
  /** Per step: [call slack, return slack] in ms around its linearization point, and its fate. */
  slack: [number, number][];
  fate: ('ok' | 'unknown-happened' | 'unknown-never')[];
  keys: number;
}

export interface Generated {
  ops: Operation[];
  state: Map<string, KvRead>;
  revision: number;
  lastWriter: Map<string, Operation>;
  endTime: number;
}

/**
 * Runs the steps one after another on an in-memory store (linearization point of step i at
 * 10·i ms), then gives each operation an interval around its point. Unknown outcomes drop
 * the output; "never" ones do not touch the store. The result is linearizable by construction.
 */
export function generate(o: GenOptions): Generated {
  const state = new Map<string, KvRead>();
  const lastWriter = new Map<string, Operation>();
  let revision = 0;
  const ops: Operation[] = [];
  const key = (k: number) => `k${k % o.keys}`;
  o.steps.forEach((s, i) => {
    const point = 10 * (i + 1);
    const [a, b] = o.slack[i] ?? [0, 0];
    const fate = s.kind === 'get' || s.kind === 'list' ? 'ok' : (o.fate[i] ?? 'ok');
    const applies = fate !== 'unknown-never';
    const ret = fate === 'ok' ? point + b : null;
    const value = `v${i}`;
    let made: Operation;
    if (s.kind === 'put') {
      if (applies) state.set(key(s.key), { value, modRev: ++revision });
      made = op(0, point - a, ret, { kind: 'put', key: key(s.key), value }, { kind: 'put', revision });
      if (fate === 'ok') lastWriter.set(key(s.key), made);
    } else if (s.kind === 'get') {
      const kv = state.get(key(s.key)) ?? { value: null, modRev: 0 };
      made = op(0, point - a, ret, { kind: 'get', key: key(s.key) }, { kind: 'get', kv, revision });
    } else if (s.kind === 'list') {
      made = op(0, point - a, ret, { kind: 'list', prefix: 'k' }, { kind: 'list', kvs: Object.fromEntries(state), revision });
    } else if (s.kind === 'delete') {
      const had = state.has(key(s.key));
      if (applies && had) {
        state.delete(key(s.key));
        revision++;
      }
      made = op(0, point - a, ret, { kind: 'delete', key: key(s.key) }, { kind: 'delete', deleted: had ? 1 : 0, revision });
    } else {
      const cur = state.get(key(s.key)) ?? { value: null, modRev: 0 };
      const expect = s.stale ? cur.modRev + 1000 : cur.modRev;
      const ok = expect === cur.modRev;
      if (applies && ok) state.set(key(s.key), { value, modRev: ++revision });
      made = op(0, point - a, ret, { kind: 'cas', key: key(s.key), expectModRev: expect, value },
        { kind: 'cas', succeeded: ok, revision, ...(ok ? {} : { current: cur }) });
      if (fate === 'ok' && ok) lastWriter.set(key(s.key), made);
    }
    made.client = i;
    ops.push(made);
  });
  return { ops, state, revision, lastWriter, endTime: 10 * (o.steps.length + 2) + 100 };
}
