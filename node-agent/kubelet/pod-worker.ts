// One pod's worker (pod_workers.go + kuberuntime_manager.go SyncPod, much reduced): every sync
// is level-triggered — it reads the runtime's containers of the pod and moves them one step
// toward the spec: sandbox (pod IP, volumes), init containers one at a time in order, then the
// app containers, restarts under restartPolicy with CrashLoopBackOff, probes, and on deletion the
// graceful stop (SIGTERM, SIGKILL after the grace period), the final status and the DELETE with
// gracePeriodSeconds 0 that lets the apiserver remove the object. Syncs of one pod never overlap.
import type { Logger } from 'pino';
import type { Container, Pod, PodStatus } from '../../control-plane/api/index.js';
import { type ApiClient, isConflict, isNotFound } from '../../control-plane/client/index.js';
import {
  type BackoffEntry, type ContainerRuntime, type ContainerStatusInfo, decideRestart, type ImageCatalogue,
  ImagePullError, nextPullStep, onPullFailure, podDescription, ProbeWorker, type ProbeType, runProbe, type Sandbox,
} from '../runtime/index.js';
import { CachedSource, type ObjectSource, resolveContainer, resolveVolumes } from './env.js';
import { ContainerConfigError, VolumeSetupError } from './errors.js';
import type { EventRecorder } from './events.js';
import { POD_RESYNC_INTERVAL_MS, POD_SYNC_RETRY_MS } from './limits.js';
import { computePodStatus, type ContainerView } from './pod-status.js';
import { PODS } from './resources.js';

/** What a worker needs of its kubelet. */
export interface WorkerHost {
  readonly runtime: ContainerRuntime;
  readonly client: ApiClient;
  readonly nodeName: string;
  readonly hostIP: string;
  readonly images: ImageCatalogue | undefined;
  readonly source: ObjectSource;
  readonly events: EventRecorder;
  readonly log: Logger;
  allocatable(): Record<string, string>;
  /** Runs fn when a sync slot is free (bounds concurrent syncs). */
  limit<T>(fn: () => Promise<T>): Promise<T>;
  /** Counts a status write (metrics). */
  onStatusWrite(ok: boolean): void;
}

/** The kubelet's notes on one container of the spec, kept between syncs. */
interface Slot {
  waiting?: { reason: string; message?: string } | undefined;
  backoff?: BackoffEntry | undefined;
  pullBackoff?: BackoffEntry | undefined;
  probesFor?: string | undefined;
  probes: Partial<Record<ProbeType, ProbeWorker>>;
}

type Outcome = 'done' | 'running' | 'waiting' | 'failed';

export class PodWorker {
  readonly uid: string;
  pod: Pod;
  /** The pod is gone from the apiserver (informer delete). */
  deleted = false;
  /** Torn down: containers stopped, sandbox removed. The kubelet drops the worker. */
  done = false;
  readonly #h: WorkerHost;
  readonly #slots = new Map<string, Slot>();
  #sandbox: Sandbox | undefined;
  #lastStatus: PodStatus | undefined;
  #lastStatusJson: string | undefined;
  #startTimeMs: number | undefined;
  #wakeAtMs: number | undefined;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #again = false;
  #terminal = false;
  #source: ObjectSource;

  constructor(host: WorkerHost, pod: Pod, adopted: Sandbox | undefined) {
    this.#h = host;
    this.pod = pod;
    this.uid = pod.metadata?.uid ?? '';
    this.#sandbox = adopted;
    this.#source = host.source;
  }

  get sandbox(): Sandbox | undefined {
    return this.#sandbox;
  }

  get key(): string {
    return `${this.pod.metadata?.namespace ?? ''}/${this.pod.metadata?.name ?? ''}`;
  }

  /** Asks for a sync; one runs at a time, a request during a sync runs another right after. */
  kick(): void {
    if (this.#running !== undefined) {
      this.#again = true;
      return;
    }
    this.#running = this.#loop().finally(() => {
      this.#running = undefined;
    });
  }

  /** Resolves when no sync is running. */
  async idle(): Promise<void> {
    while (this.#running !== undefined) await this.#running;
  }

  stop(): void {
    clearTimeout(this.#timer);
    for (const s of this.#slots.values()) this.#stopProbes(s);
  }

  async #loop(): Promise<void> {
    do {
      this.#again = false;
      this.#wakeAtMs = undefined;
      try {
        await this.#h.limit(() => this.sync());
      } catch (e) {
        this.#h.log.error({ pod: this.key, err: (e as Error).message }, 'Error syncing pod, skipping');
        this.#wake(POD_SYNC_RETRY_MS);
      }
    } while (this.#again && !this.done);
    if (this.done) return;
    const delay = Math.min(this.#wakeAtMs === undefined ? POD_RESYNC_INTERVAL_MS : this.#wakeAtMs - Date.now(),
      POD_RESYNC_INTERVAL_MS);
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => this.kick(), Math.max(0, delay) + 5);
    this.#timer.unref();
  }

  #wake(inMs: number): void {
    const at = Date.now() + inMs;
    if (this.#wakeAtMs === undefined || at < this.#wakeAtMs) this.#wakeAtMs = at;
  }

  #slot(name: string): Slot {
    let s = this.#slots.get(name);
    if (s === undefined) this.#slots.set(name, s = { probes: {} });
    return s;
  }

  /** The newest instance of a container and the one before it, from the runtime. */
  #instances(name: string): [ContainerStatusInfo | undefined, ContainerStatusInfo | undefined] {
    if (this.#sandbox === undefined) return [undefined, undefined];
    const list = this.#h.runtime.listContainers({ sandboxId: this.#sandbox.id }).filter((c) => c.name === name)
      .sort((a, b) => b.attempt - a.attempt || (b.startedAtMs ?? 0) - (a.startedAtMs ?? 0));
    return [list[0], list[1]];
  }

  /** One level-triggered step toward the spec. */
  async sync(): Promise<void> {
    if (this.done) return;
    const p = this.pod;
    this.#startTimeMs ??= Date.now();
    if (this.deleted || p.metadata?.deletionTimestamp !== undefined || p.spec?.nodeName !== this.#h.nodeName) {
      await this.#terminate();
      return;
    }
    if (this.#terminal) return;
    this.#source = new CachedSource(this.#h.source);
    if (await this.#ensureSandbox()) {
      const initDone = await this.#syncInit();
      for (const c of p.spec?.containers ?? []) {
        if (initDone) await this.#syncContainer(c, false);
        else if (this.#instances(c.name)[0] === undefined) this.#slot(c.name).waiting = { reason: 'PodInitializing' };
      }
    }
    const status = await this.#writeStatus(false);
    if (status !== undefined && (status.phase === 'Succeeded' || status.phase === 'Failed')) {
      // A terminal pod runs nothing more; its containers and logs stay until the pod is deleted.
      this.#terminal = true;
      for (const s of this.#slots.values()) this.#stopProbes(s);
    }
  }

  async #ensureSandbox(): Promise<boolean> {
    if (this.#sandbox !== undefined) return true;
    const p = this.pod;
    try {
      const volumes = await resolveVolumes(p, this.#source);
      this.#sandbox = await this.#h.runtime.startPodSandbox({
        uid: this.uid, namespace: p.metadata?.namespace ?? 'default', name: p.metadata?.name ?? '',
        hostname: p.spec?.hostname ?? p.metadata?.name ?? '', volumes,
      });
      return true;
    } catch (e) {
      const msg = (e as Error).message;
      const reason = e instanceof VolumeSetupError ? 'FailedMount' : 'FailedCreatePodSandBox';
      this.#h.events.pod(p, 'Warning', reason, msg);
      this.#h.log.warn({ pod: this.key, err: msg }, 'pod sandbox not ready');
      this.#wake(POD_SYNC_RETRY_MS);
      return false;
    }
  }

  /** Init containers run one at a time, in order; true once all have succeeded. */
  async #syncInit(): Promise<boolean> {
    for (const c of this.pod.spec?.initContainers ?? []) {
      const r = await this.#syncContainer(c, true);
      if (r !== 'done') return false;
    }
    return true;
  }

  async #syncContainer(c: Container, isInit: boolean): Promise<Outcome> {
    const slot = this.#slot(c.name);
    const [cur] = this.#instances(c.name);
    if (cur?.state === 'running') {
      slot.waiting = undefined;
      if (!isInit) this.#ensureProbes(c, cur, slot);
      return 'running';
    }
    if (cur === undefined) return this.#start(c, slot, 0);
    this.#stopProbes(slot);
    if (isInit && cur.exitCode === 0) return 'done';
    const podPolicy = this.pod.spec?.restartPolicy ?? 'Always';
    // Init containers are retried until they succeed, unless the pod's policy is Never.
    const policy = isInit ? (podPolicy === 'Never' ? 'Never' : 'OnFailure') : podPolicy;
    const d = decideRestart({
      policy, exit: { exitCode: cur.exitCode ?? 0, finishedAtMs: cur.finishedAtMs ?? 0 }, backoff: slot.backoff,
      nowMs: Date.now(), containerName: c.name,
      podDescription: podDescription(this.pod.metadata?.name ?? '', this.pod.metadata?.namespace ?? '', this.uid),
    });
    if (d.action === 'leave-terminated') {
      slot.waiting = undefined;
      return cur.exitCode === 0 ? 'done' : 'failed';
    }
    if (d.action === 'back-off') {
      if (slot.waiting?.reason !== 'CrashLoopBackOff') {
        this.#h.events.pod(this.pod, 'Warning', 'BackOff', 'Back-off restarting failed container ' +
          `${c.name} in pod ${podDescription(this.pod.metadata?.name ?? '', this.pod.metadata?.namespace ?? '',
            this.uid)}`, this.#fieldPath(c, isInit));
      }
      slot.waiting = d.waiting;
      this.#wake(d.retryAtMs - Date.now());
      return 'waiting';
    }
    slot.backoff = d.backoff;
    return this.#start(c, slot, cur.attempt + 1);
  }

  #fieldPath(c: Container, isInit: boolean): string {
    return `spec.${isInit ? 'initContainers' : 'containers'}{${c.name}}`;
  }

  /** Pull (the catalogue check, with ErrImagePull / ImagePullBackOff), build the config, start. */
  async #start(c: Container, slot: Slot, attempt: number): Promise<Outcome> {
    const sb = this.#sandbox!;
    const image = c.image ?? '';
    const isInit = (this.pod.spec?.initContainers ?? []).some((x) => x.name === c.name);
    const fieldPath = this.#fieldPath(c, isInit);
    const step = nextPullStep(image, slot.pullBackoff, Date.now());
    if (step.action === 'wait') {
      slot.waiting = step.waiting;
      this.#wake(step.retryAtMs - Date.now());
      return 'waiting';
    }
    let id: string;
    try {
      this.#h.images?.resolve(image);
      const config = await resolveContainer(c, {
        pod: this.pod, podIP: sb.ip, hostIP: this.#h.hostIP, source: this.#source, allocatable: this.#h.allocatable(),
      });
      id = (await this.#h.runtime.startContainer(sb, config, { attempt })).id;
    } catch (e) {
      const err = e as Error;
      if (e instanceof ImagePullError) {
        const f = onPullFailure(slot.pullBackoff, Date.now(), err);
        slot.pullBackoff = f.entry;
        slot.waiting = f.waiting;
        this.#h.events.pod(this.pod, 'Warning', 'Failed', `Failed to pull image "${image}": ${err.message}`, fieldPath);
        // The next sync shows ImagePullBackOff until the backoff ends (the kubelet's pod worker resyncs at once).
        this.#wake(1000);
        return 'waiting';
      }
      const reason = e instanceof ContainerConfigError ? 'CreateContainerConfigError' : 'RunContainerError';
      slot.waiting = { reason, message: err.message };
      this.#h.events.pod(this.pod, 'Warning', 'Failed', `Error: ${err.message}`, fieldPath);
      this.#wake(POD_SYNC_RETRY_MS);
      return 'waiting';
    }
    slot.pullBackoff = undefined;
    slot.waiting = undefined;
    this.#h.events.pod(this.pod, 'Normal', 'Started', `Started container ${c.name}`, fieldPath);
    const started = this.#h.runtime.containerStatus(id);
    if (!isInit && started?.state === 'running') this.#ensureProbes(c, started, slot);
    return 'running';
  }

  #ensureProbes(c: Container, cur: ContainerStatusInfo, slot: Slot): void {
    if (slot.probesFor === cur.id || this.#sandbox === undefined) return;
    this.#stopProbes(slot);
    slot.probesFor = cur.id;
    const ctx = {
      podIP: this.#sandbox.ip, ports: c.ports ?? [],
      exec: (cmd: string[], t: number) => this.#h.runtime.exec(cur.id, cmd, t),
    };
    const specs: [ProbeType, Container['livenessProbe']][] =
      [['startup', c.startupProbe], ['liveness', c.livenessProbe], ['readiness', c.readinessProbe]];
    for (const [type, probe] of specs) {
      if (probe === undefined) continue;
      slot.probes[type] = new ProbeWorker({
        type, probe, startedAtMs: cur.startedAtMs ?? Date.now(), run: (h, t) => runProbe(h, ctx, t),
        isStarted: () => slot.probes.startup?.result ?? true,
        onResult: (ok, outcome) => this.#onProbe(type, c, cur, ok, outcome.output),
      });
    }
    for (const w of Object.values(slot.probes)) w.start();
  }

  /** prober results: readiness/startup changes go to the status; liveness/startup failures kill the container. */
  #onProbe(type: ProbeType, c: Container, cur: ContainerStatusInfo, ok: boolean, output: string): void {
    if (!ok) {
      const name = `${type[0]!.toUpperCase()}${type.slice(1)}`;
      this.#h.events.pod(this.pod, 'Warning', 'Unhealthy', `${name} probe failed: ${output}`, `spec.containers{${c.name}}`);
    }
    if (!ok && type !== 'readiness') {
      const probe = type === 'liveness' ? c.livenessProbe : c.startupProbe;
      const grace = probe?.terminationGracePeriodSeconds ?? this.pod.spec?.terminationGracePeriodSeconds ?? 30;
      this.#h.log.info({ pod: this.key, container: c.name, probe: type }, `Container ${c.name} failed ${type} probe, ` +
        'will be restarted');
      this.#h.events.pod(this.pod, 'Normal', 'Killing', `Container ${c.name} failed ${type} probe, will be restarted`,
        `spec.containers{${c.name}}`);
      void this.#h.runtime.stopContainer(cur.id, grace).catch(() => undefined).then(() => this.kick());
      return;
    }
    this.kick();
  }

  #stopProbes(slot: Slot): void {
    for (const w of Object.values(slot.probes)) w.stop();
    slot.probes = {};
    slot.probesFor = undefined;
  }

  #view(c: Container): ContainerView {
    const [current, previous] = this.#instances(c.name);
    const slot = this.#slot(c.name);
    const running = current?.state === 'running';
    return {
      name: c.name, image: c.image ?? '', current, previous, waiting: running ? undefined : slot.waiting,
      // With a probe in the spec, not ready / not started until its worker says so.
      ready: c.readinessProbe === undefined ? true : slot.probes.readiness?.result ?? false,
      started: c.startupProbe === undefined ? true : slot.probes.startup?.result ?? false,
    };
  }

  #status(terminated: boolean): PodStatus {
    const spec = this.pod.spec;
    return computePodStatus({
      pod: this.pod, initContainers: (spec?.initContainers ?? []).map((c) => this.#view(c)),
      containers: (spec?.containers ?? []).map((c) => this.#view(c)), podIP: this.#sandbox?.ip,
      hostIP: this.#h.hostIP, startTimeMs: this.#startTimeMs ?? Date.now(), sandboxReady: this.#sandbox !== undefined,
      nowMs: Date.now(), previous: this.#lastStatus, terminated,
    });
  }

  /** statusManager: PATCH pods/NAME/status when the status differs from what was last written. */
  async #writeStatus(terminated: boolean): Promise<PodStatus | undefined> {
    if (this.deleted) return undefined;
    const status = this.#status(terminated);
    const json = JSON.stringify(status);
    if (json === this.#lastStatusJson) return status;
    try {
      await this.#h.client.patch(PODS, this.pod.metadata?.namespace ?? 'default', this.pod.metadata?.name ?? '', 'merge',
        { status }, { subresource: 'status' });
      this.#lastStatus = status;
      this.#lastStatusJson = json;
      this.#h.onStatusWrite(true);
    } catch (e) {
      this.#h.onStatusWrite(false);
      if (isNotFound(e)) return status;
      this.#h.log.warn({ pod: this.key, err: (e as Error).message }, 'Failed to update status for pod');
      this.#wake(POD_SYNC_RETRY_MS);
    }
    return status;
  }

  /** killPod + the final status + DELETE with grace 0 (the kubelet's confirmation of a graceful delete). */
  async #terminate(): Promise<void> {
    for (const s of this.#slots.values()) this.#stopProbes(s);
    const p = this.pod;
    const grace = p.metadata?.deletionGracePeriodSeconds ?? p.spec?.terminationGracePeriodSeconds ?? 30;
    if (this.#sandbox !== undefined) {
      const running = this.#h.runtime.listContainers({ sandboxId: this.#sandbox.id }).filter((c) => c.state === 'running');
      for (const c of running) {
        this.#h.events.pod(p, 'Normal', 'Killing', `Stopping container ${c.name}`, `spec.containers{${c.name}}`);
      }
      await Promise.all(running.map((c) => this.#h.runtime.stopContainer(c.id, grace).catch((e: Error) => {
        this.#h.log.warn({ pod: this.key, container: c.name, err: e.message }, 'stopping container failed');
      })));
    }
    for (const s of this.#slots.values()) s.waiting = undefined;
    if (!this.deleted) await this.#writeStatus(true);
    if (this.#sandbox !== undefined) {
      await this.#h.runtime.removePodSandbox(this.#sandbox.id);
      this.#sandbox = undefined;
    }
    if (!this.deleted && p.metadata?.deletionTimestamp !== undefined) {
      try {
        await this.#h.client.delete(PODS, p.metadata.namespace ?? 'default', p.metadata.name ?? '',
          { gracePeriodSeconds: 0, preconditions: { uid: this.uid } });
      } catch (e) {
        if (!isNotFound(e) && !isConflict(e)) throw e;
      }
    }
    this.done = true;
    this.stop();
  }
}
