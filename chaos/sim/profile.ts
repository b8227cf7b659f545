// A seed's "personality": cluster size, Raft settings, how hostile the network is and
// which faults dominate. Drawing these per seed (rather than fixing one mix) is what lets
// 200 seeds cover both the calm-but-crashy and the partition-storm corners.
import type { RaftLimits } from '../../store/raft/limits.js';
import type { SimLimits } from './limits.js';
import type { Weather } from './network.js';
import type { SimRng } from './rng.js';

export const FAULT_KINDS = [
  'crash', 'crash-leader', 'crash-at-ready', 'partition', 'isolate-leader', 'one-way', 'heal', 'weather',
  'drift', 'pause', 'pause-leader', 'campaign', 'transfer',
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export interface SeedProfile {
  members: number;
  electionTicks: number;
  heartbeatTicks: number;
  preVote: boolean;
  checkQuorum: boolean;
  raftLimits: Partial<RaftLimits>;
  /** Network weather the fault phase starts with (faults change it). */
  weather: Weather;
  /** Worst weather this seed allows when faults change it. */
  stormy: Weather;
  /** A fault fires every [1, faultEveryTicksMax] ticks. */
  faultEveryTicksMax: number;
  faultWeights: Record<FaultKind, number>;
  /** Clock drift: members tick every [min, max] units. */
  tickPeriodUnitsMin: number;
  tickPeriodUnitsMax: number;
  /** Client think time between requests, in ticks. */
  thinkTicksMax: number;
  /** The admin changes membership every [1, adminEveryTicksMax] ticks (0: never). */
  adminEveryTicksMax: number;
}

export function drawProfile(rng: SimRng, limits: SimLimits): SeedProfile {
  const stormy: Weather = {
    dropRate: rng.pick([0, 0.02, 0.05, 0.1, 0.2]),
    dupRate: rng.pick([0, 0.02, 0.05, 0.1]),
    slowRate: rng.pick([0, 0.02, 0.05, 0.15]),
  };
  const weights = {} as Record<FaultKind, number>;
  for (const k of FAULT_KINDS) weights[k] = rng.pick([0, 1, 2, 4]);
  // Crashes at Ready points and leader churn find the most bugs; never let a seed lose them all.
  weights['crash-at-ready'] = Math.max(weights['crash-at-ready'], 2);
  weights['crash-leader'] = Math.max(weights['crash-leader'], 1);
  weights['isolate-leader'] = Math.max(weights['isolate-leader'], 2);
  weights['pause-leader'] = Math.max(weights['pause-leader'], 1);
  weights.heal = Math.max(weights.heal, 1);
  const drift = rng.chance(0.75);
  const electionTicks = rng.range(5, 12);
  return {
    members: rng.range(limits.membersMin, limits.membersMax),
    electionTicks,
    heartbeatTicks: rng.range(1, Math.max(1, Math.floor(electionTicks / 4))),
    preVote: rng.chance(0.7),
    checkQuorum: rng.chance(0.7),
    raftLimits: {
      // One entry per App message splits a new leader's no-op from the older entries it
      // re-replicates: the Figure 8 (§5.4.2) interleavings need that.
      maxMessageBytes: rng.pick([1, 1, 64, 1024 * 1024]),
      maxInflightMessages: rng.pick([1, 2, 8, 256]),
      maxCommittedEntriesPerReady: rng.pick([1, 4, 4096]),
    },
    weather: rng.chance(0.5) ? { dropRate: 0, dupRate: 0, slowRate: 0 } : { ...stormy },
    stormy,
    faultEveryTicksMax: rng.pick([2, 3, 5, 10, 20]),
    faultWeights: weights,
    tickPeriodUnitsMin: drift ? limits.tickPeriodUnitsMin : limits.unitsPerTick,
    tickPeriodUnitsMax: drift ? limits.tickPeriodUnitsMax : limits.unitsPerTick,
    thinkTicksMax: rng.pick([0, 1, 3, 8]),
    adminEveryTicksMax: rng.pick([0, 40, 100, 200]),
  };
}

export function describeProfile(p: SeedProfile): string {
  const w = (x: Weather) => `drop ${x.dropRate} dup ${x.dupRate} slow ${x.slowRate}`;
  const faults = Object.entries(p.faultWeights).filter(([, v]) => v > 0).map(([k, v]) => `${k}:${v}`).join(' ');
  return `${p.members} members, election ${p.electionTicks}/heartbeat ${p.heartbeatTicks} ticks, ` +
    `preVote ${p.preVote}, checkQuorum ${p.checkQuorum}, maxMessageBytes ${p.raftLimits.maxMessageBytes}, ` +
    `inflight ${p.raftLimits.maxInflightMessages}; storm: ${w(p.stormy)}; fault every <=${p.faultEveryTicksMax} ticks ` +
    `[${faults}]; clock period ${p.tickPeriodUnitsMin}-${p.tickPeriodUnitsMax} units`;
}
