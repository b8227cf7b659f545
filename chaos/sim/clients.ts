// The simulated clients: writers (puts of unique values through a §6.3 session, retried
// with the same seq until acknowledged), readers (linearizable reads by ReadIndex, §6.4:
// ask a member for a read index, wait until it has applied that far, read its KV) and one
// admin changing membership (add a learner, promote it, remove a voter; never below
// `votersMin` voters). A client learns an outcome only from the member it asked, as a real
// client of an etcd member does.
import type { ConfChange, NodeId, ReadState } from '../../store/raft/types.js';
import { ConfChangeType } from '../../store/raft/types.js';
import type { SimEvent } from './events.js';
import { encodePut, encodeSession, type ApplyOutcome } from './kv.js';
import type { SimLimits } from './limits.js';
import type { Member } from './member.js';
import type { SimRng } from './rng.js';

/** What clients need from the simulation. */
export interface ClientHost {
  readonly rng: SimRng;
  readonly limits: SimLimits;
  /** True while clients may start new requests (the fault phase); retries never stop. */
  accepting(): boolean;
  /** A member to send a request to: the believed leader or any live one. */
  pickTarget(): Member | undefined;
  emit(e: SimEvent): void;
  /** Runs `f` after `delayUnits`; f returns whether it did anything (counts as a step). */
  later(delayUnits: number, f: () => boolean): void;
  /** Admin hooks: start a brand-new empty member; retire a removed one for good. */
  createMember(): Member | undefined;
  retireMember(id: NodeId): void;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Base for a client that has at most one request in flight and one timer. */
abstract class Client {
  /** Bumped whenever the client re-plans, so older timers fire as no-ops. */
  #timer = 0;
  constructor(readonly id: string, protected readonly host: ClientHost) {}

  protected wake(delayTicks: number, f: () => boolean): void {
    const token = ++this.#timer;
    const units = Math.max(1, Math.round(delayTicks * this.host.limits.unitsPerTick));
    this.host.later(units, () => token === this.#timer && f());
  }

  protected think(): number {
    return this.host.rng.float() * 2;
  }
}

interface PendingWrite {
  seq: number;
  key: string;
  value: string;
  target: NodeId;
}

export class Writer extends Client {
  #seq = 0;
  pending: PendingWrite | undefined;
  acked = 0;

  start(thinkTicksMax: number): void {
    this.wake(this.host.rng.float() * (thinkTicksMax + 1), () => this.#next(thinkTicksMax));
  }

  #next(thinkTicksMax: number): boolean {
    if (!this.pending) {
      if (!this.host.accepting()) return false;
      const seq = ++this.#seq;
      this.pending = { seq, key: `k${this.host.rng.int(this.host.limits.keys)}`, value: `${this.id}.${seq}`, target: '' };
    }
    return this.#send(thinkTicksMax);
  }

  #send(thinkTicksMax: number): boolean {
    const p = this.pending as PendingWrite;
    const target = this.host.pickTarget();
    const retry = () => this.#send(thinkTicksMax);
    if (!target) {
      this.wake(1 + this.think(), retry);
      return false;
    }
    p.target = target.id;
    // §6.3: the session already holds our seq: the cluster answers from it.
    const s = target.up ? target.sm.session(this.id) : undefined;
    if (s && s.seq === p.seq) {
      this.#ack(s.index, thinkTicksMax);
      return true;
    }
    const r = target.propose(encodePut({ c: this.id, s: p.seq, k: p.key, v: p.value }));
    if (this.pending !== p) return true; // acknowledged while proposing (the member applied at once)
    this.wake(r.ok ? this.host.limits.requestTimeoutTicks : 1 + this.think(), retry);
    return true;
  }

  onApplied(member: Member, outcome: ApplyOutcome | undefined, thinkTicksMax: number): void {
    const p = this.pending;
    if (!p || member.id !== p.target) return;
    if (outcome === undefined) {
      const s = member.sm.session(this.id);
      if (s && s.seq === p.seq) this.#ack(s.index, thinkTicksMax);
    } else if (outcome.kind === 'put' && outcome.put.c === this.id && outcome.put.s === p.seq && outcome.index > 0) {
      this.#ack(outcome.index, thinkTicksMax);
    }
  }

  #ack(index: number, thinkTicksMax: number): void {
    const p = this.pending as PendingWrite;
    this.pending = undefined;
    this.acked++;
    this.host.emit({ kind: 'write-ack', client: this.id, key: p.key, value: p.value, index });
    this.wake(this.host.rng.float() * thinkTicksMax, () => this.#next(thinkTicksMax));
  }
}

interface PendingRead {
  readId: string;
  key: string;
  target: NodeId;
  /** Set when the member's Ready carried our ReadState. */
  index: number | undefined;
}

export class Reader extends Client {
  #n = 0;
  /** A read was started and none has completed since (retries included). */
  #owes = false;
  pending: PendingRead | undefined;
  done = 0;

  start(thinkTicksMax: number): void {
    this.wake(this.host.rng.float() * (thinkTicksMax + 1), () => this.#next(thinkTicksMax));
  }

  /** A read that fails or times out is abandoned; the next one is a new operation. */
  #next(thinkTicksMax: number): boolean {
    this.pending = undefined;
    // A reader that owes a result keeps retrying after the fault phase, until one read completes.
    if (!this.host.accepting() && !this.#owes) return false;
    const target = this.host.pickTarget();
    const again = () => this.#next(thinkTicksMax);
    if (!target) {
      this.wake(1 + this.think(), again);
      return false;
    }
    const readId = `${this.id}.${++this.#n}`;
    const key = `k${this.host.rng.int(this.host.limits.keys)}`;
    this.#owes = true;
    this.pending = { readId, key, target: target.id, index: undefined };
    this.host.emit({ kind: 'read-invoke', readId, key });
    this.wake(this.host.limits.requestTimeoutTicks, again);
    const r = target.readIndex(encoder.encode(readId));
    if (!r.ok && this.pending?.readId === readId) this.wake(1 + this.think(), again);
    return true;
  }

  onReadState(member: Member, rs: ReadState, thinkTicksMax: number): void {
    const p = this.pending;
    if (!p || p.target !== member.id || decoder.decode(rs.context) !== p.readId) return;
    p.index = rs.index;
    this.tryFinish(member, thinkTicksMax);
  }

  /** §6.4 step 4: serve the read once the state machine has applied up to the read index. */
  tryFinish(member: Member, thinkTicksMax: number): void {
    const p = this.pending;
    if (!p || p.index === undefined || p.target !== member.id || member.sm.applied < p.index) return;
    const got = member.sm.get(p.key);
    this.pending = undefined;
    this.done++;
    this.#owes = false;
    this.host.emit({ kind: 'read-done', readId: p.readId, key: p.key, value: got?.value ?? null, index: got?.index ?? 0 });
    this.wake(this.host.rng.float() * thinkTicksMax, () => this.#next(thinkTicksMax));
  }

  /** The member it waits on crashed: the connection broke, try again elsewhere. */
  onCrash(member: Member, thinkTicksMax: number): void {
    if (this.pending?.target !== member.id) return;
    this.pending = undefined;
    this.wake(1 + this.think(), () => this.#next(thinkTicksMax));
  }

  get waiting(): boolean {
    return this.#owes;
  }
}

interface PendingConf {
  seq: number;
  cc: ConfChange;
  target: NodeId;
}

/** Changes membership one server at a time (thesis §4.1), waiting for each change to apply. */
export class Admin extends Client {
  #seq = 0;
  pending: PendingConf | undefined;
  readonly voters: Set<NodeId>;
  readonly learners = new Set<NodeId>();
  changes = 0;

  constructor(host: ClientHost, voters: readonly NodeId[], private readonly everyTicksMax: number) {
    super('admin', host);
    this.voters = new Set(voters);
  }

  start(): void {
    if (this.everyTicksMax > 0) this.wake(this.#interval(), () => this.#next());
  }

  #interval(): number {
    return 1 + this.host.rng.float() * this.everyTicksMax;
  }

  #next(): boolean {
    if (!this.pending) {
      if (!this.host.accepting()) return false;
      const cc = this.#decide();
      if (!cc) {
        this.wake(this.#interval(), () => this.#next());
        return false;
      }
      cc.context = encodeSession({ c: this.id, s: ++this.#seq });
      this.pending = { seq: this.#seq, cc, target: '' };
    }
    return this.#send();
  }

  #decide(): ConfChange | undefined {
    const { limits, rng } = this.host;
    const [learner] = this.learners;
    if (learner !== undefined) return { type: ConfChangeType.AddNode, nodeId: learner };
    const size = this.voters.size + this.learners.size;
    if (size < limits.membersLiveMax && (this.voters.size <= limits.votersMin || rng.chance(0.5))) {
      const m = this.host.createMember();
      if (m) return { type: ConfChangeType.AddLearner, nodeId: m.id };
    }
    if (this.voters.size > limits.votersMin) {
      return { type: ConfChangeType.RemoveNode, nodeId: rng.pick([...this.voters]) };
    }
    return undefined;
  }

  #send(): boolean {
    const p = this.pending as PendingConf;
    const target = this.host.pickTarget();
    const retry = () => this.#send();
    if (!target) {
      this.wake(1 + this.think(), retry);
      return false;
    }
    p.target = target.id;
    const s = target.up ? target.sm.session(this.id) : undefined;
    if (s && s.seq === p.seq) {
      this.#ack();
      return true;
    }
    const r = target.proposeConfChange(p.cc);
    if (this.pending !== p) return true;
    this.wake(r.ok ? this.host.limits.requestTimeoutTicks : 2 + this.think(), retry);
    return true;
  }

  onApplied(member: Member, outcome: ApplyOutcome | undefined): void {
    const p = this.pending;
    if (!p || member.id !== p.target) return;
    if (outcome === undefined) {
      const s = member.sm.session(this.id);
      if (s && s.seq === p.seq) this.#ack();
    } else if (outcome.kind === 'conf' && outcome.session?.c === this.id && outcome.session.s === p.seq
      && outcome.index > 0) {
      this.#ack();
    }
  }

  #ack(): void {
    const { cc } = this.pending as PendingConf;
    this.pending = undefined;
    this.changes++;
    if (cc.type === ConfChangeType.AddLearner) this.learners.add(cc.nodeId);
    if (cc.type === ConfChangeType.AddNode) {
      this.learners.delete(cc.nodeId);
      this.voters.add(cc.nodeId);
    }
    if (cc.type === ConfChangeType.RemoveNode) {
      this.voters.delete(cc.nodeId);
      this.learners.delete(cc.nodeId);
      this.host.retireMember(cc.nodeId);
    }
    this.wake(this.#interval(), () => this.#next());
  }
}
