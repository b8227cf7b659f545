// A small in-memory cluster for the core's unit and scenario tests and the core bench:
// synchronous delivery, links that can be cut, and a record of every message so tests
// read like transcripts. The fault-injecting simulator lives in chaos/sim.
import { MemoryStorage } from '../memory-storage.js';
import { decodeConfChange, RaftNode } from '../node.js';
import {
  type Config, type ConfState, type Entry, EntryType, type Message, type NodeId, type ReadState, type Rng,
} from '../types.js';

/** A deterministic RNG (mulberry32) so tests replay. */
export function seededRng(seed: number): Rng {
  let a = seed >>> 0;
  return {
    int(n: number): number {
      a = (a + 0x6d2b79f5) >>> 0;
      let t = a;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      const r = ((t ^ (t >>> 14)) >>> 0) / 4294967296;
      return Math.floor(r * n);
    },
  };
}

export interface Member {
  id: NodeId;
  node: RaftNode;
  storage: MemoryStorage;
  applied: Entry[];
  readStates: ReadState[];
  confState: ConfState;
}

export interface ClusterOptions {
  electionTicks?: number;
  heartbeatTicks?: number;
  seed?: number;
  config?: Partial<Config>;
  /** Initial durable log/state per member (for scenario tests). */
  storages?: Record<NodeId, MemoryStorage>;
}

const enc = new TextEncoder();
const dec = new TextDecoder();
export const text = (s: string): Uint8Array => enc.encode(s);
export const untext = (b: Uint8Array): string => dec.decode(b);

export class TestCluster {
  readonly members = new Map<NodeId, Member>();
  /** Every message delivered (or dropped), in order, for transcripts. */
  readonly sent: Message[] = [];
  #queue: Message[] = [];
  #cut = new Set<string>();
  readonly #opts: ClusterOptions;

  constructor(voters: NodeId[], opts: ClusterOptions = {}) {
    this.#opts = opts;
    for (const id of voters) {
      const storage = opts.storages?.[id] ?? MemoryStorage.bootstrap(voters);
      this.add(id, storage);
    }
    // Apply the bootstrap membership entries, as a real member does on its first Ready.
    this.stabilize();
  }

  /** Start (or restart) a member on the given storage. */
  add(id: NodeId, storage: MemoryStorage, applied?: number): Member {
    const node = new RaftNode({
      id, storage, rng: seededRng((this.#opts.seed ?? 1) * 7919 + id.charCodeAt(0)),
      electionTicks: this.#opts.electionTicks ?? 10, heartbeatTicks: this.#opts.heartbeatTicks ?? 1,
      ...(applied !== undefined ? { applied } : {}), ...this.#opts.config,
    });
    const m: Member = { id, node, storage, applied: [], readStates: [], confState: storage.initialState().confState };
    this.members.set(id, m);
    return m;
  }

  member(id: NodeId): Member {
    const m = this.members.get(id);
    if (!m) throw new Error(`no member ${id}`);
    return m;
  }

  cut(a: NodeId, b: NodeId): void {
    this.#cut.add(`${a}>${b}`).add(`${b}>${a}`);
  }

  isolate(id: NodeId): void {
    for (const other of this.members.keys()) if (other !== id) this.cut(id, other);
  }

  heal(): void {
    this.#cut.clear();
  }

  /** Run the Ready loop of one member: send, persist, apply, advance (types.ts Ready). */
  processReady(id: NodeId): boolean {
    const m = this.member(id);
    let any = false;
    while (m.node.hasReady()) {
      any = true;
      const rd = m.node.ready();
      this.#queue.push(...rd.messages);
      if (rd.snapshot) m.storage.applySnapshot(rd.snapshot);
      if (rd.entries.length > 0) m.storage.append(rd.entries);
      if (rd.hardState) m.storage.setHardState(rd.hardState);
      this.#queue.push(...rd.messagesAfterPersist);
      if (rd.snapshot) m.confState = rd.snapshot.metadata.confState;
      for (const e of rd.committedEntries) {
        if (e.type === EntryType.ConfChange) m.confState = m.node.applyConfChange(decodeConfChange(e.data));
        m.applied.push(e);
      }
      m.readStates.push(...rd.readStates);
      m.node.advance(rd);
    }
    return any;
  }

  /** Messages sent and not yet delivered. */
  pending(): readonly Message[] {
    return this.#queue;
  }

  /**
   * One round: deliver every queued message (dropping those on cut links), then run every
   * member's Ready loop, which queues the next round. For step-by-step transcripts.
   */
  deliverRound(): { delivered: Message[]; dropped: Message[] } {
    const batch = this.#queue;
    this.#queue = [];
    const delivered: Message[] = [];
    const dropped: Message[] = [];
    for (const msg of batch) {
      this.sent.push(msg);
      const to = this.members.get(msg.to);
      if (!to || this.#cut.has(`${msg.from}>${msg.to}`)) {
        dropped.push(msg);
        continue;
      }
      delivered.push(msg);
      to.node.step(msg);
    }
    for (const id of this.members.keys()) this.processReady(id);
    return { delivered, dropped };
  }

  /** Deliver messages until nothing moves (bounded); returns the messages delivered. */
  stabilize(maxSteps = 100_000): Message[] {
    const delivered: Message[] = [];
    for (let step = 0; step < maxSteps; step++) {
      let moved = false;
      for (const id of this.members.keys()) moved = this.processReady(id) || moved;
      const batch = this.#queue;
      this.#queue = [];
      for (const msg of batch) {
        moved = true;
        this.sent.push(msg);
        const to = this.members.get(msg.to);
        if (!to || this.#cut.has(`${msg.from}>${msg.to}`)) continue;
        delivered.push(msg);
        to.node.step(msg);
      }
      if (!moved) return delivered;
    }
    throw new Error(`cluster did not stabilize within ${maxSteps} steps`);
  }

  tick(ids: NodeId[] = [...this.members.keys()], times = 1): void {
    for (let t = 0; t < times; t++) {
      for (const id of ids) this.member(id).node.tick();
      this.stabilize();
    }
  }

  campaign(id: NodeId): Message[] {
    this.member(id).node.campaign();
    return this.stabilize();
  }

  leader(): NodeId | undefined {
    for (const [id, m] of this.members) if (m.node.status().role === 'leader') return id;
    return undefined;
  }

  appliedData(id: NodeId): string[] {
    return this.member(id).applied
      .filter((e) => e.data.length > 0 && e.type === EntryType.Normal)
      .map((e) => untext(e.data));
  }
}

/** One line per message, for transcripts: `1→2 App t2 i5/lt2 [6@2,7@2] c5`. */
export function describeMessage(m: Message): string {
  const parts = [`${m.from}→${m.to} ${m.type} t${m.term}`];
  switch (m.type) {
    case 'App':
      parts.push(`i${m.index}/lt${m.logTerm}`, `[${m.entries.map((e) => `${e.index}@${e.term}`).join(',')}]`, `c${m.commit}`);
      break;
    case 'AppResp':
      parts.push(m.reject ? `reject i${m.index} hint${m.rejectHint}/lt${m.logTerm}` : `i${m.index}`);
      break;
    case 'Vote':
    case 'PreVote':
      parts.push(`last ${m.index}@${m.logTerm}`);
      break;
    case 'VoteResp':
    case 'PreVoteResp':
      parts.push(m.reject ? 'reject' : 'grant');
      break;
    case 'Heartbeat':
      parts.push(`c${m.commit}`);
      break;
    case 'Snap':
      parts.push(`snap ${m.snapshot?.metadata.index}@${m.snapshot?.metadata.term}`);
      break;
    default:
      break;
  }
  return parts.join(' ');
}

/** Build a durable log from "term per index" (index 1..n), e.g. [1,1,1,4,4,5,5,6,6,6]. */
export function storageWithTerms(terms: number[], voters: NodeId[], hardTerm?: number): MemoryStorage {
  const entries: Entry[] = terms.map((term, i) => ({
    term, index: i + 1, type: EntryType.Normal, data: text(`e${i + 1}@${term}`),
  }));
  const s = new MemoryStorage({ confState: { voters, learners: [] }, entries });
  s.setHardState({ term: hardTerm ?? terms[terms.length - 1] ?? 0, vote: '', commit: 0 });
  return s;
}
