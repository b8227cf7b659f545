// An in-memory B+tree from key strings (see bytes.ts) to values: the key index. Inserts
// and deletes are O(log n), lookups a hash probe (a Map holds the same entries); a range
// scan descends once and then follows the leaf chain, so listing k keys costs O(log n + k).
// etcd keeps its key index in a google/btree for the same reasons (server/storage/mvcc/
// index.go); a sorted array would make every new key an O(n) splice, which is the kind of
// slowdown the write path must not have.
//
// Invariants (checked by checkInvariants() in tests): every leaf is at the same depth;
// every node but the root holds at least half its capacity; an inner node's keys[i] is
// ≤ every key under kids[i+1] and > every key under kids[i]; leaves chain in key order.

import { BTREE_NODE_CAPACITY_ENTRIES } from './limits.js';
import { invariant } from './errors.js';

const MAX = BTREE_NODE_CAPACITY_ENTRIES;
const MIN = MAX >> 1;

interface Leaf<V> {
  leaf: true;
  keys: string[];
  vals: V[];
  next: Leaf<V> | null;
}

interface Inner<V> {
  leaf: false;
  /** Separators: kids.length === keys.length + 1. */
  keys: string[];
  kids: Node<V>[];
}

type Node<V> = Leaf<V> | Inner<V>;

interface Split<V> {
  sep: string;
  right: Node<V>;
}

/** First index whose key is ≥ key. */
function lowerBound(keys: string[], key: string): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((keys[mid] as string) < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** First index whose key is > key: the child of an inner node that may hold key. */
function upperBound(keys: string[], key: string): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((keys[mid] as string) <= key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function nodeSize<V>(n: Node<V>): number {
  return n.leaf ? n.keys.length : n.kids.length;
}

function newLeaf<V>(): Leaf<V> {
  return { leaf: true, keys: [], vals: [], next: null };
}

export class BTreeMap<V> {
  #root: Node<V> = newLeaf<V>();
  #size = 0;
  /**
   * The same entries in a hash map, for point lookups: every put, txn compare and delete
   * of one key looks its key up, and a hash probe costs a third of a descent that compares
   * long shared prefixes (/registry/pods/...) at every level. Only order needs the tree.
   */
  readonly #index = new Map<string, V>();

  get size(): number {
    return this.#size;
  }

  get(key: string): V | undefined {
    return this.#index.get(key);
  }

  /** Insert or replace. */
  set(key: string, value: V): void {
    this.#index.set(key, value);
    const split = this.#insert(this.#root, key, value);
    if (split !== null) {
      this.#root = { leaf: false, keys: [split.sep], kids: [this.#root, split.right] };
    }
  }

  delete(key: string): boolean {
    if (!this.#index.delete(key)) return false;
    const removed = this.#delete(this.#root, key);
    invariant(removed, 'btree lacks a key its index holds');
    const root = this.#root;
    if (!root.leaf && root.kids.length === 1) this.#root = root.kids[0] as Node<V>;
    return true;
  }

  /**
   * Visit keys ≥ start in order until `end` (exclusive; '' = no end) or until `visit`
   * returns false. The tree must not be modified during the scan.
   */
  scan(start: string, end: string, visit: (key: string, value: V) => boolean): void {
    let n = this.#root;
    while (!n.leaf) n = n.kids[upperBound(n.keys, start)] as Node<V>;
    let leaf: Leaf<V> | null = n;
    let i = lowerBound(leaf.keys, start);
    while (leaf !== null) {
      const keys = leaf.keys;
      for (; i < keys.length; i++) {
        const k = keys[i] as string;
        if (end !== '' && k >= end) return;
        if (!visit(k, leaf.vals[i] as V)) return;
      }
      leaf = leaf.next;
      i = 0;
    }
  }

  #insert(n: Node<V>, key: string, value: V): Split<V> | null {
    if (n.leaf) {
      const i = lowerBound(n.keys, key);
      if (n.keys[i] === key) {
        n.vals[i] = value;
        return null;
      }
      n.keys.splice(i, 0, key);
      n.vals.splice(i, 0, value);
      this.#size++;
      if (n.keys.length <= MAX) return null;
      const mid = n.keys.length >> 1;
      const right: Leaf<V> = { leaf: true, keys: n.keys.splice(mid), vals: n.vals.splice(mid), next: n.next };
      n.next = right;
      return { sep: right.keys[0] as string, right };
    }
    const i = upperBound(n.keys, key);
    const split = this.#insert(n.kids[i] as Node<V>, key, value);
    if (split === null) return null;
    n.keys.splice(i, 0, split.sep);
    n.kids.splice(i + 1, 0, split.right);
    if (n.kids.length <= MAX) return null;
    const mid = n.keys.length >> 1;
    const sep = n.keys[mid] as string;
    const right: Inner<V> = { leaf: false, keys: n.keys.slice(mid + 1), kids: n.kids.slice(mid + 1) };
    n.keys.length = mid;
    n.kids.length = mid + 1;
    return { sep, right };
  }

  #delete(n: Node<V>, key: string): boolean {
    if (n.leaf) {
      const i = lowerBound(n.keys, key);
      if (n.keys[i] !== key) return false;
      n.keys.splice(i, 1);
      n.vals.splice(i, 1);
      this.#size--;
      return true;
    }
    const i = upperBound(n.keys, key);
    const child = n.kids[i] as Node<V>;
    if (!this.#delete(child, key)) return false;
    if (nodeSize(child) < MIN) this.#rebalance(n, i);
    return true;
  }

  /** kids[i] of parent fell below half full: borrow from a sibling, else merge with one. */
  #rebalance(parent: Inner<V>, i: number): void {
    const child = parent.kids[i] as Node<V>;
    const left = i > 0 ? (parent.kids[i - 1] as Node<V>) : null;
    const right = i + 1 < parent.kids.length ? (parent.kids[i + 1] as Node<V>) : null;
    if (left !== null && nodeSize(left) > MIN) {
      if (child.leaf && left.leaf) {
        child.keys.unshift(left.keys.pop() as string);
        child.vals.unshift(left.vals.pop() as V);
        parent.keys[i - 1] = child.keys[0] as string;
      } else if (!child.leaf && !left.leaf) {
        child.keys.unshift(parent.keys[i - 1] as string);
        child.kids.unshift(left.kids.pop() as Node<V>);
        parent.keys[i - 1] = left.keys.pop() as string;
      }
      return;
    }
    if (right !== null && nodeSize(right) > MIN) {
      if (child.leaf && right.leaf) {
        child.keys.push(right.keys.shift() as string);
        child.vals.push(right.vals.shift() as V);
        parent.keys[i] = right.keys[0] as string;
      } else if (!child.leaf && !right.leaf) {
        child.keys.push(parent.keys[i] as string);
        child.kids.push(right.kids.shift() as Node<V>);
        parent.keys[i] = right.keys.shift() as string;
      }
      return;
    }
    if (left !== null) this.#merge(parent, i - 1);
    else if (right !== null) this.#merge(parent, i);
  }

  /** Fold kids[i + 1] into kids[i]. */
  #merge(parent: Inner<V>, i: number): void {
    const a = parent.kids[i] as Node<V>;
    const b = parent.kids[i + 1] as Node<V>;
    if (a.leaf && b.leaf) {
      a.keys.push(...b.keys);
      a.vals.push(...b.vals);
      a.next = b.next;
    } else if (!a.leaf && !b.leaf) {
      a.keys.push(parent.keys[i] as string, ...b.keys);
      a.kids.push(...b.kids);
    } else {
      invariant(false, 'btree siblings at different depths');
    }
    parent.keys.splice(i, 1);
    parent.kids.splice(i + 1, 1);
  }

  /** Walk the whole tree and throw if any structural invariant is broken (tests, debugging). */
  checkInvariants(): void {
    let leafDepth = -1;
    let count = 0;
    let prevLeaf: Leaf<V> | null = null;
    const walk = (n: Node<V>, depth: number, lo: string | null, hi: string | null, isRoot: boolean): void => {
      invariant(isRoot || nodeSize(n) >= MIN, `btree node below half full (${nodeSize(n)})`);
      invariant(nodeSize(n) <= MAX, 'btree node over capacity');
      for (let k = 0; k < n.keys.length; k++) {
        const key = n.keys[k] as string;
        invariant(k === 0 || (n.keys[k - 1] as string) < key, 'btree keys out of order');
        invariant(lo === null || key >= lo, 'btree key below its separator');
        invariant(hi === null || key < hi, 'btree key above its separator');
      }
      if (n.leaf) {
        if (leafDepth === -1) leafDepth = depth;
        invariant(leafDepth === depth, 'btree leaves at different depths');
        invariant(n.vals.length === n.keys.length, 'btree leaf keys/vals mismatch');
        if (prevLeaf !== null) invariant(prevLeaf.next === n, 'btree leaf chain broken');
        prevLeaf = n;
        count += n.keys.length;
        for (let k = 0; k < n.keys.length; k++) {
          invariant(this.#index.get(n.keys[k] as string) === n.vals[k], 'btree index disagrees with a leaf');
        }
        return;
      }
      invariant(n.kids.length === n.keys.length + 1, 'btree inner arity');
      for (let k = 0; k < n.kids.length; k++) {
        const kidLo = k === 0 ? lo : (n.keys[k - 1] as string);
        const kidHi = k === n.keys.length ? hi : (n.keys[k] as string);
        walk(n.kids[k] as Node<V>, depth + 1, kidLo, kidHi, false);
      }
    };
    walk(this.#root, 0, null, null, true);
    invariant(prevLeaf === null || (prevLeaf as Leaf<V>).next === null, 'btree leaf chain does not end');
    invariant(count === this.#size, `btree size ${this.#size} but ${count} entries`);
    invariant(this.#index.size === this.#size, `btree index holds ${this.#index.size} of ${this.#size} entries`);
  }
}
