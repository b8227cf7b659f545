// What the simulator tells the checkers. Each checker consumes the events it cares about,
// keeps its own small incremental state and returns a Violation or nothing. Events are
// plain data so a test can hand-write a known-bad history.
import type { NodeId } from '../../store/raft/types.js';

/** A read-only view of one member's log, enough to ask "do you hold entry i of term t?". */
export interface LogView {
  /** First index the log still holds; entries before it were compacted into a snapshot. */
  firstIndex: number;
  /** Term of entry i, or undefined if this log does not hold it (compacted or past the end). */
  termAt(i: number): number | undefined;
}

export type SimEvent =
  /** `member` acts as leader of `term` (seen in status() or a Ready's softState). */
  | { kind: 'leader'; member: NodeId; term: number; log: LogView }
  /**
   * `member` made entries durable. `prevTerm` is the term of the entry just before the first
   * one in its durable log after the append (0 at the start of the log).
   */
  | { kind: 'persist'; member: NodeId; prevTerm: number; entries: readonly EntryDigest[];
      /** Durable entries this append replaced (a conflicting suffix, §5.3); 0 for a pure append. */
      replaced: number;
      /** The term the member was leading when it persisted, 0 if it was not a leader. */
      leaderTerm: number }
  /** `member` applied the committed entry at `index` (every entry, no-ops included). */
  | { kind: 'apply'; member: NodeId; index: number; term: number; dataHash: number; chainHash: number;
      /** The member's current term when it applied: the entry was committed in a term <= this. */
      memberTerm: number;
      /** The member's commit index when it applied (Figure 2: apply only up to commitIndex). */
      commit: number }
  /** `member` replaced its state machine with a snapshot taken at `index`. */
  | { kind: 'apply-snapshot'; member: NodeId; index: number; term: number; chainHash: number }
  /** `member` restarted from durable state with this applied index. */
  | { kind: 'restart'; member: NodeId; applied: number }
  /**
   * `member` sent a message that promises durable state (Figure 2: "updated on stable storage
   * before responding to RPCs"): a vote request, a vote or an append acknowledgement.
   */
  | { kind: 'reply'; member: NodeId; type: 'Vote' | 'VoteResp' | 'AppResp'; to: NodeId; term: number; index: number;
      reject: boolean;
      /** The member's durable hard state when the message left. */
      durableTerm: number; durableVote: NodeId;
      /** AppResp: the member's durable log held entry `index` (as its current log has it) when the message left. */
      indexDurable: boolean }
  /** A client's put was applied for the first time (not a retried duplicate) at `index`. */
  | { kind: 'put-applied'; index: number; key: string; value: string }
  /** A client learned its put is done: it was applied at `index`. */
  | { kind: 'write-ack'; client: string; key: string; value: string; index: number }
  /** A linearizable read of `key` began (the client called ReadIndex). */
  | { kind: 'read-invoke'; readId: string; key: string }
  /** A read finished: it saw `value`, written at log index `index` (null and 0: key absent). */
  | { kind: 'read-done'; readId: string; key: string; value: string | null; index: number };

/** An entry as the log-matching checker needs it: position, term and a hash of its bytes. */
export interface EntryDigest {
  index: number;
  term: number;
  dataHash: number;
}

export interface Violation {
  /** Which checker (or 'liveness', 'core-threw') saw it. */
  checker: string;
  message: string;
}

/** One incremental safety checker. */
export interface Checker {
  readonly name: string;
  /** Feed one event; returns a violation if the history so far is unsafe. */
  observe(event: SimEvent): Violation | undefined;
}

/** Feeds a whole history to a fresh checker; the first violation, or undefined. */
export function checkHistory(checker: Checker, events: readonly SimEvent[]): Violation | undefined {
  for (const e of events) {
    const v = checker.observe(e);
    if (v) return v;
  }
  return undefined;
}

/** A LogView over a plain array of terms: terms[i] is the term of entry i (tests). */
export function logOf(terms: readonly (number | undefined)[], firstIndex = 1): LogView {
  return { firstIndex, termAt: (i) => (i >= firstIndex ? terms[i] : undefined) };
}
