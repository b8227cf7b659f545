// node-agent/runtime: the CRI-like interface, the process and simulated runtimes, and the
// kubelet's pure pieces that need no apiserver (restart policy, backoff, probes). See ../README.md.
export type * from './types.js';
export * from './errors.js';
export * from './limits.js';
export { nodePodRange, PodIpAllocator, type NodePodRange } from './pod-ip.js';
export {
  ImageCatalogue, normalizeImageName, resolveArgv, nextPullStep, onPullFailure, HELLO_SERVER_PATH,
  type ImageConfig, type PullStep, type WaitingReason,
} from './images.js';
export {
  backoffSeconds, nextBackoff, inBackoffSince, formatDurationSeconds, DEFAULT_BACKOFF, type BackoffConfig,
  type BackoffEntry,
} from './backoff.js';
export {
  decideRestart, shouldRestart, terminatedReason, podDescription, type RestartDecision, type RestartInput,
  type ContainerExitFacts,
} from './restart-policy.js';
export {
  ProbeWorker, runProbe, resolveProbePort, type ProbeType, type ProbeOutcome, type ProbeContext,
  type ProbeWorkerOptions,
} from './probes.js';
export { systemClock, ManualClock, type Clock } from './clock.js';
export { ProcessRuntime, runExec, type ProcessRuntimeOptions } from './process-runtime.js';
export { SimulatedRuntime, type SimulatedRuntimeOptions } from './simulated-runtime.js';
export { parseCriRecord, formatCriRecord, criTimestamp, type CriRecord, type LogStream } from './cri-log.js';
export { mountEnvName } from './volumes.js';
