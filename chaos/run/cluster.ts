// The system under test: 3 or 5 store members (Flotilla or etcd) on loopback, each behind
// a fault proxy for peer traffic (fault-proxy.ts). Members advertise their proxy's URL and
// listen on their real peer port; clients talk to the members directly. Every process is
// spawned detached in its own process group and signalled through that group only.
import { spawn } from 'node:child_process';
import { mkdtempSync, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cleanEnv } from '../../bench/store/systems.js';
import { computeMemberId } from '../../store/server/members.js';
import { freePorts, ProcessCluster, type ProcessMember } from '../../store/server/testing/process-cluster.js';
import { ChaosRunError } from './errors.js';
import { dialerIdFromHead, FaultProxy, LinkTable } from './fault-proxy.js';
import { type MemberProcess, MemberProcessCluster } from './member-processes.js';
import { RUN_LIMITS } from './limits.js';

export type SystemName = 'flotilla' | 'etcd';

/** The workload's name in the link table: faults on 'client' → member and back act on client links. */
export const CLIENT = 'client';

/**
 * A fault proxy in front of every member's client port, for experiments with client-link faults:
 * every connection through it is the workload's ('client'), so the link table's client entries
 * apply. The monitor keeps talking to the members directly.
 */
export async function startClientProxies(c: ChaosCluster): Promise<Map<string, FaultProxy>> {
  const out = new Map<string, FaultProxy>();
  try {
    for (const m of c.members) {
      const upstreamPort = Number(m.clientEndpoint.slice(m.clientEndpoint.lastIndexOf(':') + 1));
      out.set(m.name, await FaultProxy.start({ name: m.name, upstreamPort, port: 0, links: c.links,
        identify: () => CLIENT }));
    }
  } catch (e) {
    await closeProxies(out);
    throw e;
  }
  return out;
}

export interface ChaosMember {
  name: string;
  /** host:port of the etcd v3 API. */
  clientEndpoint: string;
  metricsUrl: string;
}

export interface ClusterTiming {
  heartbeatMs: number;
  electionMs: number;
}

export interface ChaosCluster {
  readonly system: SystemName;
  readonly members: ChaosMember[];
  readonly links: LinkTable;
  readonly proxies: Map<string, FaultProxy>;
  running(name: string): boolean;
  kill(name: string, signal: NodeJS.Signals): Promise<void>;
  restart(name: string): void;
  pause(name: string): void;
  resume(name: string): void;
  stop(): Promise<void>;
  logOf(name: string): string;
}

/**
 * Proxies for every member, each naming the dialers of its connections. The members' ports
 * were free a moment ago but are not bound yet, so a proxy bound to one of them would steal
 * it: `reserved` are skipped.
 */
async function startProxies(names: string[], peerPorts: number[], token: string, links: LinkTable,
  reserved: ReadonlySet<number>): Promise<Map<string, FaultProxy>> {
  const byId = new Map<bigint, string>();
  const identify = (head: string) => {
    const id = dialerIdFromHead(head);
    return id === undefined ? undefined : byId.get(id);
  };
  const proxies = new Map<string, FaultProxy>();
  try {
    for (const [i, name] of names.entries()) {
      for (let attempt = 0; ; attempt++) {
        const p = await FaultProxy.start({ name, upstreamPort: peerPorts[i]!, port: 0, links, identify });
        if (!reserved.has(p.port)) {
          proxies.set(name, p);
          break;
        }
        await p.close();
        if (attempt > 20) throw new ChaosRunError('no free port for a fault proxy outside the members\' ports');
      }
      byId.set(computeMemberId([proxies.get(name)!.url], token), name);
    }
  } catch (e) {
    await closeProxies(proxies);
    throw e;
  }
  return proxies;
}

function initialCluster(proxies: Map<string, FaultProxy>): string {
  return [...proxies.entries()].map(([n, p]) => `${n}=${p.url}`).join(',');
}

export async function closeProxies(proxies: Map<string, FaultProxy>): Promise<void> {
  await Promise.all([...proxies.values()].map((p) => p.close()));
}

class FlotillaChaosCluster implements ChaosCluster {
  readonly system = 'flotilla' as const;
  readonly members: ChaosMember[];
  readonly #byName = new Map<string, ProcessMember>();

  constructor(readonly pc: ProcessCluster, readonly links: LinkTable, readonly proxies: Map<string, FaultProxy>) {
    this.members = pc.members.map((m) => {
      this.#byName.set(m.name, m);
      return { name: m.name, clientEndpoint: `127.0.0.1:${m.clientPort}`, metricsUrl: `http://127.0.0.1:${m.metricsPort}` };
    });
  }

  static async start(size: number, t: ClusterTiming): Promise<FlotillaChaosCluster> {
    const links = new LinkTable();
    let proxies = new Map<string, FaultProxy>();
    // ProcessCluster's token; member ids hash it with the advertised (proxy) URL.
    const token = 'flotilla-test';
    let pc: ProcessCluster;
    try {
      pc = await ProcessCluster.start({
        size, heartbeatMs: t.heartbeatMs, electionMs: t.electionMs,
        beforeLaunch: async (c) => {
          const reserved = new Set(c.members.flatMap((m) => [m.clientPort, m.peerPort, m.metricsPort]));
          proxies = await startProxies(c.members.map((m) => m.name), c.members.map((m) => m.peerPort), token, links,
            reserved);
          const ic = initialCluster(proxies);
          for (const m of c.members) {
            // Later flags win: the shared --initial-cluster names the proxies, and so does the member.
            m.extraFlags = ['--initial-cluster', ic, '--initial-advertise-peer-urls', proxies.get(m.name)!.url];
          }
        },
      });
    } catch (e) {
      await closeProxies(proxies);
      throw e;
    }
    return new FlotillaChaosCluster(pc, links, proxies);
  }

  #m(name: string): ProcessMember {
    const m = this.#byName.get(name);
    if (!m) throw new ChaosRunError(`no member ${name}`);
    return m;
  }

  running(name: string): boolean {
    const c = this.#m(name).child;
    return c !== undefined && c.exitCode === null && c.signalCode === null;
  }

  kill(name: string, signal: NodeJS.Signals): Promise<void> {
    const m = this.#m(name);
    if (signal !== 'SIGKILL') void this.pc.resume(m); // a stopped process cannot handle SIGTERM
    return this.pc.kill(m, signal);
  }

  restart(name: string): void {
    if (!this.running(name)) this.pc.launch(this.#m(name));
  }

  pause(name: string): void {
    void this.pc.pause(this.#m(name));
  }

  resume(name: string): void {
    void this.pc.resume(this.#m(name));
  }

  async stop(): Promise<void> {
    await this.pc.stopAll();
    await closeProxies(this.proxies);
  }

  logOf(name: string): string {
    return this.#m(name).logFile;
  }
}

interface EtcdMember extends ChaosMember, MemberProcess {
  args: string[];
}

class EtcdChaosCluster extends MemberProcessCluster<EtcdMember> implements ChaosCluster {
  readonly system = 'etcd' as const;
  readonly root = mkdtempSync(join(tmpdir(), 'flotilla-chaos-etcd-'));
  readonly links = new LinkTable();
  proxies = new Map<string, FaultProxy>();

  constructor() {
    super((m) => {
      const log = openSync(m.logFile, 'a');
      return spawn('etcd', m.args, { detached: true, stdio: ['ignore', log, log], env: cleanEnv() });
    });
  }

  static async start(size: number, t: ClusterTiming): Promise<EtcdChaosCluster> {
    const c = new EtcdChaosCluster();
    const ports = await freePorts(size * 3);
    const names = Array.from({ length: size }, (_, i) => `e${i + 1}`);
    const token = 'flotilla-chaos';
    c.proxies = await startProxies(names, names.map((_, i) => ports[3 * i + 1]!), token, c.links, new Set(ports));
    const ic = initialCluster(c.proxies);
    for (const [i, name] of names.entries()) {
      const client = `http://127.0.0.1:${ports[3 * i]}`;
      const metrics = `http://127.0.0.1:${ports[3 * i + 2]}`;
      const args = ['--name', name, '--data-dir', join(c.root, name), '--logger', 'zap', '--log-outputs', 'stderr',
        '--listen-client-urls', client, '--advertise-client-urls', client,
        '--listen-peer-urls', `http://127.0.0.1:${ports[3 * i + 1]}`,
        '--initial-advertise-peer-urls', c.proxies.get(name)!.url, '--listen-metrics-urls', metrics,
        '--initial-cluster', ic, '--initial-cluster-token', token, '--initial-cluster-state', 'new',
        '--heartbeat-interval', String(t.heartbeatMs), '--election-timeout', String(t.electionMs),
        '--snapshot-count', '100000'];
      c.members.push({ name, clientEndpoint: client.slice('http://'.length), metricsUrl: metrics, args,
        logFile: join(c.root, `${name}.log`) });
    }
    for (const m of c.members) c.restart(m.name);
    return c;
  }

  async stop(): Promise<void> {
    await this.procs.stopAll();
    await closeProxies(this.proxies);
    rmSync(this.root, { recursive: true, force: true });
  }
}

export async function memberHealthy(m: ChaosMember): Promise<boolean> {
  try {
    const r = await fetch(`${m.metricsUrl}/health`, { signal: AbortSignal.timeout(1000) });
    return r.ok;
  } catch {
    return false;
  }
}

export interface NetworkOptions {
  network: 'proxy' | 'netns';
  /** The experiment has delay/loss faults (netns mode needs the kernel's netem for them). */
  needsDelay: boolean;
}

async function startNetns(system: SystemName, size: number, t: ClusterTiming, needsDelay: boolean):
  Promise<ChaosCluster> {
  const { netnsUnavailable } = await import('../netns/lab.js');
  const why = netnsUnavailable();
  if (why !== undefined) throw new ChaosRunError(`topology.network netns: ${why}`);
  const { NetnsChaosCluster } = await import('../netns/cluster.js');
  const c = NetnsChaosCluster.start(system, size, t);
  if (needsDelay && !c.lab.canDelay) {
    await c.stop();
    throw new ChaosRunError('topology.network netns: the experiment has delay/loss faults, and this kernel has no ' +
      'prio/netem qdiscs to apply them; use topology.network proxy for it');
  }
  return c;
}

export async function startChaosCluster(system: SystemName, size: number, t: ClusterTiming,
  net: NetworkOptions = { network: 'proxy', needsDelay: false }): Promise<ChaosCluster> {
  const c = net.network === 'netns' ? await startNetns(system, size, t, net.needsDelay)
    : system === 'flotilla' ? await FlotillaChaosCluster.start(size, t) : await EtcdChaosCluster.start(size, t);
  const deadline = Date.now() + RUN_LIMITS.clusterStartMsMax;
  try {
    for (const m of c.members) {
      while (!(await memberHealthy(m))) {
        if (Date.now() > deadline) {
          throw new ChaosRunError(`${system} member ${m.name} not healthy after ${RUN_LIMITS.clusterStartMsMax} ms; ` +
            `see ${c.logOf(m.name)}`);
        }
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  } catch (e) {
    await c.stop();
    throw e;
  }
  return c;
}
