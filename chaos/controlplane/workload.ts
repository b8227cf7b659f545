// The control-plane workload: Deployments created, scaled, re-templated (a rollout) and deleted
// through the apiserver (via the cluster's load balancer), plus cheap reads and writes that
// measure availability, plus optionally the real kubectl (get, then apply) in a loop. Every
// request is one attempt with a deadline and is recorded (ApiOp); a failure is recorded, never
// retried. Open loop: each stream ticks at its rate; a tick is skipped when too much is in flight.
import { spawn } from 'node:child_process';
import { findResource, type ConfigMap, type Deployment } from '../../control-plane/api/index.js';
import { ApiError, type ApiClient } from '../../control-plane/client/index.js';
import type { CpWorkload } from './experiment.js';
import type { ApiOp, ApiOpKind } from './history.js';
import { CP_LIMITS } from './limits.js';

const R = { deployments: findResource('apps', 'deployments')!, configmaps: findResource('', 'configmaps')!,
  namespaces: findResource('', 'namespaces')! };
export const DEPLOY_LABEL = 'chaos.flotilla.dev/deployment';
const PROBE_CM = 'chaos-probe';
const KUBECTL_CM = 'chaos-kubectl';

export function deploymentManifest(w: CpWorkload, name: string, replicas: number): Deployment {
  return { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace: w.namespace },
    spec: { replicas, selector: { matchLabels: { [DEPLOY_LABEL]: name } },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: w.maxSurge, maxUnavailable: w.maxUnavailable } },
      template: { metadata: { labels: { [DEPLOY_LABEL]: name }, annotations: { 'chaos.flotilla.dev/version': '0' } },
        // busybox is the host's sh: a pod is one `sleep` process on a process-runtime node.
        spec: { terminationGracePeriodSeconds: 1, containers: [{ name: 'main', image: 'busybox', command: ['sleep', '3600'] }] } } } };
}

export class DeploymentWorkload {
  readonly ops: ApiOp[] = [];
  /** Deployments that exist as far as the workload knows (deleted ones leave at the delete's call). */
  readonly live: string[] = [];
  #next = 0;
  #version = 0;
  #probe = 0;
  #inFlight = 0;
  #kubectlInFlight = 0;
  #timers: NodeJS.Timeout[] = [];
  #mutationTimers: NodeJS.Timeout[] = [];
  #pending = new Set<Promise<void>>();

  constructor(private readonly w: CpWorkload, private readonly api: ApiClient, private readonly kubeconfig: string,
    private readonly now: () => number) {}

  async #record(kind: ApiOpKind, target: string, fn: () => Promise<unknown>, more: Partial<ApiOp> = {}):
    Promise<boolean> {
    const op: ApiOp = { id: this.ops.length + 1, kind, via: 'api', target, call: this.now(), ret: null, ...more };
    this.ops.push(op);
    this.#inFlight++;
    try {
      await fn();
      op.ret = this.now();
      return true;
    } catch (e) {
      op.error = (e as Error).message.split('\n')[0]!.slice(0, 200);
      // The server answered with a Status: the request was refused, nothing was written.
      if (e instanceof ApiError && e.code >= 400 && e.code < 500) op.notApplied = true;
      return false;
    } finally {
      this.#inFlight--;
    }
  }

  #track(p: Promise<unknown>): void {
    const q = p.then(() => undefined, () => undefined);
    this.#pending.add(q);
    void q.finally(() => this.#pending.delete(q));
  }

  async #create(): Promise<void> {
    const name = `d-${++this.#next}`;
    this.live.push(name);
    await this.#record('create', name, () => this.api.create(R.deployments, this.w.namespace,
      deploymentManifest(this.w, name, this.w.replicas)), { replicas: this.w.replicas, maxSurge: this.w.maxSurge });
  }

  /** Namespace, the probe ConfigMap and the first Deployments (recorded: their writes bound the surge check). */
  async setup(): Promise<void> {
    await this.api.create(R.namespaces, '', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: this.w.namespace } });
    for (const name of [PROBE_CM, KUBECTL_CM]) {
      await this.api.create<ConfigMap>(R.configmaps, this.w.namespace, { apiVersion: 'v1', kind: 'ConfigMap',
        metadata: { name }, data: { n: '0' } });
    }
    for (let i = 0; i < this.w.deployments; i++) await this.#create();
    const failed = this.ops.filter((o) => o.ret === null);
    if (failed.length > 0) throw new Error(`creating the first Deployments failed: ${failed[0]!.error}`);
  }

  #pick(): string | undefined {
    return this.live[Math.floor(Math.random() * this.live.length)];
  }

  #every(rate: number, fn: () => Promise<unknown>, mutation: boolean): void {
    if (rate <= 0) return;
    const t = setInterval(() => {
      if (this.#inFlight >= CP_LIMITS.inFlightMax) return;
      this.#track(fn());
    }, 1000 / rate);
    (mutation ? this.#mutationTimers : this.#timers).push(t);
  }

  start(): void {
    const w = this.w;
    const ns = w.namespace;
    this.#every(w.scaleRate, async () => {
      const d = this.#pick();
      if (d === undefined) return;
      const replicas = w.minReplicas + Math.floor(Math.random() * (w.maxReplicas - w.minReplicas + 1));
      await this.#record('scale', d, () => this.api.patch(R.deployments, ns, d, 'merge', { spec: { replicas } }),
        { replicas, maxSurge: w.maxSurge });
    }, true);
    this.#every(w.updateRate, async () => {
      const d = this.#pick();
      if (d === undefined) return;
      const v = String(++this.#version);
      await this.#record('update', d, () => this.api.patch(R.deployments, ns, d, 'merge',
        { spec: { template: { metadata: { annotations: { 'chaos.flotilla.dev/version': v } } } } }));
    }, true);
    this.#every(w.churnRate, async () => {
      const d = this.#pick();
      if (d === undefined || this.live.length <= 1) return;
      this.live.splice(this.live.indexOf(d), 1);
      await this.#record('delete', d, () => this.api.delete(R.deployments, ns, d), { replicas: 0, maxSurge: 0 });
      await this.#create();
    }, true);
    this.#every(w.readRate, async () => {
      const d = this.#pick();
      await this.#record('read', d ?? '*', () => (this.#probe++ % 2 === 0 && d !== undefined
        ? this.api.get(R.deployments, ns, d) : this.api.list(R.deployments, { namespace: ns })));
    }, false);
    this.#every(w.writeRate, async () => {
      const n = String(++this.#probe);
      await this.#record('write', PROBE_CM, () => this.api.patch(R.configmaps, ns, PROBE_CM, 'merge', { data: { n } }));
    }, false);
    if (w.kubectl) this.#startKubectl(w.kubectl);
  }

  #startKubectl(k: NonNullable<CpWorkload['kubectl']>): void {
    let n = 0;
    const t = setInterval(() => {
      if (this.#kubectlInFlight >= CP_LIMITS.kubectlInFlightMax) return;
      const get = n++ % 2 === 0;
      const timeout = `--request-timeout=${Math.ceil(k.requestTimeoutMs / 1000)}s`;
      const args = get ? ['get', 'deployments', '-n', this.w.namespace, '-o', 'name', timeout]
        : ['apply', '-n', this.w.namespace, '-f', '-', timeout];
      const input = get ? undefined : JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap',
        metadata: { name: KUBECTL_CM }, data: { n: String(n) } });
      this.#track(this.#kubectl(get ? 'kubectl-get' : 'kubectl-apply', args, input, k.requestTimeoutMs));
    }, 1000 / k.rate);
    this.#timers.push(t);
  }

  #kubectl(kind: ApiOpKind, args: string[], input: string | undefined, timeoutMs: number): Promise<void> {
    const op: ApiOp = { id: this.ops.length + 1, kind, via: 'kubectl', target: KUBECTL_CM, call: this.now(), ret: null };
    this.ops.push(op);
    this.#kubectlInFlight++;
    return new Promise((resolve) => {
      const child = spawn('kubectl', args, { env: { ...process.env, KUBECONFIG: this.kubeconfig },
        stdio: [input === undefined ? 'ignore' : 'pipe', 'ignore', 'pipe'] });
      let err = '';
      child.stderr!.on('data', (c: Buffer) => (err += c.toString()).slice(0, 2000));
      if (input !== undefined) child.stdin!.end(input);
      // kubectl's own --request-timeout covers each request; this covers everything else (discovery, a hang).
      const killer = setTimeout(() => child.kill('SIGKILL'), timeoutMs + 2_000);
      child.on('error', (e) => (err += e.message));
      child.on('close', (code) => {
        clearTimeout(killer);
        this.#kubectlInFlight--;
        if (code === 0) op.ret = this.now();
        else op.error = (err.trim().split('\n')[0] ?? `exit ${code}`).slice(0, 200) || `exit ${code}`;
        resolve();
      });
    });
  }

  /** Stops the spec changes (scale, update, churn); reads, writes and kubectl go on. */
  stopMutations(): void {
    for (const t of this.#mutationTimers.splice(0)) clearInterval(t);
  }

  async stop(): Promise<void> {
    this.stopMutations();
    for (const t of this.#timers.splice(0)) clearInterval(t);
    await Promise.all([...this.#pending]);
  }
}
