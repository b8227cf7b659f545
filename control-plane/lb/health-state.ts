// The fall/rise state machine of one backend, pure: an event in, the next state and the
// transition (if any) out. No clocks or I/O; the health checker feeds it probe results and
// the proxy feeds it connect errors (the passive check). Same rules as HAProxy's checks:
// `fall` consecutive failures take an up backend out, `rise` consecutive successes bring
// a down one back. Before the first probe a backend is `unknown` and out of rotation; the
// first probe alone decides, so a fresh balancer is serving after one round of probes.
import { LbInvariantError } from './errors.js';
import { HEALTH_THRESHOLD_MAX } from './limits.js';

export type HealthStatus = 'unknown' | 'up' | 'down';

export interface HealthState {
  readonly status: HealthStatus;
  /** Probes passed in a row (saturates at HEALTH_THRESHOLD_MAX). */
  readonly consecutiveOk: number;
  /** Probes failed in a row (saturates at HEALTH_THRESHOLD_MAX). */
  readonly consecutiveFail: number;
}

export type HealthEvent =
  | { readonly kind: 'probe-ok' }
  | { readonly kind: 'probe-fail'; readonly reason: string }
  /** A proxied connection could not reach the backend (fed only when the passive check is on). */
  | { readonly kind: 'connect-error'; readonly reason: string };

export interface Thresholds {
  readonly fall: number;
  readonly rise: number;
}

export interface Transition {
  readonly from: HealthStatus;
  readonly to: HealthStatus;
  readonly reason: string;
}

export interface Step {
  readonly state: HealthState;
  readonly transition: Transition | null;
}

export const INITIAL_HEALTH: HealthState = Object.freeze({ status: 'unknown', consecutiveOk: 0, consecutiveFail: 0 });

const bump = (n: number) => Math.min(n + 1, HEALTH_THRESHOLD_MAX);

function to(from: HealthState, status: HealthStatus, ok: number, fail: number, reason: string): Step {
  const state = { status, consecutiveOk: ok, consecutiveFail: fail };
  return { state, transition: status === from.status ? null : { from: from.status, to: status, reason } };
}

type StepFn = (s: HealthState, e: HealthEvent, t: Thresholds) => Step;

const stepUnknown: StepFn = (s, e) => (e.kind === 'probe-ok'
  ? to(s, 'up', 1, 0, 'first health check passed')
  : to(s, 'down', 0, e.kind === 'probe-fail' ? 1 : 0, e.kind === 'probe-fail'
    ? `first health check failed: ${e.reason}` : `connect error (passive check): ${e.reason}`));

const stepUp: StepFn = (s, e, t) => {
  switch (e.kind) {
    case 'probe-ok':
      return to(s, 'up', bump(s.consecutiveOk), 0, '');
    case 'probe-fail': {
      const fail = bump(s.consecutiveFail);
      return fail >= t.fall
        ? to(s, 'down', 0, fail, `${fail} consecutive health checks failed, last: ${e.reason}`)
        : to(s, 'up', 0, fail, '');
    }
    case 'connect-error':
      return to(s, 'down', 0, 0, `connect error (passive check): ${e.reason}`);
  }
};

const stepDown: StepFn = (s, e, t) => {
  if (e.kind !== 'probe-ok') return to(s, 'down', 0, e.kind === 'probe-fail' ? bump(s.consecutiveFail) : 0, '');
  const ok = bump(s.consecutiveOk);
  return ok >= t.rise ? to(s, 'up', ok, 0, `${ok} consecutive health checks passed`) : to(s, 'down', ok, 0, '');
};

// Behaviour swapped by status (the etcd-io/raft habit), not flags tested everywhere.
const STEP: Readonly<Record<HealthStatus, StepFn>> = { unknown: stepUnknown, up: stepUp, down: stepDown };

export function stepHealth(s: HealthState, e: HealthEvent, t: Thresholds): Step {
  const next = STEP[s.status](s, e, t);
  const n = next.state;
  // Up never holds `fall` failures in a row and down never holds `rise` successes: the step would have moved it.
  if ((n.status === 'up' && n.consecutiveFail >= t.fall) || (n.status === 'down' && n.consecutiveOk >= t.rise)
    || n.status === 'unknown' || (n.consecutiveOk > 0 && n.consecutiveFail > 0)) {
    throw new LbInvariantError(`health step ${s.status} --${e.kind}--> ${JSON.stringify(n)} with fall ${t.fall}, rise ${t.rise}`);
  }
  return next;
}
