// The experiment's cluster: `flotilla up` (cluster/up.ts) in a fresh state directory with
// process-runtime workers and fast node lifecycle (dead nodes noticed in ~4 s, pods evicted
// ~2 s later), and the handles the faults need: which master holds the store leader, which
// scheduler / controller-manager holds its Lease, kill by process group, restart in boot order.
// Every process is ours by pid and state dir (cluster/processes.ts); `stop()` is `flotilla down`.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { down, loadState } from '../../cluster/manage.js';
import { alive, killClusterNow, launch, probe } from '../../cluster/processes.js';
import { type ClusterState, type ProcessRecord, writeState } from '../../cluster/state.js';
import { masterPorts } from '../../cluster/topology.js';
import { nodeRootDirs, stopContainers } from '../../cluster/containers.js';
import { tokenOf } from '../../cluster/up.js';
import { findResource, type Lease } from '../../control-plane/api/index.js';
import { ApiClient } from '../../control-plane/client/index.js';
import { upOnFreePorts } from '../../cluster/free-ports.js';
import { EtcdClient } from '../../store/client/client.js';
import { ChaosRunError } from '../run/errors.js';
import { CP_LIMITS } from './limits.js';

const ROLE_ORDER = ['store', 'apiserver', 'lb', 'scheduler', 'controller-manager', 'node-agent'];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class CpCluster {
  /** If the harness exits before stop() (a signal, a crash), nothing of a cluster it booted may outlive it. */
  readonly #onExit = () => killClusterNow(this.state);

  /** `attached`: a running cluster the user booted (`--cluster DIR`); it is left running afterwards. */
  private constructor(readonly state: ClusterState, readonly caPem: string, readonly token: string,
    readonly ownsStateDir: boolean, readonly attached = false) {
    if (!attached) process.on('exit', this.#onExit);
  }

  /**
   * A cluster already running from `flotilla up --state-dir DIR` (every process must be up). Its
   * topology must have the masters and workers the experiment's faults name.
   */
  static attach(stateDir: string, need: { masters: number; workers: number }): CpCluster {
    const state = loadState(stateDir);
    const down = state.processes.filter((r) => !alive(r, state)).map((r) => r.id);
    if (down.length > 0) {
      throw new ChaosRunError(`the cluster in ${stateDir} is not fully running (${down.join(', ')} stopped): ` +
        '`flotilla start` them first');
    }
    const t = state.topology;
    if (t.masters < need.masters || t.workers < need.workers) {
      throw new ChaosRunError(`the cluster in ${stateDir} has ${t.masters} masters and ${t.workers} workers; the ` +
        `experiment's topology needs ${need.masters} and ${need.workers}`);
    }
    return new CpCluster(state, readFileSync(join(state.stateDir, 'pki', 'ca.crt'), 'utf8'), tokenOf(state.kubeconfig),
      false, true);
  }

  static async start(o: { masters: number; workers: number; stateDir?: string }, say: (l: string) => void):
    Promise<CpCluster> {
    const stateDir = o.stateDir ?? mkdtempSync(join(tmpdir(), 'flotilla-chaos-cp-'));
    try {
      // A free range below the ephemeral ports, retried on a clash with another cluster.
      const state = await upOnFreePorts({ masters: o.masters, workers: o.workers, simulatedNodes: 0, stateDir,
        fastNodeLifecycle: true, timeoutMs: CP_LIMITS.clusterStartMsMax }, (l) => say(l.trim()));
      return new CpCluster(state, readFileSync(join(stateDir, 'pki', 'ca.crt'), 'utf8'), tokenOf(state.kubeconfig),
        o.stateDir === undefined);
    } catch (e) {
      await down(stateDir, () => undefined).catch(() => undefined);
      throw new ChaosRunError(`the cluster did not start: ${(e as Error).message}`);
    }
  }

  client(requestTimeoutMs: number): ApiClient {
    // One attempt per request (the client retries only 429s / Retry-After); a high rate limit: the
    // workload paces itself.
    return new ApiClient({ server: this.state.server, caPem: this.caPem, token: this.token, requestTimeoutMs,
      qps: 1000, burst: 1000, userAgent: 'flotilla-chaos' });
  }

  records(pred: (r: ProcessRecord) => boolean): ProcessRecord[] {
    return this.state.processes.filter(pred);
  }

  alive(r: ProcessRecord): boolean {
    return alive(r, this.state);
  }

  /** The master (1-based) whose store member is the Raft leader now; undefined if none answers. */
  async storeLeader(): Promise<number | undefined> {
    for (let i = 1; i <= this.state.topology.masters; i++) {
      const ep = `127.0.0.1:${masterPorts(this.state.topology, i).storeClient}`;
      const c = new EtcdClient({ endpoints: [ep], requestTimeoutMs: CP_LIMITS.lookupTimeoutMs });
      try {
        const st = await c.status(ep);
        if (st.leader !== 0n && st.leader === st.memberId) return i;
      } catch {
        // down or partitioned: ask the next one
      } finally {
        c.close();
      }
    }
    return undefined;
  }

  /** The live process holding kube-system/<lease> (kube-scheduler, kube-controller-manager). */
  async leaseHolder(lease: 'kube-scheduler' | 'kube-controller-manager'): Promise<ProcessRecord | undefined> {
    const c = this.client(CP_LIMITS.lookupTimeoutMs);
    try {
      const l = await c.get<Lease>(findResource('coordination.k8s.io', 'leases')!, 'kube-system', lease);
      const holder = l.spec?.holderIdentity ?? '';
      if (holder === '') return undefined;
      const role = lease === 'kube-scheduler' ? 'scheduler' : 'controller-manager';
      // Identities are hostname_uuid (the same host for all): the process that logged it at start holds it.
      return this.records((r) => r.role === role && this.alive(r))
        .find((r) => readFileSync(r.logFile, 'utf8').includes(`"identity":"${holder}"`));
    } catch {
      return undefined;
    } finally {
      c.close();
    }
  }

  /** Signals each process group and waits until it is gone; `machineDies` also kills the node's containers. */
  async kill(recs: ProcessRecord[], signal: NodeJS.Signals, machineDies: boolean): Promise<void> {
    for (const r of recs) {
      if (r.pid === undefined || !this.alive(r)) continue;
      try {
        process.kill(-r.pid, signal);
      } catch {
        // already gone
      }
    }
    const deadline = Date.now() + 10_000;
    while (recs.some((r) => this.alive(r)) && Date.now() < deadline) await sleep(20);
    for (const r of recs.filter((x) => this.alive(x) && x.pid !== undefined)) process.kill(-r.pid!, 'SIGKILL');
    const machines = [...new Set(recs.filter((r) => r.role === 'node-agent').map((r) => r.machine))];
    if (machineDies && machines.length > 0) await stopContainers(nodeRootDirs(this.state.stateDir, machines), 0);
  }

  /** Starts the stopped ones in boot order, each role's processes healthy before the next role starts. */
  async restart(recs: ProcessRecord[]): Promise<void> {
    const dead = recs.filter((r) => !this.alive(r))
      .sort((a, b) => ROLE_ORDER.indexOf(a.role) - ROLE_ORDER.indexOf(b.role));
    for (const role of ROLE_ORDER) {
      const group = dead.filter((r) => r.role === role);
      if (group.length === 0) continue;
      for (const r of group) launch(r);
      writeState(this.state);
      const deadline = Date.now() + CP_LIMITS.restartHealthyMsMax;
      for (const r of group) {
        while (!(await probe(r.healthUrl, this.caPem))) {
          if (Date.now() > deadline || !this.alive(r)) {
            throw new ChaosRunError(`${r.id} did not become healthy after its restart; see ${r.logFile}`);
          }
          await sleep(100);
        }
      }
    }
  }

  /** `flotilla down`; the state directory (logs) is removed only if we made it and `keep` is false. */
  async stop(keep = false): Promise<void> {
    if (this.attached) return; // the user's cluster: faults were healed, it stays up
    await down(this.state.stateDir, () => undefined);
    process.off('exit', this.#onExit);
    if (this.ownsStateDir && !keep) rmSync(this.state.stateDir, { recursive: true, force: true });
  }
}
