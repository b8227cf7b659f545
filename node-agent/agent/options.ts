// The node agent's flags (names as the kubelet's and kube-proxy's where one exists) and their
// resolution into NodeAgentOptions. Strings in, checked values out; a bad flag is an AgentConfigError.
import os from 'node:os';
import path from 'node:path';
import type { Taint } from '../../control-plane/api/index.js';
import {
  DEFAULT_KUBELET_PORT, DEFAULT_MAX_PODS, FAST_LEASE_DURATION_SECONDS, FAST_NODE_STATUS_UPDATE_FREQUENCY_MS,
  hostCapacity, NODE_LEASE_DURATION_SECONDS, NODE_STATUS_REPORT_FREQUENCY_MS, NODE_STATUS_UPDATE_FREQUENCY_MS,
  parseLabels, parseTaints,
} from '../kubelet/index.js';
import { MAX_NODE_INDEX } from '../runtime/index.js';
import { AgentConfigError } from './errors.js';
import { DEFAULT_METRICS_PORT } from './limits.js';

export interface NodeAgentFlags {
  kubeconfig?: string;
  nodeName: string;
  nodeIndex: string;
  runtime: string;
  rootDir?: string;
  simulatedNodes?: string;
  simulatedHeartbeatQps: string;
  kubeProxy?: boolean;
  fastHeartbeat?: boolean;
  kubeletPort: string;
  metricsPort: string;
  nodeLabels?: string;
  nodeRole?: string;
  registerWithTaints?: string;
  cpu?: string;
  memory?: string;
  maxPods: string;
  nodeLeaseDurationSeconds?: string;
  nodeStatusUpdateFrequency?: string;
  nodeStatusReportFrequency?: string;
  imageCatalogue?: string;
  cleanupOnExit?: boolean;
  kubeApiQps?: string;
  kubeApiBurst?: string;
}

export const NODE_AGENT_FLAG_DEFAULTS = {
  runtime: 'process', kubeletPort: String(DEFAULT_KUBELET_PORT), metricsPort: String(DEFAULT_METRICS_PORT),
  maxPods: String(DEFAULT_MAX_PODS), simulatedHeartbeatQps: '200',
} as const;

export interface NodeAgentOptions {
  kubeconfig: string | undefined;
  nodeName: string;
  nodeIndex: number;
  runtime: 'process' | 'simulated';
  rootDir: string;
  simulatedNodes: number;
  /** Simulated fleets: lease renewals per second across all nodes, at most (the interval stretches). */
  simulatedHeartbeatQps: number;
  kubeProxy: boolean;
  kubeletPort: number;
  metricsPort: number;
  labels: Record<string, string>;
  role: string | undefined;
  taints: Taint[];
  capacity: { cpu: string; memory: string; pods: string };
  leaseDurationSeconds: number;
  nodeStatusUpdateFrequencyMs: number;
  nodeStatusReportFrequencyMs: number;
  imageCatalogue: string | undefined;
  cleanupOnExit: boolean;
  qps: number | undefined;
  burst: number | undefined;
}

function int(name: string, v: string | undefined, min: number, max: number): number {
  const n = Number(v);
  if (v === undefined || !Number.isInteger(n) || n < min || n > max) {
    throw new AgentConfigError(`--${name} must be an integer in ${min}..${max}, not ${JSON.stringify(v)}`);
  }
  return n;
}

/** "10s", "500ms", "5m", "1h", or milliseconds. */
export function parseDurationMs(name: string, v: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(v.trim());
  if (m === null) throw new AgentConfigError(`--${name} must be a duration like 10s, 500ms or 5m, not ${JSON.stringify(v)}`);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] ?? 'ms'] ?? 1;
  return Math.round(Number(m[1]) * unit);
}

export function resolveNodeAgentOptions(f: NodeAgentFlags): NodeAgentOptions {
  if (!/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(f.nodeName) || f.nodeName.length > 200) {
    throw new AgentConfigError(`--node-name ${JSON.stringify(f.nodeName)} is not a DNS-1123 subdomain`);
  }
  if (f.runtime !== 'process' && f.runtime !== 'simulated') {
    throw new AgentConfigError(`--runtime must be process or simulated, not ${JSON.stringify(f.runtime)}`);
  }
  const runtime = f.runtime;
  const simulatedNodes = f.simulatedNodes === undefined ? (runtime === 'simulated' ? 1 : 0) :
    int('simulated-nodes', f.simulatedNodes, 1, MAX_NODE_INDEX + 1);
  if (simulatedNodes > 0 && runtime !== 'simulated') {
    throw new AgentConfigError('--simulated-nodes needs --runtime simulated');
  }
  const host = hostCapacity(int('max-pods', f.maxPods, 1, 100_000));
  const fast = f.fastHeartbeat === true;
  const lease = f.nodeLeaseDurationSeconds !== undefined ? int('node-lease-duration-seconds',
    f.nodeLeaseDurationSeconds, 1, 3600) : fast ? FAST_LEASE_DURATION_SECONDS : NODE_LEASE_DURATION_SECONDS;
  const update = f.nodeStatusUpdateFrequency !== undefined ?
    parseDurationMs('node-status-update-frequency', f.nodeStatusUpdateFrequency) :
    fast ? FAST_NODE_STATUS_UPDATE_FREQUENCY_MS : NODE_STATUS_UPDATE_FREQUENCY_MS;
  // As the kubelet: an explicit update frequency also becomes the default report frequency.
  const report = f.nodeStatusReportFrequency !== undefined ?
    parseDurationMs('node-status-report-frequency', f.nodeStatusReportFrequency) :
    f.nodeStatusUpdateFrequency !== undefined || fast ? update : NODE_STATUS_REPORT_FREQUENCY_MS;
  return {
    kubeconfig: f.kubeconfig, nodeName: f.nodeName, nodeIndex: int('node-index', f.nodeIndex, 0, MAX_NODE_INDEX),
    runtime, simulatedNodes,
    rootDir: path.resolve(f.rootDir ?? path.join(os.tmpdir(), 'flotilla', 'nodes', f.nodeName)),
    simulatedHeartbeatQps: int('simulated-heartbeat-qps', f.simulatedHeartbeatQps, 1, 1_000_000),
    kubeProxy: f.kubeProxy === true, kubeletPort: int('kubelet-port', f.kubeletPort, 0, 65535),
    metricsPort: int('metrics-port', f.metricsPort, 0, 65535), labels: parseLabels(f.nodeLabels), role: f.nodeRole,
    taints: parseTaints(f.registerWithTaints),
    capacity: { cpu: f.cpu ?? host.cpu, memory: f.memory ?? host.memory, pods: host.pods },
    leaseDurationSeconds: lease, nodeStatusUpdateFrequencyMs: update, nodeStatusReportFrequencyMs: report,
    imageCatalogue: f.imageCatalogue, cleanupOnExit: f.cleanupOnExit === true,
    qps: f.kubeApiQps === undefined ? undefined : int('kube-api-qps', f.kubeApiQps, 1, 1_000_000),
    burst: f.kubeApiBurst === undefined ? undefined : int('kube-api-burst', f.kubeApiBurst, 1, 1_000_000),
  };
}
