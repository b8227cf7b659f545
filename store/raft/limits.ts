// Every bound of the consensus core in one place, with its unit in its name.
// A driver may pass its own (the store takes some from flags); these are the defaults.

export interface RaftLimits {
  /** Most bytes of entry data in one App message (one message may still carry one larger entry). */
  maxMessageBytes: number;
  /** Most App messages in flight to one follower in the replicate state (pipelining). */
  maxInflightMessages: number;
  /** Most bytes of entry data in flight to one follower. */
  maxInflightBytes: number;
  /** Most bytes of proposed-but-uncommitted entry data the leader accepts (back-pressure). */
  maxUncommittedBytes: number;
  /** Most bytes of committed entries handed to the driver in one Ready. */
  maxCommittedBytesPerReady: number;
  /** Most committed entries handed to the driver in one Ready. */
  maxCommittedEntriesPerReady: number;
  /** Most ReadIndex requests waiting on one leader (beyond this they are refused). */
  maxPendingReads: number;
  /** Most proposals in one Prop message forwarded by a follower. */
  maxEntriesPerProposal: number;
}

export const DEFAULT_LIMITS: Readonly<RaftLimits> = Object.freeze({
  maxMessageBytes: 1024 * 1024,
  maxInflightMessages: 256,
  maxInflightBytes: 32 * 1024 * 1024,
  maxUncommittedBytes: 64 * 1024 * 1024,
  maxCommittedBytesPerReady: 16 * 1024 * 1024,
  maxCommittedEntriesPerReady: 4096,
  maxPendingReads: 65536,
  maxEntriesPerProposal: 4096,
});
