// The simulator's agenda: a binary min-heap of events ordered by (time, insertion order).
// The insertion counter breaks ties, so two events at the same instant always run in the
// order they were scheduled and a seed replays identically.

export interface Scheduled<T> {
  time: number;
  seq: number;
  item: T;
}

export class EventHeap<T> {
  readonly #items: Scheduled<T>[] = [];
  #seq = 0;

  get size(): number {
    return this.#items.length;
  }

  push(time: number, item: T): void {
    const node: Scheduled<T> = { time, seq: this.#seq++, item };
    const a = this.#items;
    a.push(node);
    let i = a.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(node, a[parent] as Scheduled<T>)) break;
      a[i] = a[parent] as Scheduled<T>;
      i = parent;
    }
    a[i] = node;
  }

  pop(): Scheduled<T> | undefined {
    const a = this.#items;
    const top = a[0];
    const last = a.pop();
    if (top === undefined || last === undefined || a.length === 0) return top;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= a.length) break;
      const r = l + 1;
      const child = r < a.length && before(a[r] as Scheduled<T>, a[l] as Scheduled<T>) ? r : l;
      if (!before(a[child] as Scheduled<T>, last)) break;
      a[i] = a[child] as Scheduled<T>;
      i = child;
    }
    a[i] = last;
    return top;
  }

  peekTime(): number | undefined {
    return this.#items[0]?.time;
  }
}

function before<T>(x: Scheduled<T>, y: Scheduled<T>): boolean {
  return x.time < y.time || (x.time === y.time && x.seq < y.seq);
}
