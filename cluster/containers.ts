// The containers a machine's node agent started live in their own process groups (so that a
// restarted agent can adopt them, as the kubelet does). Stopping a machine must take them too,
// even when its agent died without cleaning up: read the runtime's state file and signal every
// container process group whose recorded process is still the same one (pid + start time).
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { readJsonIfExists, sameProcessAlive, signalGroup } from '../node-agent/runtime/state-file.js';

interface ContainerRecord { pid?: number; pgid?: number; startTicks?: string }

function liveGroups(rootDir: string): number[] {
  const state = readJsonIfExists(join(rootDir, 'state.json')) as { containers?: ContainerRecord[] } | undefined;
  const out: number[] = [];
  for (const c of state?.containers ?? []) {
    if (c.pid && c.pgid && c.startTicks && sameProcessAlive(c.pid, c.startTicks)) out.push(c.pgid);
  }
  return out;
}

/** SIGTERM then (after `graceMs`) SIGKILL every live container group of these node root dirs. */
export async function stopContainers(rootDirs: string[], graceMs = 3000): Promise<number> {
  const groups = rootDirs.filter((d) => existsSync(d)).flatMap(liveGroups);
  for (const g of groups) signalGroup(g, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline && rootDirs.some((d) => existsSync(d) && liveGroups(d).length > 0)) {
    await new Promise((r) => setTimeout(r, 100));
  }
  for (const d of rootDirs) if (existsSync(d)) for (const g of liveGroups(d)) signalGroup(g, 'SIGKILL');
  return groups.length;
}

/** The node root dirs of the given machines ("worker-1", ...; every node when omitted). */
export function nodeRootDirs(stateDir: string, machines?: string[]): string[] {
  const base = join(stateDir, 'nodes');
  if (!existsSync(base)) return [];
  return readdirSync(base).filter((m) => !machines || machines.includes(m)).map((m) => join(base, m));
}

/** SIGKILL every live container group of these node root dirs at once (for a process that is exiting now). */
export function killContainersNow(rootDirs: string[]): void {
  for (const d of rootDirs) if (existsSync(d)) for (const g of liveGroups(d)) signalGroup(g, 'SIGKILL');
}
