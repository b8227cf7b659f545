// The state directory of a cluster started by `flotilla up`: what runs (process records with
// pid, process group and the exact command line) so that `status`, `stop`, `start` and
// `down` can act on it later from another shell. Written atomically (temp file + rename).
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ProcessSpec, TopologyOptions } from './topology.js';

export interface ProcessRecord extends ProcessSpec {
  args: string[];
  logFile: string;
  pid: number | undefined;
  startedAt: string | undefined;
}

export interface ClusterState {
  version: 1;
  stateDir: string;
  topology: TopologyOptions;
  fastNodeLifecycle: boolean;
  kubeconfig: string;
  server: string;
  processes: ProcessRecord[];
}

export function statePath(stateDir: string): string {
  return join(stateDir, 'cluster.json');
}

export function readState(stateDir: string): ClusterState | undefined {
  const p = statePath(stateDir);
  if (!existsSync(p)) return undefined;
  const s = JSON.parse(readFileSync(p, 'utf8')) as ClusterState;
  if (s.version !== 1) throw new Error(`${p}: unknown state version ${String(s.version)}`);
  return s;
}

export function writeState(s: ClusterState): void {
  const p = statePath(s.stateDir);
  writeFileSync(`${p}.tmp`, JSON.stringify(s, null, 2) + '\n');
  renameSync(`${p}.tmp`, p);
}

/** Is this pid still the process we started (not a reused pid)? Its command line names our state dir. */
export function isOurs(r: ProcessRecord, stateDir: string): boolean {
  if (r.pid === undefined) return false;
  try {
    const cmdline = readFileSync(`/proc/${r.pid}/cmdline`, 'utf8');
    return cmdline.includes(stateDir) && cmdline.includes(r.role);
  } catch {
    return false;
  }
}
