// What the kubelet does after a container exits (kuberuntime's computePodActions and
// doBackOff): restart it or leave it terminated, per the pod's restartPolicy, and, if it
// restarts, whether now or after the CrashLoopBackOff delay (backoff.ts: immediate, then
// 10 s doubling to 5 min, forgotten after 10 min without a restart). Pure: the caller keeps
// the BackoffEntry per container (the kubelet keys it by pod UID + container name).
import type { RestartPolicy } from '../../control-plane/api/index.js';
import {
  DEFAULT_BACKOFF, formatDurationSeconds, inBackoffSince, nextBackoff, type BackoffConfig, type BackoffEntry,
} from './backoff.js';

export interface ContainerExitFacts {
  exitCode: number;
  finishedAtMs: number;
}

/** Does the policy restart a container that exited with this code? (Always: yes; OnFailure: on non-zero.) */
export function shouldRestart(policy: RestartPolicy | string | undefined, exitCode: number): boolean {
  switch (policy ?? 'Always') {
    case 'Never': return false;
    case 'OnFailure': return exitCode !== 0;
    default: return true;
  }
}

/** ContainerStateTerminated.reason for an exit code, as the kubelet reports it. */
export function terminatedReason(exitCode: number): 'Completed' | 'Error' {
  return exitCode === 0 ? 'Completed' : 'Error';
}

export type RestartDecision =
  /** restartPolicy says no: the container stays terminated (the pod may then be Succeeded/Failed). */
  | { action: 'leave-terminated'; reason: 'Completed' | 'Error' }
  /** Start it again now; keep `backoff` for the next exit. restartCount goes up by one. */
  | { action: 'restart'; backoff: BackoffEntry }
  /** Not yet: report waiting with this reason and message; decide again at `retryAtMs`. */
  | { action: 'back-off'; retryAtMs: number; waiting: { reason: 'CrashLoopBackOff'; message: string }; backoff: BackoffEntry };

export interface RestartInput {
  policy: RestartPolicy | string | undefined;
  exit: ContainerExitFacts;
  backoff: BackoffEntry | undefined;
  nowMs: number;
  containerName: string;
  /** How the kubelet names the pod in messages: "<name>_<namespace>(<uid>)". */
  podDescription: string;
  config?: BackoffConfig;
}

/** One step of the kubelet's restart logic for a terminated container; call again at retryAtMs. */
export function decideRestart(input: RestartInput): RestartDecision {
  const config = input.config ?? DEFAULT_BACKOFF;
  if (!shouldRestart(input.policy, input.exit.exitCode)) {
    return { action: 'leave-terminated', reason: terminatedReason(input.exit.exitCode) };
  }
  const entry = input.backoff;
  if (entry !== undefined && inBackoffSince(entry, input.exit.finishedAtMs, input.nowMs, config)) {
    const delay = formatDurationSeconds(entry.delaySeconds);
    return {
      action: 'back-off',
      retryAtMs: input.exit.finishedAtMs + entry.delaySeconds * 1000,
      waiting: {
        reason: 'CrashLoopBackOff',
        message: `back-off ${delay} restarting failed container=${input.containerName} pod=${input.podDescription}`,
      },
      backoff: entry,
    };
  }
  return { action: 'restart', backoff: nextBackoff(entry, input.nowMs, config) };
}

/** The pod description the kubelet's messages use (format.Pod): "name_namespace(uid)". */
export function podDescription(name: string, namespace: string, uid: string): string {
  return `${name}_${namespace}(${uid})`;
}
