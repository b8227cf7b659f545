// node-agent/kubelet: the kubelet's apiserver-facing loops on top of ../runtime. See ../README.md.
export * from './errors.js';
export * from './limits.js';
export { Kubelet, apiSource, type KubeletOptions, type KubeletMetrics } from './kubelet.js';
export { KubeletServer, CriToText, parseLogQuery, type LogQuery } from './server.js';
export { ExecServer, EXEC_PROTOCOLS, exitStatus, parseExecRequest, type ExecRequest } from './exec.js';
export { PortForwardServer, parsePortForwardRequest, type PortForwardRequest } from './port-forward.js';
export { PodWorker, type WorkerHost } from './pod-worker.js';
export {
  computePodStatus, containerStatusOf, podPhase, apiTime, imageIdOf, CONTAINER_ID_SCHEME, type ContainerView,
  type PodStatusInput,
} from './pod-status.js';
export {
  expandVars, resolveContainer, resolveVolumes, fieldRefValue, resourceFieldValue, CachedSource, type ObjectSource,
  type EnvContext,
} from './env.js';
export {
  buildNode, nodeStatus, healthyConditions, registerNode, renewNodeLease, hostCapacity, parseTaints, parseLabels,
  statusFingerprint, type NodeConfig,
} from './node-status.js';
export { NodeHeartbeat, type HeartbeatOptions, type HeartbeatMetrics } from './heartbeat.js';
export { ApiEventRecorder, NO_EVENTS, type EventRecorder } from './events.js';
export { Semaphore } from './semaphore.js';
export * from './resources.js';
