// The informer's Indexer against a model that rebuilds every index from the items: set() re-indexes
// only the indexers whose values changed, and that must never leave a key under a stale value.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { Pod } from '../api/index.js';
import { params, seed } from '../api/testing/fc.js';
import { Indexer, keyOf } from './store.js';

test.after(() => console.log(`indexer properties ran with FC_SEED=${seed}`));

const byNode = (p: Pod): string[] => (p.spec?.nodeName ? [p.spec.nodeName] : []);
const byLabels = (p: Pod): string[] => Object.values(p.metadata?.labels ?? {});

type Op = { kind: 'set'; pod: Pod } | { kind: 'delete'; key: string };

const pod: fc.Arbitrary<Pod> = fc.record({
  namespace: fc.constantFrom('a', 'b'), name: fc.constantFrom('p', 'q', 'r'),
  node: fc.option(fc.constantFrom('n1', 'n2'), { nil: undefined }),
  labels: fc.dictionary(fc.constantFrom('x', 'y'), fc.constantFrom('1', '2', '1')),
}).map(({ namespace, name, node, labels }) => ({
  metadata: { namespace, name, labels }, spec: { containers: [], ...(node ? { nodeName: node } : {}) },
}));

const op: fc.Arbitrary<Op> = fc.oneof(
  pod.map((p) => ({ kind: 'set' as const, pod: p })),
  fc.constantFrom('a/p', 'a/q', 'b/r').map((key) => ({ kind: 'delete' as const, key })),
);

test('property: index keys always equal a rebuild from the stored items', () => {
  fc.assert(fc.property(fc.array(op, { maxLength: 40 }), (ops) => {
    const idx = new Indexer<Pod>({ byNode, byLabels });
    const model = new Map<string, Pod>();
    for (const o of ops) {
      if (o.kind === 'set') {
        idx.set(o.pod);
        model.set(keyOf(o.pod), o.pod);
      } else {
        idx.delete(o.key);
        model.delete(o.key);
      }
    }
    const indexers = [['byNode', byNode], ['byLabels', byLabels],
      ['namespace', (p: Pod) => [p.metadata?.namespace ?? '']]] as const;
    for (const [name, fn] of indexers) {
      for (const v of ['n1', 'n2', '1', '2', 'a', 'b']) {
        const want = [...model].filter(([, p]) => fn(p).includes(v)).map(([k]) => k).sort();
        assert.deepEqual(idx.indexKeys(name, v).sort(), want, `${name}=${v}`);
      }
    }
  }), params(300));
});
