// The runtime interface the kubelet drives: a small CRI (Kubernetes' Container Runtime
// Interface, cri-api v1 RuntimeService) shaped for one process: a pod sandbox holds the pod's
// IP and directory, containers run inside it. Container specs are core/v1 Containers, as the
// kubelet has them; the kubelet resolves env valueFrom and volume contents before calling.
import type { Readable, Writable } from 'node:stream';
import type { Container } from '../../control-plane/api/index.js';

/** One volume of the pod, with its contents already fetched by the kubelet. */
export interface SandboxVolume {
  name: string;
  /** emptyDir: an empty directory that lives as long as the sandbox. */
  emptyDir?: Record<string, never>;
  /** configMap/secret (already projected through `items`): relative file path → contents. */
  files?: Record<string, { data: string | Uint8Array; mode?: number }>;
}

export interface PodSandboxConfig {
  uid: string;
  namespace: string;
  name: string;
  /** Defaults to the pod name, as Kubernetes sets a container's hostname. */
  hostname?: string;
  volumes?: SandboxVolume[];
}

export interface Sandbox {
  id: string;
  uid: string;
  namespace: string;
  name: string;
  hostname: string;
  ip: string;
  /** The pod's directory under the runtime root (volumes/, containers/, logs/). */
  podDir: string;
  createdAtMs: number;
  volumes: string[];
}

export interface StartContainerOptions {
  /** The restart count, the number of the instance (Kubernetes names the log file after it). */
  attempt?: number;
}

export interface ContainerHandle {
  id: string;
  sandboxId: string;
  name: string;
  pid: number;
  startedAtMs: number;
}

export interface ExitInfo {
  exitCode: number;
  /** Set when the process died of a signal it did not handle (exitCode is then 128 + signal number). */
  signal?: string;
  /** As in ContainerStateTerminated: Completed (exit 0), Error, or ContainerStatusUnknown. */
  reason: string;
  message?: string;
  finishedAtMs: number;
}

export type ContainerStateName = 'waiting' | 'running' | 'terminated';

export interface ContainerStatusInfo {
  id: string;
  sandboxId: string;
  name: string;
  image: string;
  attempt: number;
  state: ContainerStateName;
  pid?: number;
  startedAtMs?: number;
  finishedAtMs?: number;
  exitCode?: number;
  signal?: string;
  reason?: string;
  message?: string;
}

export interface ReadLogsOptions {
  /** Only the last N lines (kubectl logs --tail). */
  tail?: number;
  /** Keep yielding new bytes until the container has terminated and everything was read. */
  follow?: boolean;
  /** The logs of the instance before this one (kubectl logs --previous). */
  previous?: boolean;
  /** Skip this many bytes from the start of the retained log (rotated file, then current), to resume. */
  sinceBytes?: number;
}

export interface ExecResult {
  exitCode: number;
  output: string;
  timedOut: boolean;
}

/** How a streamed exec ended: an exit code, or the command could not start (not found, not executable). */
export type ExecOutcome = { exitCode: number } | { startError: string };

/**
 * A command running in a container's context with its streams open (CRI `Exec` with stdin/stdout/stderr
 * streams, as `kubectl exec` uses): the caller copies them and learns the outcome from `done`.
 */
export interface ExecSession {
  /** The command's stdin, or null when none was asked for (it reads /dev/null). */
  readonly stdin: Writable | null;
  readonly stdout: Readable | null;
  readonly stderr: Readable | null;
  /** Resolves once the command has exited and its output streams are closed. */
  readonly done: Promise<ExecOutcome>;
  /** SIGKILL to the command's process group (the client went away). */
  kill(): void;
}

export interface ExecStreamOptions {
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
}

export type ContainerExitListener = (status: ContainerStatusInfo) => void;

export interface ContainerRuntime {
  /** Allocates the pod IP and makes the pod directory with its volumes. */
  startPodSandbox(pod: PodSandboxConfig): Promise<Sandbox>;
  /** Starts a container in the sandbox; an image not in the catalogue rejects with ImagePullError. */
  startContainer(sandbox: Sandbox, container: Container, opts?: StartContainerOptions): Promise<ContainerHandle>;
  /** SIGTERM to the process group, SIGKILL after the grace period; resolves when the group is gone. */
  stopContainer(id: string, gracePeriodSeconds: number): Promise<ExitInfo>;
  /** Forgets a terminated container and deletes its logs. */
  removeContainer(id: string): Promise<void>;
  /** Stops (grace 0) every container of the sandbox, deletes the pod directory, releases the IP. */
  removePodSandbox(sandboxId: string): Promise<void>;
  listSandboxes(): Sandbox[];
  listContainers(filter?: { sandboxId?: string }): ContainerStatusInfo[];
  containerStatus(id: string): ContainerStatusInfo | undefined;
  /** Called once per container instance when it terminates; returns an unsubscribe function. */
  onContainerExit(listener: ContainerExitListener): () => void;
  /** CRI-format log lines (`<RFC3339Nano> stdout|stderr F|P <message>\n`). */
  readLogs(id: string, opts?: ReadLogsOptions): AsyncIterable<Buffer>;
  /** Runs a command in the container's context (env, working directory); used by exec probes. */
  exec(id: string, command: string[], timeoutMs: number): Promise<ExecResult>;
  /** Starts a command in the container's context with streamed stdio (`kubectl exec`); throws if not running. */
  execStream(id: string, command: string[], o: ExecStreamOptions): ExecSession;
  /** Lets go of the runtime without stopping containers; a new runtime on the same root adopts them. */
  close(): Promise<void>;
}
