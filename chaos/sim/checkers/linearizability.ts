// Linearizable client results (Raft §6.3 for writes, §6.4 for ReadIndex reads).
//
// Every put writes a value no other put writes, so a value names its write, and the log
// index where the write was first applied is its place in the one total order. Two rules:
//  - real-time order: a read must see the key at least as new as every write acknowledged,
//    and every read completed, before the read was invoked (the "known" index per key);
//  - no phantom data: whatever a read returns, and whatever index an acknowledgement names,
//    must be the put that was committed at that index (nobody applied anything else there).
// Incremental: one map lookup per event; no history search, because values are unique and
// the log already orders them.
import { checkHistory, type Checker, type SimEvent, type Violation } from '../events.js';

interface Put {
  key: string;
  value: string;
}

export class Linearizability implements Checker {
  readonly name = 'linearizability';
  /** index -> the put first applied there. */
  readonly #putAt = new Map<number, Put>();
  /** value -> index it was first applied at (a value applied as new twice is a violation). */
  readonly #indexOf = new Map<string, number>();
  /** key -> highest write index some completed operation has shown a client. */
  readonly #known = new Map<string, number>();
  /** readId -> key and the index the read must at least see. */
  readonly #pending = new Map<string, { key: string; required: number }>();

  observe(e: SimEvent): Violation | undefined {
    switch (e.kind) {
      case 'put-applied': return this.#putApplied(e.index, e.key, e.value);
      case 'write-ack': return this.#writeAck(e.client, e.key, e.value, e.index);
      case 'read-invoke':
        this.#pending.set(e.readId, { key: e.key, required: this.#known.get(e.key) ?? 0 });
        return undefined;
      case 'read-done': return this.#readDone(e.readId, e.key, e.value, e.index);
      default: return undefined;
    }
  }

  #putApplied(index: number, key: string, value: string): Violation | undefined {
    const at = this.#indexOf.get(value);
    if (at !== undefined && at !== index) {
      return this.#bad(`put ${key}=${value} took effect twice, at ${at} and at ${index} (§6.3 sessions)`);
    }
    this.#indexOf.set(value, index);
    if (!this.#putAt.has(index)) this.#putAt.set(index, { key, value });
    return undefined;
  }

  #writeAck(client: string, key: string, value: string, index: number): Violation | undefined {
    const put = this.#putAt.get(index);
    if (!put || put.key !== key || put.value !== value) {
      const there = put ? `${put.key}=${put.value}` : 'nothing';
      return this.#bad(`${client} was told ${key}=${value} committed at ${index}, but ${there} was committed there`);
    }
    this.#raise(key, index);
    return undefined;
  }

  #readDone(readId: string, key: string, value: string | null, index: number): Violation | undefined {
    const p = this.#pending.get(readId);
    if (!p) throw new Error(`linearizability: read ${readId} finished but was never invoked`);
    this.#pending.delete(readId);
    if (p.key !== key) throw new Error(`linearizability: read ${readId} invoked on ${p.key}, finished on ${key}`);
    if (value === null) {
      if (index !== 0) throw new Error(`linearizability: read ${readId} saw no value but index ${index}`);
    } else {
      const put = this.#putAt.get(index);
      if (!put || put.key !== key || put.value !== value) {
        const there = put ? `${put.key}=${put.value}` : 'nothing';
        return this.#bad(`read ${readId} saw ${key}=${value} (index ${index}), but ${there} was committed there: ` +
          'it read data that was never committed');
      }
    }
    if (index < p.required) {
      const saw = value === null ? 'nothing' : `the write at ${index}`;
      return this.#bad(`stale read ${readId} of ${key}: saw ${saw}, but the write at ${p.required} was already ` +
        'acknowledged or read before the read began (§6.4)');
    }
    this.#raise(key, index);
    return undefined;
  }

  #raise(key: string, index: number): void {
    if (index > (this.#known.get(key) ?? 0)) this.#known.set(key, index);
  }

  #bad(message: string): Violation {
    return { checker: this.name, message };
  }
}

export function check(events: readonly SimEvent[]): Violation | undefined {
  return checkHistory(new Linearizability(), events);
}
