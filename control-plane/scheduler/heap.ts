// A binary min-heap over items that remember their index, so update and remove are
// O(log n) (internal/heap). An item lives in at most one Heap at a time.

export interface HeapItem { heapIndex: number }

export class Heap<T extends HeapItem> {
  readonly #items: T[] = [];

  constructor(private readonly less: (a: T, b: T) => boolean) {}

  get size(): number { return this.#items.length; }

  peek(): T | undefined { return this.#items[0]; }

  push(item: T): void {
    item.heapIndex = this.#items.length;
    this.#items.push(item);
    this.#up(item.heapIndex);
  }

  pop(): T | undefined {
    const items = this.#items;
    if (items.length === 0) return undefined;
    const top = items[0] as T;
    this.#removeAt(0);
    return top;
  }

  remove(item: T): boolean {
    const i = item.heapIndex;
    if (i < 0 || this.#items[i] !== item) return false;
    this.#removeAt(i);
    return true;
  }

  /** Restores order after the item's sort key changed. */
  fix(item: T): void {
    if (this.#items[item.heapIndex] !== item) return;
    if (!this.#up(item.heapIndex)) this.#down(item.heapIndex);
  }

  has(item: T): boolean {
    return item.heapIndex >= 0 && this.#items[item.heapIndex] === item;
  }

  values(): readonly T[] { return this.#items; }

  #removeAt(i: number): void {
    const items = this.#items;
    const removed = items[i] as T;
    const last = items.pop() as T;
    removed.heapIndex = -1;
    if (i === items.length) return;
    items[i] = last;
    last.heapIndex = i;
    if (!this.#up(i)) this.#down(i);
  }

  #up(i: number): boolean {
    const items = this.#items;
    const item = items[i] as T;
    let moved = false;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const parent = items[p] as T;
      if (!this.less(item, parent)) break;
      items[i] = parent;
      parent.heapIndex = i;
      i = p;
      moved = true;
    }
    items[i] = item;
    item.heapIndex = i;
    return moved;
  }

  #down(i: number): void {
    const items = this.#items;
    const n = items.length;
    const item = items[i] as T;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && this.less(items[r] as T, items[l] as T) ? r : l;
      const child = items[c] as T;
      if (!this.less(child, item)) break;
      items[i] = child;
      child.heapIndex = i;
      i = c;
    }
    items[i] = item;
    item.heapIndex = i;
  }
}
