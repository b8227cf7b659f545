// Every bound of the simulator in one place, unit last in the name. Simulated time runs
// in "units": a member whose clock is exact ticks once every `unitsPerTick` units; clock
// drift stretches or shrinks that period per member.

export interface SimLimits {
  /** Simulated time units in one nominal tick (an exact clock). */
  unitsPerTick: number;
  /** Fastest and slowest member clock: a member ticks every [min, max] units (drift). */
  tickPeriodUnitsMin: number;
  tickPeriodUnitsMax: number;
  /** Normal one-way network delay range, in units. */
  delayUnitsMin: number;
  delayUnitsMax: number;
  /** A "slow" message (congestion, retransmit) is delayed up to this long; it reorders. */
  slowDelayUnitsMax: number;
  /** Most messages in flight in the whole network; beyond it new sends are dropped. */
  maxInflightMessages: number;
  /** Initial cluster size. */
  membersMin: number;
  membersMax: number;
  /** Membership changes keep at least this many voters (a lone minority never decides). */
  votersMin: number;
  /** ... and at most this many voters plus learners. */
  membersLiveMax: number;
  /** Distinct member ids one run may create (ids are never reused, as in etcd). */
  membersEverMax: number;
  /**
   * Most Ready batches handled after one input before we call the core runaway. Generous:
   * with maxCommittedEntriesPerReady = 1 a catching-up member legitimately needs one Ready
   * per committed entry.
   */
  maxReadyRoundsPerEvent: number;
  /** Concurrent writing clients and reading clients. */
  writers: number;
  readers: number;
  /** Distinct keys; few keys means reads and writes collide, which is the point. */
  keys: number;
  /** A client gives up on a request and retries (same session seq) after this long. */
  requestTimeoutTicks: number;
  /** After the fault phase: a stable leader and every pending request done within this. */
  livenessTicksMax: number;
  /** Most simulated ticks one fault phase may last, whatever the step budget. */
  faultPhaseTicksMax: number;
  /** Members snapshot + compact every [min, max] applied entries. */
  snapshotEveryEntriesMin: number;
  snapshotEveryEntriesMax: number;
  /** Entries kept behind a snapshot so slightly-lagging followers catch up from the log. */
  compactKeepEntriesMax: number;
  /** A crashed member stays down this long: short (restart loop) or long. */
  downTicksShortMax: number;
  downTicksLongMax: number;
  /** A partition or one-way cut lasts up to this long before it heals on its own. */
  partitionTicksMax: number;
  /** A paused member (GC pause, SIGSTOP) stays frozen up to this long. */
  pauseTicksMax: number;
}

export const DEFAULT_SIM_LIMITS: Readonly<SimLimits> = Object.freeze({
  unitsPerTick: 10,
  tickPeriodUnitsMin: 5,
  tickPeriodUnitsMax: 18,
  delayUnitsMin: 1,
  delayUnitsMax: 8,
  slowDelayUnitsMax: 120,
  maxInflightMessages: 20_000,
  membersMin: 3,
  membersMax: 5,
  votersMin: 3,
  membersLiveMax: 6,
  membersEverMax: 12,
  maxReadyRoundsPerEvent: 4096,
  writers: 3,
  readers: 3,
  keys: 4,
  requestTimeoutTicks: 40,
  livenessTicksMax: 400,
  faultPhaseTicksMax: 1_000_000,
  snapshotEveryEntriesMin: 8,
  snapshotEveryEntriesMax: 60,
  compactKeepEntriesMax: 12,
  downTicksShortMax: 6,
  downTicksLongMax: 80,
  partitionTicksMax: 120,
  pauseTicksMax: 40,
});

/**
 * Default fault-phase steps per seed: `--seeds 200` (12M steps) takes ~30 s on an idle 2-core
 * machine and stays under two minutes with the cores shared.
 */
export const DEFAULT_STEPS_PER_SEED = 60_000;
