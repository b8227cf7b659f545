// `flotilla controller-manager` settings: kube-controller-manager's flag names, checked and typed.
// Every refusal names the flag (ControllerConfigError, exit code 2).
import { hostname } from 'node:os';
import { parseDurationMs } from '../lb/duration.js';
import { ControllerConfigError } from './errors.js';
import * as L from './limits.js';

export const CONTROLLER_NAMES = ['replicaset', 'replicationcontroller', 'deployment', 'garbage-collector', 'namespace',
  'endpoints', 'serviceaccount', 'node-lifecycle', 'podgc', 'daemonset', 'job', 'cronjob', 'statefulset'] as const;
export type ControllerName = typeof CONTROLLER_NAMES[number];

export interface ControllerManagerOptions {
  kubeconfig: string | undefined;
  leaderElect: boolean;
  leaseDurationMs: number;
  renewDeadlineMs: number;
  retryPeriodMs: number;
  leaderElectNamespace: string;
  leaderElectName: string;
  identity: string;
  controllers: Set<ControllerName>;
  workers: Record<ControllerName, number>;
  nodeMonitorPeriodMs: number;
  nodeMonitorGracePeriodMs: number;
  podEvictionTimeoutMs: number;
  nodeEvictionRate: number;
  secondaryNodeEvictionRate: number;
  terminatedPodGcThreshold: number;
  bindAddress: string;
  securePort: number;
  kubeApiQps: number;
  kubeApiBurst: number;
}

/** As commander hands them over. */
export interface ControllerManagerFlags {
  kubeconfig?: string;
  leaderElect?: string | boolean;
  leaderElectLeaseDuration: string;
  leaderElectRenewDeadline: string;
  leaderElectRetryPeriod: string;
  leaderElectResourceNamespace: string;
  leaderElectResourceName: string;
  controllers: string;
  nodeMonitorPeriod?: string;
  nodeMonitorGracePeriod?: string;
  podEvictionTimeout?: string;
  fastNodeLifecycle?: boolean;
  nodeEvictionRate: string;
  secondaryNodeEvictionRate: string;
  terminatedPodGcThreshold: string;
  concurrentDeploymentSyncs: string;
  concurrentReplicasetSyncs: string;
  concurrentRcSyncs: string;
  concurrentGcSyncs: string;
  concurrentNamespaceSyncs: string;
  concurrentEndpointSyncs: string;
  bindAddress: string;
  securePort: string;
  kubeApiQps: string;
  kubeApiBurst: string;
}

export const FLAG_DEFAULTS = {
  leaderElectLeaseDuration: '1.3s', leaderElectRenewDeadline: '900ms', leaderElectRetryPeriod: '150ms',
  leaderElectResourceNamespace: 'kube-system', leaderElectResourceName: 'kube-controller-manager', controllers: '*',
  nodeEvictionRate: String(L.NODE_EVICTION_RATE), secondaryNodeEvictionRate: String(L.SECONDARY_NODE_EVICTION_RATE),
  terminatedPodGcThreshold: String(L.TERMINATED_POD_GC_THRESHOLD),
  concurrentDeploymentSyncs: String(L.DEFAULT_WORKERS.deployment),
  concurrentReplicasetSyncs: String(L.DEFAULT_WORKERS.replicaset),
  concurrentRcSyncs: String(L.DEFAULT_WORKERS.replicationcontroller),
  concurrentGcSyncs: String(L.DEFAULT_WORKERS['garbage-collector']),
  concurrentNamespaceSyncs: String(L.DEFAULT_WORKERS.namespace),
  concurrentEndpointSyncs: String(L.DEFAULT_WORKERS.endpoints),
  bindAddress: '127.0.0.1', securePort: '10257', kubeApiQps: '50', kubeApiBurst: '100',
} as const;

function duration(text: string, flag: string): number {
  try {
    return parseDurationMs(text, flag, 1);
  } catch (e) {
    throw new ControllerConfigError(flag, e instanceof Error ? e.message.replace(`${flag}: `, '') : String(e));
  }
}

function int(text: string, flag: string, min: number, max: number): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < min || n > max) throw new ControllerConfigError(flag, `"${text}" must be an integer from ${min} to ${max}`);
  return n;
}

function num(text: string, flag: string): number {
  const n = Number(text);
  if (!Number.isFinite(n) || n < 0) throw new ControllerConfigError(flag, `"${text}" must be a number >= 0`);
  return n;
}

function bool(v: string | boolean | undefined, flag: string, dflt: boolean): boolean {
  if (v === undefined) return dflt;
  if (typeof v === 'boolean') return v;
  if (v === 'true' || v === '') return true;
  if (v === 'false') return false;
  throw new ControllerConfigError(flag, `"${v}" must be true or false`);
}

/** kube's --controllers: '*' all, 'name' on, '-name' off; "foo-controller" is accepted for "foo". */
export function parseControllers(text: string): Set<ControllerName> {
  const on = new Set<ControllerName>();
  const off = new Set<ControllerName>();
  let star = false;
  for (const raw of text.split(',').map((s) => s.trim()).filter((s) => s !== '')) {
    if (raw === '*') { star = true; continue; }
    const neg = raw.startsWith('-');
    const name = (neg ? raw.slice(1) : raw).replace(/-controller$/, '').replace(/^nodelifecycle$/, 'node-lifecycle')
      .replace(/^garbagecollector$/, 'garbage-collector');
    if (!(CONTROLLER_NAMES as readonly string[]).includes(name)) {
      throw new ControllerConfigError('--controllers', `unknown controller "${raw}"; known: ${CONTROLLER_NAMES.join(', ')}`);
    }
    (neg ? off : on).add(name as ControllerName);
  }
  const out = new Set<ControllerName>(star ? CONTROLLER_NAMES : []);
  for (const n of on) out.add(n);
  for (const n of off) out.delete(n);
  return out;
}

export function resolveControllerManagerOptions(f: ControllerManagerFlags): ControllerManagerOptions {
  const fast = f.fastNodeLifecycle === true;
  const o: ControllerManagerOptions = {
    kubeconfig: f.kubeconfig,
    leaderElect: bool(f.leaderElect, '--leader-elect', true),
    leaseDurationMs: duration(f.leaderElectLeaseDuration, '--leader-elect-lease-duration'),
    renewDeadlineMs: duration(f.leaderElectRenewDeadline, '--leader-elect-renew-deadline'),
    retryPeriodMs: duration(f.leaderElectRetryPeriod, '--leader-elect-retry-period'),
    leaderElectNamespace: f.leaderElectResourceNamespace,
    leaderElectName: f.leaderElectResourceName,
    identity: `${hostname()}_${process.pid}_${Math.random().toString(36).slice(2, 10)}`,
    controllers: parseControllers(f.controllers),
    workers: {
      'replicaset': int(f.concurrentReplicasetSyncs, '--concurrent-replicaset-syncs', 1, 100),
      'replicationcontroller': int(f.concurrentRcSyncs, '--concurrent-rc-syncs', 1, 100),
      'deployment': int(f.concurrentDeploymentSyncs, '--concurrent-deployment-syncs', 1, 100),
      'garbage-collector': int(f.concurrentGcSyncs, '--concurrent-gc-syncs', 1, 100),
      'namespace': int(f.concurrentNamespaceSyncs, '--concurrent-namespace-syncs', 1, 100),
      'endpoints': int(f.concurrentEndpointSyncs, '--concurrent-endpoint-syncs', 1, 100),
      'serviceaccount': L.DEFAULT_WORKERS.serviceaccount,
      'node-lifecycle': L.DEFAULT_WORKERS['node-lifecycle'],
      'podgc': L.DEFAULT_WORKERS.podgc,
      'daemonset': L.DEFAULT_WORKERS.daemonset,
      'job': L.DEFAULT_WORKERS.job,
      'cronjob': L.DEFAULT_WORKERS.cronjob,
      'statefulset': L.DEFAULT_WORKERS.statefulset,
    },
    nodeMonitorPeriodMs: duration(f.nodeMonitorPeriod ?? `${fast ? L.FAST_NODE_MONITOR_PERIOD_MS : L.NODE_MONITOR_PERIOD_MS}ms`,
      '--node-monitor-period'),
    nodeMonitorGracePeriodMs: duration(f.nodeMonitorGracePeriod ??
      `${fast ? L.FAST_NODE_MONITOR_GRACE_PERIOD_MS : L.NODE_MONITOR_GRACE_PERIOD_MS}ms`, '--node-monitor-grace-period'),
    podEvictionTimeoutMs: duration(f.podEvictionTimeout ??
      `${fast ? L.FAST_POD_EVICTION_TIMEOUT_MS : L.POD_EVICTION_TIMEOUT_MS}ms`, '--pod-eviction-timeout'),
    nodeEvictionRate: num(f.nodeEvictionRate, '--node-eviction-rate'),
    secondaryNodeEvictionRate: num(f.secondaryNodeEvictionRate, '--secondary-node-eviction-rate'),
    terminatedPodGcThreshold: int(f.terminatedPodGcThreshold, '--terminated-pod-gc-threshold', 0, 10_000_000),
    bindAddress: f.bindAddress,
    securePort: int(f.securePort, '--secure-port', 0, 65535),
    kubeApiQps: num(f.kubeApiQps, '--kube-api-qps'),
    kubeApiBurst: int(f.kubeApiBurst, '--kube-api-burst', 1, 100_000),
  };
  if (!(o.leaseDurationMs > o.renewDeadlineMs)) {
    throw new ControllerConfigError('--leader-elect-lease-duration', 'must be greater than --leader-elect-renew-deadline');
  }
  return o;
}
