// Starting and stopping the cluster's processes: each in its own process group (so a stop
// reaches its children too), stdout/stderr to a log file, signalled only by the pid we
// recorded and only after checking it is still ours (never by name).
import { spawn } from 'node:child_process';
import { mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { killContainersNow, nodeRootDirs } from './containers.js';
import { type ClusterState, isOurs, type ProcessRecord } from './state.js';

const BIN = fileURLToPath(new URL('../../bin/flotilla.js', import.meta.url));

export function launch(r: ProcessRecord): void {
  mkdirSync(dirname(r.logFile), { recursive: true });
  const log = openSync(r.logFile, 'a');
  const child = spawn(process.execPath, [BIN, ...r.args], { detached: true, stdio: ['ignore', log, log] });
  child.unref();
  r.pid = child.pid;
  r.startedAt = new Date().toISOString();
}

export function alive(r: ProcessRecord, s: ClusterState): boolean {
  return isOurs(r, s.stateDir);
}

function signal(r: ProcessRecord, sig: NodeJS.Signals): void {
  if (r.pid === undefined) return;
  try {
    process.kill(-r.pid, sig);
  } catch {
    // gone already
  }
}

/** SIGTERM the process group, SIGKILL after `graceMs`; resolves when it is gone. */
export async function stopProcess(r: ProcessRecord, s: ClusterState, graceMs = 8000): Promise<void> {
  if (!alive(r, s)) return;
  signal(r, 'SIGCONT');
  signal(r, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (alive(r, s)) {
    if (Date.now() > deadline) {
      signal(r, 'SIGKILL');
      await new Promise((res) => setTimeout(res, 200));
      break;
    }
    await new Promise((res) => setTimeout(res, 50));
  }
}

export async function probe(url: string, caPem: string | undefined, timeoutMs = 1000): Promise<boolean> {
  const { request } = await import(url.startsWith('https') ? 'node:https' : 'node:http');
  return new Promise((resolve) => {
    const req = request(url, { ca: caPem, timeout: timeoutMs }, (res: import('node:http').IncomingMessage) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => req.destroy());
    req.end();
  });
}

/**
 * SIGKILL every process of the cluster that is still ours, and its node agents' containers, at
 * once and synchronously: for a harness that is exiting (signal, crash) and cannot wait for
 * `flotilla down`.
 */
export function killClusterNow(s: ClusterState): void {
  for (const r of s.processes) if (alive(r, s)) signal(r, 'SIGKILL');
  killContainersNow(nodeRootDirs(s.stateDir));
}
