// Never more pods than replicas + maxSurge, per Deployment, from a recorded list+watch of pods
// and the workload's own writes of spec.replicas. What exactly is checked:
//
// - Counted: the Deployment's pods (by the workload's label) that are not terminated (no
//   deletionTimestamp, phase neither Succeeded nor Failed), old and new ReplicaSets together —
//   a rolling update's bound is the same as a steady state's.
// - When: only at steps where that count *rises* (a pod was created). A count above the bound
//   that is falling or flat is legitimate after a scale-down: the excess pods exist until the
//   controllers (possibly dead at that moment) delete them. A rise above the bound is the
//   control plane creating a pod it must not create.
// - The bound at time t: the largest replicas + maxSurge(replicas) among the spec values that
//   may be in effect at any time in [t − lagMs, t]. A write of value v (create, scale; a delete
//   writes 0) may be in effect from its invocation until the completion of the first later
//   acknowledged write invoked after v's write completed; an unacknowledged write may be in
//   effect until the end (one that certainly failed — refused, or an API error — is ignored).
//   `lagMs` allows for controllers acting on a view of the spec that is
//   older than the write (informer lag) and for the recorder seeing pods late.
// - Pods a ReplicaSet was already told to drop: Kubernetes' Deployment controller bounds the
//   sum of its ReplicaSets' spec.replicas by replicas + maxSurge (NewRSNewReplicas), so after an
//   old ReplicaSet is scaled down the new one may grow before the old one's pod is actually
//   deleted. When ReplicaSet observations are given, a pod of a ReplicaSet holding more live
//   pods than its spec.replicas at t (or a lower one seen within lagMs after) is counted as
//   *pending deletion* and excused (reported in `excused`, never silently); a rise above the
//   bound that these do not explain is a violation. Without ReplicaSets nothing is excused.
// - maxSurge: an integer, or a percentage of replicas rounded up (as Kubernetes resolves it).
import type { ApiOp, Observation, PodView, ReplicaSetView } from '../controlplane/history.js';
import { replay } from '../controlplane/history.js';
import { CHECKER_LIMITS } from './limits.js';
import type { Verdict } from './linearizability.js';

export interface SurgeResult {
  checker: 'surge';
  verdict: Verdict;
  lagMs: number;
  /** Per Deployment: the most live pods seen, and the bound at that moment. */
  peaks: { deployment: string; t: number; live: number; bound: number }[];
  /** Rises above the bound explained by pods their ReplicaSet was already scaled down to drop. */
  excused: string[];
  violationCount: number;
  violations: string[];
}

export function surgeOf(maxSurge: number | string | undefined, replicas: number): number {
  if (maxSurge === undefined) return Math.ceil(replicas / 4);
  if (typeof maxSurge === 'number') return maxSurge;
  const m = /^(\d+)%$/.exec(maxSurge);
  return m ? Math.ceil((Number(m[1]) * replicas) / 100) : Number(maxSurge);
}

interface SpecInterval { from: number; to: number; bound: number }

/** The intervals in which each written spec value may be in effect (see the header). */
export function specIntervals(writes: readonly ApiOp[]): Map<string, SpecInterval[]> {
  const out = new Map<string, SpecInterval[]>();
  const byDeployment = new Map<string, ApiOp[]>();
  for (const w of writes) {
    if (w.replicas === undefined || w.notApplied === true) continue;
    byDeployment.set(w.target, [...(byDeployment.get(w.target) ?? []), w]);
  }
  for (const [name, ws] of byDeployment) {
    ws.sort((a, b) => a.call - b.call);
    out.set(name, ws.map((w) => {
      const superseding = w.ret === null ? [] : ws.filter((x) => x.ret !== null && x.call >= w.ret!);
      const to = superseding.length === 0 ? Infinity : Math.min(...superseding.map((x) => x.ret!));
      return { from: w.call, to, bound: w.replicas! + surgeOf(w.maxSurge, w.replicas!) };
    }));
  }
  return out;
}

/** Per ReplicaSet: its spec.replicas over time, from the recorded list+watch. */
function rsSpecs(obs: readonly Observation<ReplicaSetView>[]): Map<string, { t: number; replicas: number }[]> {
  const out = new Map<string, { t: number; replicas: number }[]>();
  const add = (t: number, r: ReplicaSetView) =>
    out.set(r.name, [...(out.get(r.name) ?? []), { t, replicas: r.replicas }]);
  for (const o of obs) {
    if (o.kind === 'list') for (const r of o.items) add(o.t, r);
    else if (o.type !== 'DELETED') add(o.t, o.object);
  }
  return out;
}

/** Live pods beyond their ReplicaSet's lowest spec near t (pods named <replicaset>-<suffix>). */
function pendingDeletion(live: readonly string[], specs: Map<string, { t: number; replicas: number }[]>, t: number,
  lagMs: number): number {
  const perRs = new Map<string, number>();
  for (const n of live) {
    const rs = n.slice(0, n.lastIndexOf('-'));
    perRs.set(rs, (perRs.get(rs) ?? 0) + 1);
  }
  let excess = 0;
  for (const [rs, count] of perRs) {
    // The spec in force at t, or a lower one written soon after (the RS watch may deliver a drop late).
    const near = (specs.get(rs) ?? []).filter((x) => x.t > t && x.t <= t + lagMs).map((x) => x.replicas);
    const before = (specs.get(rs) ?? []).filter((x) => x.t <= t).at(-1)?.replicas;
    const lowest = Math.min(...near, ...(before === undefined ? [] : [before]));
    if (Number.isFinite(lowest)) excess += Math.max(0, count - lowest);
  }
  return excess;
}

export function checkSurge(pods: readonly Observation<PodView>[], writes: readonly ApiOp[], lagMs: number,
  replicaSets?: readonly Observation<ReplicaSetView>[]): SurgeResult {
  const intervals = specIntervals(writes);
  const specs = replicaSets ? rsSpecs(replicaSets) : new Map<string, { t: number; replicas: number }[]>();
  const excused: string[] = [];
  const boundAt = (d: string, t: number): number => {
    const live = (intervals.get(d) ?? []).filter((i) => i.from <= t && t - lagMs <= i.to);
    return live.length === 0 ? 0 : Math.max(...live.map((i) => i.bound));
  };
  const prevCount = new Map<string, number>();
  const peaks = new Map<string, SurgeResult['peaks'][number]>();
  const violations: string[] = [];
  replay(pods, (p) => p.name, (state, step) => {
    const live = new Map<string, string[]>();
    for (const p of state.values()) {
      if (p.deployment === '' || p.terminated) continue;
      live.set(p.deployment, [...(live.get(p.deployment) ?? []), p.name]);
    }
    for (const d of new Set([...live.keys(), ...prevCount.keys()])) {
      const names = live.get(d) ?? [];
      const before = prevCount.get(d) ?? 0;
      prevCount.set(d, names.length);
      if (names.length <= before) continue;
      const bound = boundAt(d, step.t);
      if (names.length > (peaks.get(d)?.live ?? -1)) {
        peaks.set(d, { deployment: d, t: step.t, live: names.length, bound });
      }
      const pending = names.length > bound ? pendingDeletion(names, specs, step.t, lagMs) : 0;
      if (names.length > bound && names.length - pending <= bound) {
        excused.push(`${(step.t / 1000).toFixed(2)} s: deployment ${d}: ${names.length} live pods > ${bound}, of which ` +
          `${pending} already dropped from their ReplicaSet's spec (pending deletion)`);
      } else if (names.length > bound) {
        violations.push(`${(step.t / 1000).toFixed(2)} s: deployment ${d} has ${names.length} live pods > ` +
          `replicas + maxSurge = ${bound}: ${names.sort().join(', ')}`);
      }
    }
  });
  return { checker: 'surge', verdict: violations.length > 0 ? 'fail' : 'pass', lagMs, peaks: [...peaks.values()],
    excused: excused.slice(0, CHECKER_LIMITS.violationsShownMax),
    violationCount: violations.length, violations: violations.slice(0, CHECKER_LIMITS.violationsShownMax) };
}
