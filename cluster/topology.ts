// What `flotilla up` runs, and where: the stacked HA layout of Kubernetes' HA guides on
// loopback. Every master runs a store member, an apiserver, a scheduler and a controller-
// manager as separate processes; `flotilla lb` fronts the apiservers; workers run node
// agents (process runtime), plus optionally one process hosting many simulated nodes.
// Ports are derived from --base-port so a stopped machine comes back on the same ones.

export type Role = 'store' | 'apiserver' | 'scheduler' | 'controller-manager' | 'lb' | 'node-agent';

export interface ProcessSpec {
  /** Unique: "master-1/store", "worker-2/node-agent", "lb". */
  readonly id: string;
  /** The machine it belongs to: master-N, worker-N, sim, or lb. */
  readonly machine: string;
  readonly role: Role;
  /** Where its health endpoint is (http(s)://127.0.0.1:PORT/readyz). */
  readonly healthUrl: string;
  /** Ports it listens on, by purpose (for `flotilla status`). */
  readonly ports: Record<string, number>;
}

export interface TopologyOptions {
  masters: number;
  workers: number;
  simulatedNodes: number;
  basePort: number;
  lbPort: number;
}

export interface MasterPorts { storeClient: number; storePeer: number; storeMetrics: number; apiserver: number;
  scheduler: number; controllerManager: number }

export function masterPorts(o: TopologyOptions, i: number): MasterPorts {
  const b = o.basePort + 10 * i;
  return { storeClient: b + 1, storePeer: b + 2, storeMetrics: b + 3, apiserver: b + 4, scheduler: b + 5,
    controllerManager: b + 6 };
}

export function workerPorts(o: TopologyOptions, i: number): { metrics: number; kubelet: number } {
  const b = o.basePort + 500 + 10 * i;
  return { metrics: b + 1, kubelet: b + 2 };
}

export function lbMetricsPort(o: TopologyOptions): number {
  return o.basePort + 999;
}

export function validateTopology(o: TopologyOptions): void {
  if (o.masters !== 1 && o.masters !== 3 && o.masters !== 5) throw new Error(`--masters must be 1, 3 or 5 (got ${o.masters})`);
  if (!Number.isInteger(o.workers) || o.workers < 0 || o.workers > 40) throw new Error('--workers must be 0..40');
  if (!Number.isInteger(o.simulatedNodes) || o.simulatedNodes < 0 || o.simulatedNodes > 20_000) {
    throw new Error('--simulated-nodes must be 0..20000');
  }
  if (o.basePort < 1024 || o.basePort + 1000 > 65535) throw new Error('--base-port must leave room for 1000 ports below 65536');
}

export function processSpecs(o: TopologyOptions): ProcessSpec[] {
  const out: ProcessSpec[] = [];
  for (let i = 1; i <= o.masters; i++) {
    const p = masterPorts(o, i);
    const m = `master-${i}`;
    out.push({ id: `${m}/store`, machine: m, role: 'store', healthUrl: `http://127.0.0.1:${p.storeMetrics}/readyz`,
      ports: { client: p.storeClient, peer: p.storePeer, metrics: p.storeMetrics } });
    out.push({ id: `${m}/apiserver`, machine: m, role: 'apiserver', healthUrl: `https://127.0.0.1:${p.apiserver}/readyz`,
      ports: { https: p.apiserver } });
    out.push({ id: `${m}/scheduler`, machine: m, role: 'scheduler', healthUrl: `http://127.0.0.1:${p.scheduler}/livez`,
      ports: { metrics: p.scheduler } });
    out.push({ id: `${m}/controller-manager`, machine: m, role: 'controller-manager',
      healthUrl: `http://127.0.0.1:${p.controllerManager}/livez`, ports: { metrics: p.controllerManager } });
  }
  out.push({ id: 'lb', machine: 'lb', role: 'lb', healthUrl: `http://127.0.0.1:${lbMetricsPort(o)}/readyz`,
    ports: { https: o.lbPort, metrics: lbMetricsPort(o) } });
  for (let i = 1; i <= o.workers; i++) {
    const p = workerPorts(o, i);
    out.push({ id: `worker-${i}/node-agent`, machine: `worker-${i}`, role: 'node-agent',
      healthUrl: `http://127.0.0.1:${p.metrics}/livez`, ports: { metrics: p.metrics, kubelet: p.kubelet } });
  }
  if (o.simulatedNodes > 0) {
    const p = workerPorts(o, 0);
    out.push({ id: 'sim/node-agent', machine: 'sim', role: 'node-agent', healthUrl: `http://127.0.0.1:${p.metrics}/livez`,
      ports: { metrics: p.metrics } });
  }
  return out;
}
