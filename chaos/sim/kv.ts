// The replicated state machine each simulated member runs: a tiny KV store with client
// sessions (Raft thesis §6.3) so a retried request takes effect once. It is persisted
// together with its applied index, like etcd's consistent index, so a restarting member
// tells the core where to resume (Config.applied) and never applies an entry twice.
import type { ConfChange, ConfState, Entry } from '../../store/raft/types.js';
import { EntryType } from '../../store/raft/types.js';
import { HASH_SEED, hashBytes, hashInts } from './hash.js';
import { copyConf } from './disk.js';

/** A client's put: session (client, seq), key, value. Values are unique across the run. */
export interface PutCommand {
  c: string;
  s: number;
  k: string;
  v: string;
}

/** The session a conf change proposal carries in ConfChange.context. */
export interface ConfSession {
  c: string;
  s: number;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function encodePut(cmd: PutCommand): Uint8Array {
  return encoder.encode(JSON.stringify(cmd));
}

export function decodePut(data: Uint8Array): PutCommand {
  const o = JSON.parse(decoder.decode(data)) as Partial<PutCommand>;
  if (typeof o.c !== 'string' || typeof o.s !== 'number' || typeof o.k !== 'string' || typeof o.v !== 'string') {
    throw new Error(`kv: entry data is not a put: ${decoder.decode(data)}`);
  }
  return o as PutCommand;
}

export function encodeSession(s: ConfSession): Uint8Array {
  return encoder.encode(JSON.stringify(s));
}

export function decodeSession(data: Uint8Array | undefined): ConfSession | undefined {
  if (!data || data.length === 0) return undefined;
  const o = JSON.parse(decoder.decode(data)) as Partial<ConfSession>;
  if (typeof o.c !== 'string' || typeof o.s !== 'number') return undefined;
  return o as ConfSession;
}

export interface Stored {
  value: string;
  /** Log index of the put that wrote it. */
  index: number;
}

export type ApplyOutcome =
  | { kind: 'noop' }
  /** `fresh`: first time this session seq took effect; `index`: where it took effect. */
  | { kind: 'put'; put: PutCommand; fresh: boolean; index: number }
  | { kind: 'conf'; cc: ConfChange; session: ConfSession | undefined; fresh: boolean; index: number };

interface Session {
  seq: number;
  index: number;
}

interface Image {
  applied: number;
  appliedTerm: number;
  chainHash: number;
  conf: ConfState;
  data: [string, string, number][];
  sessions: [string, number, number][];
}

export class KvStateMachine {
  applied = 0;
  appliedTerm = 0;
  /** h_i = H(h_{i-1}, index, term, type, data): names the applied history, for state-machine safety. */
  chainHash = HASH_SEED;
  confState: ConfState = { voters: [], learners: [] };
  readonly #data = new Map<string, Stored>();
  readonly #sessions = new Map<string, Session>();

  get(key: string): Stored | undefined {
    return this.#data.get(key);
  }

  /** The session's last request that took effect, if any (seq and where). */
  session(client: string): Session | undefined {
    return this.#sessions.get(client);
  }

  /**
   * Applies one committed entry. Conf changes are decoded by the caller (`decodeCc`) and
   * handed to the core through `applyConf` only when they take effect; a retried duplicate
   * is skipped on every member alike, so the cores' configurations never diverge.
   */
  applyEntry(e: Entry, decodeCc: (data: Uint8Array) => ConfChange, applyConf: (cc: ConfChange) => ConfState):
    ApplyOutcome {
    const dataHash = hashBytes(e.data);
    this.chainHash = hashInts(this.chainHash, e.index, e.term, e.type, dataHash);
    this.applied = e.index;
    this.appliedTerm = e.term;
    if (e.type === EntryType.ConfChange) {
      const cc = decodeCc(e.data);
      const session = decodeSession(cc.context);
      const taken = session ? this.#takeSession(session.c, session.s, e.index) : { fresh: true, index: e.index };
      if (taken.fresh) this.confState = copyConf(applyConf(cc));
      return { kind: 'conf', cc, session, ...taken };
    }
    // §8: a new leader's empty entry carries no command.
    if (e.data.length === 0) return { kind: 'noop' };
    const put = decodePut(e.data);
    const taken = this.#takeSession(put.c, put.s, e.index);
    if (taken.fresh) this.#data.set(put.k, { value: put.v, index: e.index });
    return { kind: 'put', put, ...taken };
  }

  /** §6.3: a request takes effect only if its seq is newer than the session's last one. */
  #takeSession(client: string, seq: number, index: number): { fresh: boolean; index: number } {
    const s = this.#sessions.get(client);
    if (s && seq <= s.seq) return { fresh: false, index: seq === s.seq ? s.index : 0 };
    this.#sessions.set(client, { seq, index });
    return { fresh: true, index };
  }

  image(): Uint8Array {
    const img: Image = {
      applied: this.applied,
      appliedTerm: this.appliedTerm,
      chainHash: this.chainHash,
      conf: this.confState,
      data: [...this.#data].map(([k, v]) => [k, v.value, v.index]),
      sessions: [...this.#sessions].map(([c, s]) => [c, s.seq, s.index]),
    };
    return encoder.encode(JSON.stringify(img));
  }

  static fromImage(bytes: Uint8Array): KvStateMachine {
    const img = JSON.parse(decoder.decode(bytes)) as Image;
    const sm = new KvStateMachine();
    sm.applied = img.applied;
    sm.appliedTerm = img.appliedTerm;
    sm.chainHash = img.chainHash;
    sm.confState = copyConf(img.conf);
    for (const [k, value, index] of img.data) sm.#data.set(k, { value, index });
    for (const [c, seq, index] of img.sessions) sm.#sessions.set(c, { seq, index });
    return sm;
  }
}
