// The fault schedule of the safety phase. Every few ticks the seed picks one fault, by the
// seed's weights: crashes (anywhere, of the leader, or at a Ready crash point), partitions
// of every shape (one member cut off, the leader cut off, majority/minority, random groups,
// a bridge member that sees both sides), one-way links, network weather, clock drift,
// process pauses, forced elections and leadership transfers. Frequent leader churn is the
// point: most Raft bugs need an old leader's leftovers to meet a new leader.
import type { NodeId } from '../../store/raft/types.js';
import type { SimLimits } from './limits.js';
import { CRASH_STAGES, type Member } from './member.js';
import type { Network } from './network.js';
import { FAULT_KINDS, type FaultKind, type SeedProfile } from './profile.js';
import type { SimRng } from './rng.js';

export interface FaultHost {
  readonly rng: SimRng;
  readonly limits: SimLimits;
  readonly network: Network;
  readonly profile: SeedProfile;
  /** Members that are not removed (up or down), in creation order. */
  live(): Member[];
  leader(): Member | undefined;
  crash(m: Member): void;
  pause(m: Member, ticks: number): void;
  /** Heal every partition after `ticks`. */
  healLater(ticks: number): void;
  count(kind: FaultKind, detail?: string): void;
}

/** Crash points, weighted toward after-send: the one only a crash can expose (reply-before-persist). */
const STAGE_WEIGHTS = [1, 4, 2, 1];

export function injectFault(h: FaultHost): void {
  const kind = FAULT_KINDS[h.rng.weighted(FAULT_KINDS.map((k) => h.profile.faultWeights[k]))] as FaultKind;
  const detail = runFault(h, kind);
  if (detail !== undefined) h.count(kind, detail);
}

/** Performs one fault; returns a description of what it did, or undefined if it did nothing. */
function runFault(h: FaultHost, kind: FaultKind): string | undefined {
  const { rng } = h;
  const live = h.live();
  const up = live.filter((m) => m.up);
  const ids = live.map((m) => m.id);
  switch (kind) {
    case 'crash': return crash(h, up.length > 0 ? rng.pick(up) : undefined);
    case 'crash-leader': return crash(h, h.leader());
    case 'crash-at-ready': {
      const target = rng.chance(0.5) ? h.leader() : (up.length > 0 ? rng.pick(up) : undefined);
      if (!target) return undefined;
      target.crashArmed = CRASH_STAGES[rng.weighted(STAGE_WEIGHTS)];
      return `${target.id} at ${target.crashArmed}`;
    }
    case 'partition': return partition(h, ids);
    case 'isolate-leader': {
      const l = h.leader();
      if (!l) return undefined;
      h.network.partition([[l.id], ids.filter((id) => id !== l.id)]);
      return `${l.id} ${healLater(h)}`;
    }
    case 'one-way': return oneWay(h, ids);
    case 'heal':
      h.network.heal();
      return '';
    case 'weather': {
      const s = h.profile.stormy;
      const w = rng.chance(0.3)
        ? { dropRate: 0, dupRate: 0, slowRate: 0 }
        : { dropRate: rng.float() * s.dropRate, dupRate: rng.float() * s.dupRate, slowRate: rng.float() * s.slowRate };
      h.network.weather = w;
      return `drop ${w.dropRate.toFixed(3)} dup ${w.dupRate.toFixed(3)} slow ${w.slowRate.toFixed(3)}`;
    }
    case 'drift': {
      if (live.length === 0) return undefined;
      const m = rng.pick(live);
      m.tickPeriodUnits = rng.range(h.profile.tickPeriodUnitsMin, h.profile.tickPeriodUnitsMax);
      return `${m.id} ticks every ${m.tickPeriodUnits} units`;
    }
    case 'pause':
    case 'pause-leader': {
      const m = kind === 'pause-leader' ? h.leader() : (up.length > 0 ? rng.pick(up) : undefined);
      if (!m) return undefined;
      const ticks = rng.range(1, h.limits.pauseTicksMax);
      h.pause(m, ticks);
      return `${m.id} for ${ticks} ticks`;
    }
    case 'campaign': {
      if (up.length === 0) return undefined;
      const m = rng.pick(up);
      m.campaign();
      return m.id;
    }
    case 'transfer': {
      const l = h.leader();
      const voters = l?.status()?.confState.voters.filter((id) => id !== l.id) ?? [];
      if (!l || voters.length === 0) return undefined;
      const to = rng.pick(voters);
      l.transferLeadership(to);
      return `${l.id} -> ${to}`;
    }
  }
}

function crash(h: FaultHost, m: Member | undefined): string | undefined {
  if (!m || !m.up) return undefined;
  h.crash(m);
  return m.id;
}

function healLater(h: FaultHost): string {
  const ticks = h.rng.range(1, h.limits.partitionTicksMax);
  h.healLater(ticks);
  return `(heals in ${ticks} ticks)`;
}

/** A random shape: one member alone, majority/minority, random groups, or a bridge. */
function partition(h: FaultHost, ids: NodeId[]): string | undefined {
  const { rng } = h;
  if (ids.length < 2) return undefined;
  const shuffled = rng.shuffle([...ids]);
  const shape = rng.int(4);
  let groups: NodeId[][];
  if (shape === 0) {
    groups = [shuffled.slice(0, 1), shuffled.slice(1)];
  } else if (shape === 1) {
    const minority = Math.max(1, Math.floor((shuffled.length - 1) / 2));
    groups = [shuffled.slice(0, minority), shuffled.slice(minority)];
  } else if (shape === 2) {
    groups = [];
    for (const id of shuffled) {
      const g = rng.int(Math.min(3, groups.length + 1));
      (groups[g] ??= []).push(id);
    }
  } else {
    // A bridge: the first member hears both halves, which cannot hear each other. Leaders
    // flap as each half's candidate wins the bridge's vote in turn.
    const rest = shuffled.slice(1);
    const half = Math.max(1, Math.floor(rest.length / 2));
    groups = [rest.slice(0, half), rest.slice(half)];
  }
  h.network.partition(groups);
  const bridge = shape === 3 ? ` bridged by ${shuffled[0]}` : '';
  return `${groups.map((g) => `{${g.join(',')}}`).join(' | ')}${bridge} ${healLater(h)}`;
}

/** An asymmetric link: a hears b but b does not hear a (or the leader cannot hear anyone). */
function oneWay(h: FaultHost, ids: NodeId[]): string | undefined {
  const { rng } = h;
  if (ids.length < 2) return undefined;
  const l = h.leader();
  if (l && rng.chance(0.3)) {
    // The leader's heartbeats go out but no answer comes back: CheckQuorum's case (§6.2).
    for (const id of ids) if (id !== l.id) h.network.cut(id, l.id);
    return `nobody -> ${l.id} ${healLater(h)}`;
  }
  if (l && rng.chance(0.3)) {
    // The leader hears everyone (clients' proposals pile up in its log) but nobody hears it:
    // its entries stay unreplicated while a new leader is elected — Figure 8's raw material.
    for (const id of ids) if (id !== l.id) h.network.cut(l.id, id);
    return `${l.id} -> nobody ${healLater(h)}`;
  }
  const [a, b] = rng.shuffle([...ids]) as [NodeId, NodeId];
  h.network.cut(a, b);
  return `${a} -/-> ${b} ${healLater(h)}`;
}
