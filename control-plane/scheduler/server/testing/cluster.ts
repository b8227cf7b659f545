// Helpers for the scheduler process's integration tests and throughput run: Node and Pod objects
// as the API stores them (no node agent yet: nodes are created directly, Ready, with capacity),
// bounded-concurrency creation, and `flotilla scheduler` processes spawned in their own process
// group (stopped by group, never by name; an exit hook kills them if the test process dies).
import { type ChildProcess, spawn } from 'node:child_process';
import { openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Node, Pod } from '../../../api/index.js';
import { findResource } from '../../../api/index.js';
import type { ApiClient } from '../../../client/index.js';

export const PODS = findResource('', 'pods')!;
export const NODES = findResource('', 'nodes')!;
export const EVENTS = findResource('', 'events')!;
export const NAMESPACES = findResource('', 'namespaces')!;

const RUNNER = fileURLToPath(new URL('./run-scheduler.js', import.meta.url));

export function apiNode(name: string, cpu = '4', memory = '8Gi', pods = '110'): Node {
  const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  const res = { cpu, memory, pods };
  return {
    apiVersion: 'v1', kind: 'Node', metadata: { name, labels: { 'kubernetes.io/hostname': name } },
    spec: {},
    status: {
      capacity: res, allocatable: res,
      conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'created by the test',
        lastHeartbeatTime: now, lastTransitionTime: now }],
    },
  };
}

export function apiPod(name: string, ns: string, cpu: string, memory: string): Pod {
  return {
    apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: ns },
    spec: { containers: [{ name: 'c', image: 'busybox', resources: { requests: { cpu, memory } } }] },
  };
}

/** Runs fn over items with at most `concurrency` at once. */
export async function forEachLimit<T>(items: readonly T[], concurrency: number, fn: (t: T) => Promise<unknown>):
  Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await fn(items[next++] as T);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
}

export async function until(cond: () => boolean | Promise<boolean>, what: string, timeoutMs = 30_000): Promise<void> {
  const end = performance.now() + timeoutMs;
  while (!(await cond())) {
    if (performance.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export async function ensureNamespace(client: ApiClient, ns: string): Promise<void> {
  try {
    await client.create(NAMESPACES, '', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  } catch (e) {
    if ((e as { code?: unknown }).code !== 409) throw e;
  }
}

export interface SchedulerProcess {
  readonly name: string;
  readonly child: ChildProcess;
  readonly logFile: string;
  /** The /metrics port, once the process logged it. */
  port(): Promise<number>;
  /** Signals the process group (kill -9 by default) and waits for the exit; returns the exit code / signal. */
  kill(sig?: NodeJS.Signals): Promise<string>;
  exited(): boolean;
}

const live = new Set<ChildProcess>();
process.on('exit', () => { for (const c of live) signalGroup(c, 'SIGKILL'); });

function signalGroup(c: ChildProcess, sig: NodeJS.Signals): void {
  if (c.pid === undefined || c.exitCode !== null || c.signalCode !== null) return;
  try {
    process.kill(-c.pid, sig);
  } catch {
    // already gone
  }
}

/** Spawns `flotilla scheduler ARGS` (the test runner script) in its own process group, logging to dir/NAME.log. */
export function spawnScheduler(dir: string, name: string, args: string[]): SchedulerProcess {
  const logFile = join(dir, `${name}.log`);
  const fd = openSync(logFile, 'a');
  const child = spawn(process.execPath, [RUNNER, 'scheduler', '--secure-port', '0', ...args],
    { detached: true, stdio: ['ignore', fd, fd] });
  live.add(child);
  const exit = new Promise<string>((r) => child.once('exit', (code, sig) => { live.delete(child); r(sig ?? String(code)); }));
  return {
    name, child, logFile,
    async port() {
      let port = 0;
      await until(() => {
        const m = /"port":(\d+)[^\n]*serving \/metrics/.exec(readFileSync(logFile, 'utf8'));
        if (m !== null) port = Number(m[1]);
        return port > 0 || child.exitCode !== null;
      }, `${name} to serve (log ${logFile})`, 30_000);
      if (port === 0) throw new Error(`${name} exited early; log:\n${readFileSync(logFile, 'utf8')}`);
      return port;
    },
    async kill(sig: NodeJS.Signals = 'SIGKILL') {
      signalGroup(child, sig);
      return exit;
    },
    exited: () => child.exitCode !== null || child.signalCode !== null,
  };
}

/** GET http://127.0.0.1:port/path → [status, body]. */
export async function httpGet(port: number, path: string): Promise<[number, string]> {
  const res = await fetch(`http://127.0.0.1:${port}${path}`);
  return [res.status, await res.text()];
}

/** The value of a Prometheus sample line `name{labels} value` (labels matched as a substring), or 0. */
export function metricValue(text: string, name: string, labels = ''): number {
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const rest = line.slice(name.length);
    if (!(rest.startsWith('{') || rest.startsWith(' '))) continue;
    if (labels !== '' && !rest.includes(labels)) continue;
    return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return 0;
}
