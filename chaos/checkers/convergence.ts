// Convergence: after the last fault heals (and the workload stops changing specs), every
// Deployment that still exists reaches its desired state within a bound: observedGeneration
// ≥ generation, and status.replicas, updatedReplicas and readyReplicas all equal
// spec.replicas — from some moment on, until the end of the recording. The time it took is the
// measurement; a Deployment still unsettled at the end, or settled too late, fails the check.
// When the final pods are given, they must agree: exactly spec.replicas live pods, all bound
// and Ready (the status could lie; the pods cannot).
import type { DeploymentView, Observation, PodView } from '../controlplane/history.js';
import { replay } from '../controlplane/history.js';
import { CHECKER_LIMITS } from './limits.js';
import type { Verdict } from './linearizability.js';

export interface ConvergenceResult {
  checker: 'convergence';
  verdict: Verdict;
  /** From when convergence is timed (ms since the run began): the last heal / end of spec changes. */
  from: number;
  boundMs: number;
  /** The slowest Deployment's time to converge after `from` (0 if already settled); undefined if one never did. */
  convergenceMs?: number;
  deployments: { name: string; replicas: number; convergedAt?: number; last: string }[];
  violationCount: number;
  violations: string[];
}

export const converged = (d: DeploymentView): boolean => d.observedGeneration >= d.generation &&
  d.statusReplicas === d.replicas && d.updatedReplicas === d.replicas && d.readyReplicas === d.replicas;

const describe = (d: DeploymentView) => `replicas ${d.replicas}, status.replicas ${d.statusReplicas}, updated ` +
  `${d.updatedReplicas}, ready ${d.readyReplicas}, generation ${d.generation} observed ${d.observedGeneration}`;

export function checkConvergence(deployments: readonly Observation<DeploymentView>[], from: number, boundMs: number,
  finalPods?: readonly PodView[]): ConvergenceResult {
  // Per Deployment: since when it has been converged without interruption (undefined: not now).
  const since = new Map<string, number | undefined>();
  const final = replay(deployments, (d) => d.name, (state, step) => {
    for (const name of [...since.keys()]) if (!state.has(name)) since.delete(name);
    for (const d of state.values()) {
      if (!converged(d)) since.set(d.name, undefined);
      else if (since.get(d.name) === undefined) since.set(d.name, step.t);
    }
  });
  const violations: string[] = [];
  const rows: ConvergenceResult['deployments'] = [];
  let worst = 0;
  for (const d of [...final.values()].sort((a, b) => a.name.localeCompare(b.name))) {
    const at = since.get(d.name);
    rows.push({ name: d.name, replicas: d.replicas, ...(at !== undefined ? { convergedAt: at } : {}),
      last: describe(d) });
    if (at === undefined) {
      violations.push(`deployment ${d.name} never converged; last seen: ${describe(d)}`);
      continue;
    }
    worst = Math.max(worst, at - from);
    if (at - from > boundMs) {
      violations.push(`deployment ${d.name} converged ${Math.round(at - from)} ms after ${Math.round(from)} ms ` +
        `(bound ${boundMs} ms)`);
    }
    if (finalPods === undefined) continue;
    const mine = finalPods.filter((p) => p.deployment === d.name && !p.terminated);
    const good = mine.filter((p) => p.nodeName !== '' && p.ready);
    if (mine.length !== d.replicas || good.length !== d.replicas) {
      violations.push(`deployment ${d.name}: status says converged but ${mine.length} live pods ` +
        `(${good.length} bound and Ready) for replicas ${d.replicas}`);
    }
  }
  const never = rows.some((r) => r.convergedAt === undefined);
  return { checker: 'convergence', verdict: violations.length > 0 ? 'fail' : 'pass', from, boundMs,
    ...(never ? {} : { convergenceMs: Math.round(Math.max(0, worst)) }), deployments: rows,
    violationCount: violations.length, violations: violations.slice(0, CHECKER_LIMITS.violationsShownMax) };
}
