// The simulated runtime: pods "run" without processes, so one OS process can host thousands
// of simulated nodes for scale tests (as kubemark's hollow kubelet does with a fake runtime).
// Containers are Running as soon as they start and stay so until stopped (exit 0, as a
// process that honours SIGTERM would) or crashed on purpose with crash(). No timers, files or
// sockets per pod: a container is one small object; logs are one line saying it is simulated.
import type { Container } from '../../control-plane/api/index.js';
import { formatCriRecord } from './cri-log.js';
import { ContainerRunningError, LimitError, NotFoundError, RuntimeError } from './errors.js';
import type { ImageCatalogue } from './images.js';
import { resolveArgv } from './images.js';
import { CONTAINERS_PER_RUNTIME_MAX } from './limits.js';
import { PodIpAllocator } from './pod-ip.js';
import { terminatedReason } from './restart-policy.js';
import type {
  ContainerExitListener, ContainerHandle, ContainerRuntime, ContainerStatusInfo, ExecResult, ExecSession,
  ExecStreamOptions, ExitInfo, PodSandboxConfig, ReadLogsOptions, Sandbox,
} from './types.js';

export interface SimulatedRuntimeOptions {
  nodeIndex: number;
  /** If given, images are checked against it (unknown → ImagePullError); by default any image "runs". */
  images?: ImageCatalogue;
  now?: () => number;
}

let nextId = 1;

export class SimulatedRuntime implements ContainerRuntime {
  readonly nodeIndex: number;
  readonly ips: PodIpAllocator;
  readonly #images: ImageCatalogue | undefined;
  readonly #now: () => number;
  readonly #sandboxes = new Map<string, Sandbox>();
  readonly #containers = new Map<string, ContainerStatusInfo>();
  readonly #listeners = new Set<ContainerExitListener>();

  constructor(o: SimulatedRuntimeOptions) {
    this.nodeIndex = o.nodeIndex;
    this.ips = new PodIpAllocator(o.nodeIndex);
    this.#images = o.images;
    this.#now = o.now ?? Date.now;
  }

  async startPodSandbox(pod: PodSandboxConfig): Promise<Sandbox> {
    const sandbox: Sandbox = {
      id: `sim-${this.nodeIndex}-${nextId++}`, uid: pod.uid, namespace: pod.namespace, name: pod.name,
      hostname: pod.hostname ?? pod.name, ip: this.ips.allocate(), podDir: '', createdAtMs: this.#now(),
      volumes: (pod.volumes ?? []).map((v) => v.name),
    };
    this.#sandboxes.set(sandbox.id, sandbox);
    return { ...sandbox };
  }

  async startContainer(sandbox: Sandbox, container: Container,
    opts: { attempt?: number } = {}): Promise<ContainerHandle> {
    if (!this.#sandboxes.has(sandbox.id)) throw new NotFoundError('pod sandbox', sandbox.id);
    if (this.#images !== undefined) resolveArgv(this.#images.resolve(container.image), container);
    let attempt = opts.attempt ?? 0;
    for (const c of this.#containers.values()) {
      if (c.sandboxId !== sandbox.id || c.name !== container.name) continue;
      if (c.state === 'running') throw new ContainerRunningError(container.name, sandbox.id);
      // Only the newest terminated instance is kept, as in the process runtime.
      this.#containers.delete(c.id);
      if (opts.attempt === undefined) attempt = c.attempt + 1;
    }
    if (this.#containers.size >= CONTAINERS_PER_RUNTIME_MAX) {
      throw new LimitError(`this simulated node has ${this.#containers.size} containers, the most it may`);
    }
    const status: ContainerStatusInfo = {
      id: `sim-${this.nodeIndex}-${nextId++}`, sandboxId: sandbox.id, name: container.name,
      image: container.image ?? '', attempt, state: 'running', startedAtMs: this.#now(),
    };
    this.#containers.set(status.id, status);
    return { id: status.id, sandboxId: sandbox.id, name: status.name, pid: 0, startedAtMs: status.startedAtMs ?? 0 };
  }

  /** Makes a running container exit with this code now (to drive restart logic in tests). */
  crash(id: string, exitCode: number): ExitInfo {
    const c = this.#get(id);
    if (c.state === 'running') this.#terminate(c, exitCode);
    return this.#exitOf(c);
  }

  async stopContainer(id: string, _gracePeriodSeconds: number): Promise<ExitInfo> {
    return this.crash(id, 0);
  }

  async removeContainer(id: string): Promise<void> {
    const c = this.#containers.get(id);
    if (c === undefined) return;
    if (c.state === 'running') this.#terminate(c, 0);
    this.#containers.delete(id);
  }

  async removePodSandbox(sandboxId: string): Promise<void> {
    const sb = this.#sandboxes.get(sandboxId);
    if (sb === undefined) return;
    for (const c of [...this.#containers.values()]) {
      if (c.sandboxId !== sandboxId) continue;
      if (c.state === 'running') this.#terminate(c, 0);
      this.#containers.delete(c.id);
    }
    this.ips.release(sb.ip);
    this.#sandboxes.delete(sandboxId);
  }

  listSandboxes(): Sandbox[] {
    return [...this.#sandboxes.values()].map((s) => ({ ...s }));
  }

  listContainers(filter: { sandboxId?: string } = {}): ContainerStatusInfo[] {
    return [...this.#containers.values()]
      .filter((c) => filter.sandboxId === undefined || c.sandboxId === filter.sandboxId).map((c) => ({ ...c }));
  }

  containerStatus(id: string): ContainerStatusInfo | undefined {
    const c = this.#containers.get(id);
    return c === undefined ? undefined : { ...c };
  }

  onContainerExit(listener: ContainerExitListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  readLogs(id: string, opts: ReadLogsOptions = {}): AsyncIterable<Buffer> {
    const c = this.#get(id);
    if (opts.previous === true) throw new NotFoundError('previous terminated instance of container', c.name);
    const line = formatCriRecord(c.startedAtMs ?? 0, 'stdout', false,
      Buffer.from(`container ${c.name} is simulated by node ${this.nodeIndex}: no process runs, no output`));
    const out = line.subarray(Math.min(line.length, opts.sinceBytes ?? 0));
    return (async function* () {
      if (out.length > 0 && opts.tail !== 0) yield out;
    })();
  }

  async exec(id: string, _command: string[], _timeoutMs: number): Promise<ExecResult> {
    const c = this.#get(id);
    if (c.state !== 'running') {
      throw new RuntimeError('FLOTILLA_ERR_EXEC', `cannot exec in container ${c.name}: it is not running`);
    }
    // Simulated processes are always healthy: exec probes succeed.
    return { exitCode: 0, output: '', timedOut: false };
  }

  execStream(id: string, _command: string[], _o: ExecStreamOptions): ExecSession {
    const c = this.#get(id);
    throw new RuntimeError('FLOTILLA_ERR_EXEC', `cannot exec in container ${c.name}: it is simulated, no process ` +
      'runs; use a node with the process runtime');
  }

  async close(): Promise<void> {
    // Nothing to let go of: no processes, files or timers.
  }

  #get(id: string): ContainerStatusInfo {
    const c = this.#containers.get(id);
    if (c === undefined) throw new NotFoundError('container', id);
    return c;
  }

  #terminate(c: ContainerStatusInfo, exitCode: number): void {
    c.state = 'terminated';
    c.exitCode = exitCode;
    c.reason = terminatedReason(exitCode);
    c.finishedAtMs = this.#now();
    const snapshot = { ...c };
    for (const l of this.#listeners) l(snapshot);
  }

  #exitOf(c: ContainerStatusInfo): ExitInfo {
    return { exitCode: c.exitCode ?? 0, reason: c.reason ?? '', finishedAtMs: c.finishedAtMs ?? 0 };
  }
}
