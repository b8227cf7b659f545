// The node agent's Prometheus metrics: read from the kubelet's, the simulated fleet's and
// kube-proxy's plain counters at scrape time (no bookkeeping on the hot paths). Names follow the
// kubelet's and kube-proxy's where one exists.
import { collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import type { Kubelet } from '../kubelet/index.js';
import type { KubeProxy } from './kube-proxy.js';
import type { SimulatedNodes } from './simulated.js';

export class AgentMetrics {
  readonly registry = new Registry();

  constructor(processMetrics: boolean) {
    if (processMetrics) collectDefaultMetrics({ register: this.registry });
  }

  #gauge(name: string, help: string, read: () => number): void {
    new Gauge({ name, help, registers: [this.registry], collect() { this.set(read()); } });
  }

  watchKubelet(k: Kubelet): void {
    this.#gauge('kubelet_running_pods', 'Pods with a worker on this node', () => k.podCount);
    this.#gauge('kubelet_running_containers', 'Running containers', () =>
      k.runtime.listContainers().filter((c) => c.state === 'running').length);
    this.#gauge('flotilla_kubelet_pod_syncs_total', 'Pod syncs run', () => k.metrics.podSyncs);
    this.#gauge('flotilla_kubelet_pod_status_writes_total', 'Pod status writes', () => k.metrics.statusWrites);
    this.#gauge('flotilla_kubelet_pod_status_write_failures_total', 'Failed pod status writes',
      () => k.metrics.statusWriteFailures);
    this.#gauge('flotilla_kubelet_orphaned_sandboxes_removed_total', 'Sandboxes of pods no longer bound here, removed',
      () => k.metrics.orphansRemoved);
    this.#gauge('flotilla_kubelet_lease_renewals_total', 'Node lease renewals', () => k.heartbeat.metrics.leaseRenewals);
    this.#gauge('flotilla_kubelet_lease_renew_failures_total', 'Failed node lease renewals',
      () => k.heartbeat.metrics.leaseRenewFailures);
    this.#gauge('flotilla_kubelet_node_status_writes_total', 'Node status writes', () => k.heartbeat.metrics.statusWrites);
  }

  watchSimulated(s: SimulatedNodes): void {
    const m = s.metrics;
    this.#gauge('flotilla_simulated_nodes_registered', 'Simulated nodes registered', () => m.nodesRegistered);
    this.#gauge('flotilla_simulated_pods_running', 'Pods the simulated nodes run', () => s.podsRunning());
    this.#gauge('flotilla_simulated_lease_renewals_total', 'Lease renewals', () => m.leaseRenewals);
    this.#gauge('flotilla_simulated_lease_renew_failures_total', 'Failed lease renewals', () => m.leaseRenewFailures);
    this.#gauge('flotilla_simulated_node_status_writes_total', 'Node status reports', () => m.nodeStatusWrites);
    this.#gauge('flotilla_simulated_pods_started_total', 'Pods set Running', () => m.podsStarted);
    this.#gauge('flotilla_simulated_pods_deleted_total', 'Graceful deletions confirmed', () => m.podsDeleted);
  }

  watchProxy(p: KubeProxy): void {
    this.#gauge('kubeproxy_sync_proxy_rules_total', 'kube-proxy syncs', () => p.metrics.syncs);
    this.#gauge('flotilla_kubeproxy_listeners', 'Service port listeners bound', () => p.metrics.listeners);
    this.#gauge('flotilla_kubeproxy_bind_errors', 'Service port listeners that could not bind (last sync)',
      () => p.metrics.bindErrors);
    this.#gauge('flotilla_kubeproxy_active_connections', 'Proxied connections open', () =>
      Object.values(p.proxy.stats()).reduce((a, s) => a + s.connectionsActive, 0));
  }
}
