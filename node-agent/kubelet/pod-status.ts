// The pod status the kubelet reports, computed from the runtime's containers and the kubelet's
// own notes (waiting reasons, probe results): kubelet_pods.go generateAPIPodStatus, getPhase and
// convertToAPIContainerStatuses, status/generate.go for the conditions. Pure: no I/O, no clock.
import crypto from 'node:crypto';
import os from 'node:os';
import type {
  ContainerState, ContainerStateTerminated, ContainerStatus, Pod, PodCondition, PodStatus,
} from '../../control-plane/api/index.js';
import { normalizeImageName, type ContainerStatusInfo } from '../runtime/index.js';

/** metav1.Time: RFC 3339 with whole seconds. */
export function apiTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');
}

/** What the kubelet knows of one container of the spec. */
export interface ContainerView {
  name: string;
  /** The spec's image. */
  image: string;
  /** The newest instance in the runtime, if any. */
  current?: ContainerStatusInfo | undefined;
  /** The instance before it (terminated), if the runtime kept it. */
  previous?: ContainerStatusInfo | undefined;
  /** Set while the container is not running and will be (re)started: the reason shown. */
  waiting?: { reason: string; message?: string } | undefined;
  /** Readiness (probe result, or true without a readiness probe), meaningful while running. */
  ready: boolean;
  /** Startup probe passed (or none), meaningful while running. */
  started: boolean;
}

export interface PodStatusInput {
  pod: Pod;
  initContainers: ContainerView[];
  containers: ContainerView[];
  podIP: string | undefined;
  hostIP: string;
  startTimeMs: number;
  /** The sandbox exists (PodReadyToStartContainers). */
  sandboxReady: boolean;
  nowMs: number;
  /** The status last written (else the pod's): conditions keep their lastTransitionTime from it. */
  previous?: PodStatus | undefined;
  /** The pod is being deleted and no container runs: the phase is terminal (kubelet 1.27+). */
  terminated?: boolean;
}

export const CONTAINER_ID_SCHEME = 'flotilla://';

/** The imageID the runtime would report: a digest of the local program the image stands for. */
export function imageIdOf(image: string): string {
  const name = normalizeImageName(image);
  return `${name}@sha256:${crypto.createHash('sha256').update(name).digest('hex')}`;
}

function terminatedOf(c: ContainerStatusInfo): ContainerStateTerminated {
  const t: ContainerStateTerminated = {
    exitCode: c.exitCode ?? 0, reason: c.reason ?? (c.exitCode === 0 ? 'Completed' : 'Error'),
    startedAt: apiTime(c.startedAtMs ?? 0), finishedAt: apiTime(c.finishedAtMs ?? 0),
    containerID: CONTAINER_ID_SCHEME + c.id,
  };
  if (c.signal !== undefined) {
    const n = os.constants.signals[c.signal as NodeJS.Signals];
    if (n !== undefined) t.signal = n;
  }
  if (c.message !== undefined) t.message = c.message;
  return t;
}

/** convertToAPIContainerStatuses for one container. */
export function containerStatusOf(v: ContainerView): ContainerStatus {
  const cur = v.current;
  const s: ContainerStatus = {
    name: v.name, state: {}, lastState: {}, ready: false, restartCount: cur?.attempt ?? 0, image: v.image,
    imageID: cur === undefined ? '' : imageIdOf(v.image), started: false,
  };
  if (cur !== undefined) s.containerID = CONTAINER_ID_SCHEME + cur.id;
  let last: ContainerStatusInfo | undefined = v.previous?.state === 'terminated' ? v.previous : undefined;
  if (v.waiting !== undefined) {
    s.state = { waiting: v.waiting.message === undefined ? { reason: v.waiting.reason } : { ...v.waiting } };
    if (cur?.state === 'terminated') last = cur;
  } else if (cur === undefined) {
    s.state = { waiting: { reason: 'ContainerCreating' } };
  } else if (cur.state === 'running') {
    s.state = { running: { startedAt: apiTime(cur.startedAtMs ?? 0) } };
    s.started = v.started;
    s.ready = v.ready && v.started;
  } else {
    s.state = { terminated: terminatedOf(cur) };
  }
  if (last !== undefined) s.lastState = { terminated: terminatedOf(last) };
  return s;
}

function isSucceeded(s: ContainerStatus): boolean {
  return s.state?.terminated?.exitCode === 0;
}

function initDone(statuses: ContainerStatus[]): boolean {
  return statuses.every(isSucceeded);
}

function initFailed(statuses: ContainerStatus[], policy: string): boolean {
  if (policy !== 'Never') return false;
  return statuses.some((s) => (s.state?.terminated !== undefined && s.state.terminated.exitCode !== 0) ||
    (s.lastState?.terminated !== undefined && s.lastState.terminated.exitCode !== 0 && s.state?.waiting !== undefined));
}

/** kubelet getPhase. */
export function podPhase(pod: Pod, init: ContainerStatus[], main: ContainerStatus[]): PodStatus['phase'] {
  const policy = pod.spec?.restartPolicy ?? 'Always';
  if (initFailed(init, policy)) return 'Failed';
  if (!initDone(init)) return 'Pending';
  let pending = 0;
  let running = 0;
  let stopped = 0;
  let succeeded = 0;
  for (const s of main) {
    const st: ContainerState = s.state ?? {};
    if (st.running !== undefined) running++;
    else if (st.terminated !== undefined) {
      stopped++;
      if (st.terminated.exitCode === 0) succeeded++;
    } else if (s.lastState?.terminated !== undefined) stopped++;
    else pending++;
  }
  if (pending > 0) return 'Pending';
  if (running > 0) return 'Running';
  if (stopped > 0) {
    if (policy === 'Always') return 'Running';
    if (stopped === succeeded) return 'Succeeded';
    if (policy === 'Never') return 'Failed';
    return 'Running';
  }
  return 'Pending';
}

function condition(type: string, ok: boolean, reason?: string, message?: string): PodCondition {
  const c: PodCondition = { type, status: ok ? 'True' : 'False' };
  if (!ok && reason !== undefined) c.reason = reason;
  if (!ok && message !== undefined) c.message = message;
  return c;
}

function names(list: ContainerStatus[], pred: (s: ContainerStatus) => boolean): string {
  return list.filter(pred).map((s) => s.name).join(' ');
}

/** status/generate.go: Initialized, ContainersReady, Ready (+ PodReadyToStartContainers, PodScheduled). */
function conditionsOf(i: PodStatusInput, init: ContainerStatus[], main: ContainerStatus[],
  phase: PodStatus['phase']): PodCondition[] {
  const terminal = phase === 'Succeeded' || phase === 'Failed';
  const incompleteInit = names(init, (s) => !isSucceeded(s));
  const unready = names(main, (s) => !s.ready);
  const initialized = incompleteInit === '' ?
    condition('Initialized', true) :
    condition('Initialized', false, 'ContainersNotInitialized', `containers with incomplete status: [${incompleteInit}]`);
  let ready: PodCondition;
  if (terminal) ready = condition('Ready', false, 'PodCompleted');
  else if (unready !== '') ready = condition('Ready', false, 'ContainersNotReady',
    `containers with unready status: [${unready}]`);
  else ready = condition('Ready', true);
  const containersReady = { ...ready, type: 'ContainersReady' };
  const out: PodCondition[] = [
    condition('PodReadyToStartContainers', i.sandboxReady), initialized, ready, containersReady,
    condition('PodScheduled', true),
  ];
  // Keep conditions other components own (DisruptionTarget, readiness gates' types).
  const mine = new Set(out.map((c) => c.type));
  for (const c of i.pod.status?.conditions ?? []) if (!mine.has(c.type)) out.push(c);
  // lastTransitionTime moves only when the status of the condition changes.
  const old = new Map(((i.previous ?? i.pod.status)?.conditions ?? []).map((c) => [c.type, c]));
  for (const c of out) {
    if (!mine.has(c.type)) continue;
    const prev = old.get(c.type);
    c.lastProbeTime = null;
    c.lastTransitionTime = prev !== undefined && prev.status === c.status && prev.lastTransitionTime !== undefined ?
      prev.lastTransitionTime : apiTime(i.nowMs);
  }
  return out;
}

/** generateAPIPodStatus. */
export function computePodStatus(i: PodStatusInput): PodStatus {
  const init = i.initContainers.map(containerStatusOf);
  const main = i.containers.map(containerStatusOf);
  let phase = podPhase(i.pod, init, main);
  if (i.terminated === true && phase !== 'Succeeded' && phase !== 'Failed') {
    const allZero = main.every((s) => s.state?.terminated?.exitCode === 0);
    phase = allZero && main.length > 0 ? 'Succeeded' : 'Failed';
  }
  const status: PodStatus = {
    phase, conditions: conditionsOf(i, init, main, phase), hostIP: i.hostIP, hostIPs: [{ ip: i.hostIP }],
    startTime: i.previous?.startTime ?? i.pod.status?.startTime ?? apiTime(i.startTimeMs), containerStatuses: main,
  };
  if (i.podIP !== undefined) {
    status.podIP = i.podIP;
    status.podIPs = [{ ip: i.podIP }];
  }
  if (init.length > 0) status.initContainerStatuses = init;
  if (i.pod.status?.qosClass !== undefined) status.qosClass = i.pod.status.qosClass;
  return status;
}
