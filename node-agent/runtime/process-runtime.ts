// The process runtime: every container is a child process in its own process group
// (`detached: true`), started through a tiny /bin/sh "init" that records the exit code in a
// file, so a restarted runtime still learns how an adopted container ended. Output goes to
// two FIFOs the child holds open read-write (so it never gets SIGPIPE while no runtime reads,
// the role containerd's shim plays); the runtime copies them into CRI-format log files. State
// (sandboxes, containers with pid, pgid, /proc start time) is persisted atomically after every
// change; `ProcessRuntime.open` on the same root adopts live containers and reports dead ones
// as terminated, and kills what is left of their process groups: no orphans.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import type { Container } from '../../control-plane/api/index.js';
import { readCriLog, CriLogWriter, type LogStream } from './cri-log.js';
import { startExecSession } from './exec-stream.js';
import {
  ContainerRunningError, InvalidSpecError, LimitError, NotFoundError, RuntimeError, RuntimeStateError,
} from './errors.js';
import { ImageCatalogue, resolveArgv } from './images.js';
import {
  ADOPTED_PROCESS_POLL_MS, CONTAINER_LOG_MAX_BYTES, CONTAINERS_PER_RUNTIME_MAX, EXEC_OUTPUT_MAX_BYTES,
  LOG_DRAIN_MAX_MS, LOG_FOLLOW_POLL_MS, STOP_GRACE_PERIOD_SECONDS_MAX, STOP_POLL_MS,
} from './limits.js';
import { PodIpAllocator } from './pod-ip.js';
import { terminatedReason } from './restart-policy.js';
import {
  processGroupExists, procStat, readJsonIfExists, sameProcessAlive, signalGroup, writeJsonAtomic,
} from './state-file.js';
import type {
  ContainerExitListener, ContainerHandle, ContainerRuntime, ContainerStatusInfo, ExecResult, ExecSession,
  ExecStreamOptions, ExitInfo, PodSandboxConfig, ReadLogsOptions, Sandbox,
} from './types.js';
import { makeContainerFs, makeVolumes } from './volumes.js';

const execFileP = promisify(execFile);

/**
 * $1 is the exit file, the rest the container's argv. The trap keeps the shell alive through
 * SIGTERM (sent to the whole group) until the container's process has exited, so the exit
 * code is written; SIGKILL ends both, and then there is no file (exit code 137).
 */
const INIT_SCRIPT = 'f=$1; shift; trap : TERM INT HUP; "$@"; c=$?; echo $c > "$f"; exit $c';

export interface ProcessRuntimeOptions {
  /** Directory for the state file and the pod directories; created if missing. */
  rootDir: string;
  /** The node's number in the pod-IP scheme (pod-ip.ts). */
  nodeIndex: number;
  images?: ImageCatalogue;
  logMaxBytes?: number;
  /** What every container's environment starts from; default: PATH of this process and LANG=C.UTF-8. */
  baseEnv?: Record<string, string>;
  adoptedPollMs?: number;
  logFollowPollMs?: number;
}

interface ContainerRecord {
  id: string;
  sandboxId: string;
  name: string;
  image: string;
  attempt: number;
  argv: string[];
  env: Record<string, string>;
  cwd: string;
  pid: number;
  pgid: number;
  startTicks: string;
  startedAtMs: number;
  state: 'running' | 'terminated';
  exitCode?: number;
  signal?: string;
  reason?: string;
  message?: string;
  finishedAtMs?: number;
  logPath: string;
  fifos: [string, string];
  exitFile: string;
  killed?: boolean;
}

interface LiveContainer {
  child?: ChildProcess;
  readers: net.Socket[];
  writer: CriLogWriter;
  logsDone: Promise<void>;
}

interface StateDoc {
  version: 1;
  nodeIndex: number;
  sandboxes: Sandbox[];
  containers: ContainerRecord[];
}

function randomId(): string {
  return crypto.randomBytes(32).toString('hex');
}

function exitInfo(rec: ContainerRecord): ExitInfo {
  const info: ExitInfo = { exitCode: rec.exitCode ?? 0, reason: rec.reason ?? '', finishedAtMs: rec.finishedAtMs ?? 0 };
  if (rec.signal !== undefined) info.signal = rec.signal;
  if (rec.message !== undefined) info.message = rec.message;
  return info;
}

function statusOf(rec: ContainerRecord): ContainerStatusInfo {
  const s: ContainerStatusInfo = {
    id: rec.id, sandboxId: rec.sandboxId, name: rec.name, image: rec.image, attempt: rec.attempt, state: rec.state,
    pid: rec.pid, startedAtMs: rec.startedAtMs,
  };
  if (rec.state === 'terminated') Object.assign(s, exitInfo(rec));
  return s;
}

/** The exit code the init shell wrote, if it got to write one. */
function readExitFile(file: string): number | undefined {
  try {
    const n = Number(fs.readFileSync(file, 'utf8').trim());
    return Number.isInteger(n) ? n : undefined;
  } catch {
    return undefined;
  }
}

export class ProcessRuntime implements ContainerRuntime {
  readonly rootDir: string;
  readonly nodeIndex: number;
  readonly ips: PodIpAllocator;
  readonly #images: ImageCatalogue;
  readonly #logMaxBytes: number;
  readonly #baseEnv: Record<string, string>;
  readonly #adoptedPollMs: number;
  readonly #followPollMs: number;
  readonly #sandboxes = new Map<string, Sandbox>();
  readonly #containers = new Map<string, ContainerRecord>();
  readonly #live = new Map<string, LiveContainer>();
  readonly #adopted = new Set<string>();
  readonly #exitWaiters = new Map<string, ((e: ExitInfo) => void)[]>();
  readonly #listeners = new Set<ContainerExitListener>();
  #adoptedTimer: NodeJS.Timeout | undefined;
  #closed = false;

  private constructor(o: ProcessRuntimeOptions) {
    this.rootDir = path.resolve(o.rootDir);
    this.nodeIndex = o.nodeIndex;
    this.ips = new PodIpAllocator(o.nodeIndex);
    this.#images = o.images ?? new ImageCatalogue();
    this.#logMaxBytes = o.logMaxBytes ?? CONTAINER_LOG_MAX_BYTES;
    this.#baseEnv = o.baseEnv ?? { PATH: process.env['PATH'] ?? '/usr/local/bin:/usr/bin:/bin', LANG: 'C.UTF-8' };
    this.#adoptedPollMs = o.adoptedPollMs ?? ADOPTED_PROCESS_POLL_MS;
    this.#followPollMs = o.logFollowPollMs ?? LOG_FOLLOW_POLL_MS;
  }

  /** Opens (or creates) the runtime at rootDir, adopting the containers a previous runtime left running. */
  static async open(o: ProcessRuntimeOptions): Promise<ProcessRuntime> {
    const rt = new ProcessRuntime(o);
    fs.mkdirSync(path.join(rt.rootDir, 'pods'), { recursive: true, mode: 0o750 });
    await rt.#restore();
    return rt;
  }

  get #statePath(): string {
    return path.join(this.rootDir, 'state.json');
  }

  #save(): void {
    if (this.#closed) return;
    const doc: StateDoc = {
      version: 1, nodeIndex: this.nodeIndex, sandboxes: [...this.#sandboxes.values()],
      containers: [...this.#containers.values()],
    };
    writeJsonAtomic(this.#statePath, doc);
  }

  #checkOpen(): void {
    if (this.#closed) throw new RuntimeError('FLOTILLA_ERR_RUNTIME_CLOSED', 'this runtime was closed; open a new one');
  }

  async startPodSandbox(pod: PodSandboxConfig): Promise<Sandbox> {
    this.#checkOpen();
    const id = randomId();
    const ip = this.ips.allocate();
    const podDir = path.join(this.rootDir, 'pods', id);
    try {
      fs.mkdirSync(podDir, { recursive: true, mode: 0o750 });
      makeVolumes(podDir, pod.volumes ?? []);
    } catch (e) {
      this.ips.release(ip);
      fs.rmSync(podDir, { recursive: true, force: true });
      throw e;
    }
    const sandbox: Sandbox = {
      id, uid: pod.uid, namespace: pod.namespace, name: pod.name, hostname: pod.hostname ?? pod.name, ip, podDir,
      createdAtMs: Date.now(), volumes: (pod.volumes ?? []).map((v) => v.name),
    };
    this.#sandboxes.set(id, sandbox);
    this.#save();
    return { ...sandbox, volumes: [...sandbox.volumes] };
  }

  async startContainer(sandbox: Sandbox, container: Container,
    opts: { attempt?: number } = {}): Promise<ContainerHandle> {
    this.#checkOpen();
    const sb = this.#sandboxes.get(sandbox.id);
    if (sb === undefined) throw new NotFoundError('pod sandbox', sandbox.id);
    const argv = resolveArgv(this.#images.resolve(container.image), container);
    const attempt = this.#prepareInstance(sb.id, container.name, opts.attempt);
    const cfs = makeContainerFs(sb.podDir, container.name, sb.volumes, container.volumeMounts ?? [],
      container.workingDir);
    const env = this.#containerEnv(sb, container, cfs.root, cfs.env);
    const id = randomId();
    const dir = path.join(sb.podDir, 'containers', container.name);
    const logDir = path.join(sb.podDir, 'logs', container.name);
    fs.mkdirSync(logDir, { recursive: true, mode: 0o750 });
    let logPath = path.join(logDir, `${attempt}.log`);
    if (fs.existsSync(logPath)) logPath = path.join(logDir, `${attempt}-${id.slice(0, 12)}.log`);
    const fifos: [string, string] = [path.join(dir, `${id}.stdout`), path.join(dir, `${id}.stderr`)];
    await execFileP('mkfifo', ['-m', '600', ...fifos]);
    const rec: ContainerRecord = {
      id, sandboxId: sb.id, name: container.name, image: container.image ?? '', attempt, argv, env, cwd: cfs.cwd,
      pid: 0, pgid: 0, startTicks: '', startedAtMs: Date.now(), state: 'running', logPath, fifos,
      exitFile: path.join(dir, `${id}.exit`),
    };
    const live = this.#attachLogs(rec);
    let child: ChildProcess;
    try {
      child = await this.#spawn(rec);
    } catch (e) {
      for (const r of live.readers) r.destroy();
      live.writer.close();
      for (const f of [...fifos, logPath]) fs.rmSync(f, { force: true });
      throw e;
    }
    live.child = child;
    this.#containers.set(id, rec);
    this.#live.set(id, live);
    child.on('exit', (code, signal) => this.#onChildExit(rec, code, signal));
    this.#save();
    return { id, sandboxId: sb.id, name: rec.name, pid: rec.pid, startedAtMs: rec.startedAtMs };
  }

  /** Refuses a second running instance; keeps only the newest terminated one (for --previous). */
  #prepareInstance(sandboxId: string, name: string, attempt: number | undefined): number {
    const same = [...this.#containers.values()].filter((c) => c.sandboxId === sandboxId && c.name === name);
    if (same.some((c) => c.state === 'running')) throw new ContainerRunningError(name, sandboxId);
    same.sort((a, b) => b.startedAtMs - a.startedAtMs);
    for (const old of same.slice(1)) this.#forget(old);
    if (this.#containers.size >= CONTAINERS_PER_RUNTIME_MAX) {
      throw new LimitError(`this runtime tracks ${this.#containers.size} containers, the most it may; remove some pods`);
    }
    return attempt ?? (same[0] === undefined ? 0 : same[0].attempt + 1);
  }

  #containerEnv(sb: Sandbox, container: Container, root: string,
    mounts: Record<string, string>): Record<string, string> {
    const ports = (container.ports ?? []).filter((p) => (p.protocol ?? 'TCP') === 'TCP').map((p) => p.containerPort);
    const env: Record<string, string> = {
      ...this.#baseEnv, HOME: root, HOSTNAME: sb.hostname, POD_NAME: sb.name, POD_NAMESPACE: sb.namespace,
      POD_UID: sb.uid, POD_IP: sb.ip, FLOTILLA_POD_DIR: sb.podDir, FLOTILLA_CONTAINER_ROOT: root,
      FLOTILLA_CONTAINER_PORTS: ports.join(','), ...mounts,
    };
    for (const e of container.env ?? []) {
      if (e.value === undefined && e.valueFrom !== undefined) {
        throw new InvalidSpecError(`env ${e.name} of container ${container.name} still has valueFrom; ` +
          'the kubelet must resolve it to a value before starting the container');
      }
      env[e.name] = e.value ?? '';
    }
    return env;
  }

  async #spawn(rec: ContainerRecord): Promise<ChildProcess> {
    const out = fs.openSync(rec.fifos[0], 'r+');
    const err = fs.openSync(rec.fifos[1], 'r+');
    let child: ChildProcess;
    try {
      child = spawn('/bin/sh', ['-c', INIT_SCRIPT, 'flotilla-init', rec.exitFile, ...rec.argv], {
        cwd: rec.cwd, env: rec.env, detached: true, stdio: ['ignore', out, err],
      });
    } finally {
      fs.closeSync(out);
      fs.closeSync(err);
    }
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', (e) => reject(new RuntimeError('FLOTILLA_ERR_CONTAINER_START',
        `container ${rec.name} could not start: ${e.message}; check that /bin/sh exists and ${rec.cwd} is usable`)));
    });
    child.unref();
    rec.pid = child.pid ?? 0;
    rec.pgid = rec.pid;
    rec.startTicks = procStat(rec.pid)?.startTicks ?? '';
    return child;
  }

  /** Opens the FIFOs' read ends and copies what arrives into the CRI log file. */
  #attachLogs(rec: ContainerRecord): LiveContainer {
    const writer = new CriLogWriter(rec.logPath, this.#logMaxBytes);
    const streams: LogStream[] = ['stdout', 'stderr'];
    const readers: net.Socket[] = [];
    const ends: Promise<void>[] = [];
    rec.fifos.forEach((fifo, i) => {
      const stream = streams[i] ?? 'stdout';
      const fd = fs.openSync(fifo, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
      const sock = new net.Socket({ fd, readable: true, writable: false });
      sock.on('data', (chunk: Buffer) => writer.write(stream, chunk));
      sock.on('error', () => sock.destroy());
      ends.push(new Promise((resolve) => sock.once('close', () => {
        writer.flush(stream);
        resolve();
      })));
      sock.unref();
      readers.push(sock);
    });
    return { readers, writer, logsDone: Promise.all(ends).then(() => undefined) };
  }

  #onChildExit(rec: ContainerRecord, code: number | null, signal: NodeJS.Signals | null): void {
    if (code !== null) {
      void this.#finish(rec, code, undefined);
    } else {
      const num = signal === null ? 9 : os.constants.signals[signal] ?? 9;
      void this.#finish(rec, 128 + num, signal ?? undefined);
    }
  }

  /** The container's init has exited: kill what is left of its group, drain logs, record, notify. */
  async #finish(rec: ContainerRecord, exitCode: number, signal: string | undefined, unknown = false): Promise<void> {
    if (rec.state === 'terminated' || this.#closed) return;
    // As when a container's pid 1 exits and the runtime kills the rest of the container.
    if (procStat(rec.pgid) === undefined) signalGroup(rec.pgid, 'SIGKILL');
    const live = this.#live.get(rec.id);
    if (live !== undefined) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([live.logsDone, new Promise((r) => (timer = setTimeout(r, LOG_DRAIN_MAX_MS)))]);
      clearTimeout(timer);
      for (const r of live.readers) r.destroy();
      live.writer.close();
      this.#live.delete(rec.id);
    }
    // Another path (stop, adoption poll) may have recorded the exit while we drained.
    if ((rec.state as string) === 'terminated' || this.#closed) return;
    rec.state = 'terminated';
    rec.exitCode = exitCode;
    if (signal !== undefined) rec.signal = signal;
    rec.reason = unknown ? 'ContainerStatusUnknown' : terminatedReason(exitCode);
    if (unknown) rec.message = 'The container could not be located when the runtime restarted';
    rec.finishedAtMs = Date.now();
    this.#adopted.delete(rec.id);
    for (const f of rec.fifos) fs.rmSync(f, { force: true });
    this.#save();
    const info = exitInfo(rec);
    for (const w of this.#exitWaiters.get(rec.id) ?? []) w(info);
    this.#exitWaiters.delete(rec.id);
    const status = statusOf(rec);
    for (const l of this.#listeners) l(status);
  }

  #waitExit(rec: ContainerRecord): Promise<ExitInfo> {
    if (rec.state === 'terminated') return Promise.resolve(exitInfo(rec));
    return new Promise((resolve) => {
      const list = this.#exitWaiters.get(rec.id) ?? [];
      list.push(resolve);
      this.#exitWaiters.set(rec.id, list);
    });
  }

  async stopContainer(id: string, gracePeriodSeconds: number): Promise<ExitInfo> {
    this.#checkOpen();
    const rec = this.#containers.get(id);
    if (rec === undefined) throw new NotFoundError('container', id);
    if (rec.state === 'terminated') return exitInfo(rec);
    const exited = this.#waitExit(rec);
    const graceMs = Math.min(Math.max(0, gracePeriodSeconds), STOP_GRACE_PERIOD_SECONDS_MAX) * 1000;
    // kubelet killContainer: SIGTERM (the image's STOPSIGNAL is always TERM here), wait, then SIGKILL.
    signalGroup(rec.pgid, 'SIGTERM');
    const deadline = Date.now() + graceMs;
    while (processGroupExists(rec.pgid) && Date.now() < deadline) await sleep(STOP_POLL_MS);
    if (processGroupExists(rec.pgid)) {
      rec.killed = true;
      signalGroup(rec.pgid, 'SIGKILL');
      while (processGroupExists(rec.pgid)) await sleep(STOP_POLL_MS);
    }
    // The group is gone; wait (keeping the event loop alive: our child is unref'd) until the exit
    // is recorded, from the child's exit event or the adoption poll, else record it ourselves.
    const recordedBy = Date.now() + 3 * LOG_DRAIN_MAX_MS;
    const running = (): boolean => rec.state === 'running';
    while (running() && Date.now() < recordedBy) {
      if (this.#adopted.has(id)) this.#pollAdopted();
      await sleep(STOP_POLL_MS);
    }
    if (running()) await this.#finishAdopted(rec);
    return exited;
  }

  async removeContainer(id: string): Promise<void> {
    this.#checkOpen();
    const rec = this.#containers.get(id);
    if (rec === undefined) return;
    if (rec.state === 'running') await this.stopContainer(id, 0);
    this.#forget(rec);
    this.#save();
  }

  #forget(rec: ContainerRecord): void {
    this.#containers.delete(rec.id);
    for (const f of [...rec.fifos, rec.exitFile, rec.logPath, `${rec.logPath}.1`]) fs.rmSync(f, { force: true });
  }

  async removePodSandbox(sandboxId: string): Promise<void> {
    this.#checkOpen();
    const sb = this.#sandboxes.get(sandboxId);
    if (sb === undefined) return;
    const mine = [...this.#containers.values()].filter((c) => c.sandboxId === sandboxId);
    await Promise.all(mine.filter((c) => c.state === 'running').map((c) => this.stopContainer(c.id, 0)));
    for (const c of mine) this.#containers.delete(c.id);
    fs.rmSync(sb.podDir, { recursive: true, force: true });
    this.ips.release(sb.ip);
    this.#sandboxes.delete(sandboxId);
    this.#save();
  }

  listSandboxes(): Sandbox[] {
    return [...this.#sandboxes.values()].map((s) => ({ ...s, volumes: [...s.volumes] }));
  }

  listContainers(filter: { sandboxId?: string } = {}): ContainerStatusInfo[] {
    return [...this.#containers.values()]
      .filter((c) => filter.sandboxId === undefined || c.sandboxId === filter.sandboxId).map(statusOf);
  }

  containerStatus(id: string): ContainerStatusInfo | undefined {
    const rec = this.#containers.get(id);
    return rec === undefined ? undefined : statusOf(rec);
  }

  onContainerExit(listener: ContainerExitListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  readLogs(id: string, opts: ReadLogsOptions = {}): AsyncIterable<Buffer> {
    const rec = this.#containers.get(id);
    if (rec === undefined) throw new NotFoundError('container', id);
    let target = rec;
    if (opts.previous === true) {
      const prev = [...this.#containers.values()]
        .filter((c) => c.sandboxId === rec.sandboxId && c.name === rec.name && c.id !== rec.id &&
          c.state === 'terminated' && c.startedAtMs <= rec.startedAtMs)
        .sort((a, b) => b.startedAtMs - a.startedAtMs)[0];
      if (prev === undefined) throw new NotFoundError('previous terminated instance of container', rec.name);
      target = prev;
    }
    const running = (): boolean => this.#containers.get(target.id)?.state === 'running' && !this.#closed;
    return readCriLog(target.logPath, opts, running, this.#followPollMs);
  }

  async exec(id: string, command: string[], timeoutMs: number): Promise<ExecResult> {
    const rec = this.#containers.get(id);
    if (rec === undefined) throw new NotFoundError('container', id);
    if (rec.state !== 'running' || command.length === 0) {
      throw new RuntimeError('FLOTILLA_ERR_EXEC', `cannot exec in container ${rec.name}: ` +
        (command.length === 0 ? 'the command is empty' : 'it is not running; exec works in running containers only'));
    }
    return runExec(command, rec.cwd, rec.env, timeoutMs);
  }

  execStream(id: string, command: string[], o: ExecStreamOptions): ExecSession {
    const rec = this.#containers.get(id);
    if (rec === undefined) throw new NotFoundError('container', id);
    if (rec.state !== 'running' || command.length === 0) {
      throw new RuntimeError('FLOTILLA_ERR_EXEC', `cannot exec in container ${rec.name}: ` +
        (command.length === 0 ? 'the command is empty' : 'it is not running; exec works in running containers only'));
    }
    return startExecSession(command, rec.cwd, rec.env, o);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#adoptedTimer);
    for (const live of this.#live.values()) {
      live.child?.removeAllListeners('exit');
      for (const r of live.readers) r.destroy();
      live.writer.close();
    }
    this.#live.clear();
  }

  async #restore(): Promise<void> {
    let doc: StateDoc | undefined;
    try {
      doc = readJsonIfExists(this.#statePath) as StateDoc | undefined;
    } catch (e) {
      throw new RuntimeStateError(this.#statePath, `is unreadable (${(e as Error).message})`);
    }
    if (doc === undefined) return;
    if (doc.version !== 1 || doc.nodeIndex !== this.nodeIndex || !Array.isArray(doc.sandboxes)) {
      throw new RuntimeStateError(this.#statePath, `belongs to node index ${doc.nodeIndex} (version ${doc.version}), ` +
        `not node index ${this.nodeIndex}`);
    }
    for (const sb of doc.sandboxes) {
      this.ips.claim(sb.ip);
      this.#sandboxes.set(sb.id, sb);
    }
    const dead: ContainerRecord[] = [];
    for (const rec of doc.containers) {
      this.#containers.set(rec.id, rec);
      if (rec.state !== 'running') continue;
      if (sameProcessAlive(rec.pid, rec.startTicks)) {
        this.#live.set(rec.id, this.#attachLogs(rec));
        this.#adopted.add(rec.id);
      } else {
        dead.push(rec);
      }
    }
    for (const rec of dead) await this.#finishAdopted(rec);
    this.#save();
    if (this.#adopted.size > 0) {
      this.#adoptedTimer = setInterval(() => this.#pollAdopted(), this.#adoptedPollMs);
      this.#adoptedTimer.unref();
    }
  }

  /** Adopted containers are not our children: we learn of their exit by looking at /proc. */
  #pollAdopted(): void {
    for (const id of this.#adopted) {
      const rec = this.#containers.get(id);
      if (rec === undefined || !sameProcessAlive(rec.pid, rec.startTicks)) {
        this.#adopted.delete(id);
        if (rec !== undefined) void this.#finishAdopted(rec);
      }
    }
    if (this.#adopted.size === 0) clearInterval(this.#adoptedTimer);
  }

  async #finishAdopted(rec: ContainerRecord): Promise<void> {
    const code = readExitFile(rec.exitFile);
    if (code !== undefined) return this.#finish(rec, code, undefined);
    if (rec.killed === true) return this.#finish(rec, 137, 'SIGKILL');
    return this.#finish(rec, 137, undefined, true);
  }
}

/** Runs a command in a container's context, in its own process group, killed at the timeout. */
export function runExec(command: string[], cwd: string, env: Record<string, string>, timeoutMs: number):
  Promise<ExecResult> {
  return new Promise((resolve) => {
    const [file, ...args] = command;
    const child = spawn(file ?? '', args, { cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    let bytes = 0;
    let timedOut = false;
    const keep = (b: Buffer): void => {
      if (bytes < EXEC_OUTPUT_MAX_BYTES) chunks.push(b.subarray(0, EXEC_OUTPUT_MAX_BYTES - bytes));
      bytes += b.length;
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    const timer = setTimeout(() => {
      timedOut = true;
      if (child.pid !== undefined) signalGroup(child.pid, 'SIGKILL');
    }, timeoutMs);
    child.once('error', (e) => {
      clearTimeout(timer);
      resolve({ exitCode: 127, output: e.message, timedOut: false });
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      const exitCode = code ?? 128 + (signal === null ? 9 : os.constants.signals[signal] ?? 9);
      resolve({ exitCode, output: Buffer.concat(chunks).toString(), timedOut });
    });
  });
}
