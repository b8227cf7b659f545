// `flotilla up --base-port auto`: a cluster on ports nobody else uses, for tests, benches and
// chaos runs that boot clusters next to each other. Bases are taken below the kernel's
// ephemeral range (ip_local_port_range): there, no outgoing connection of any process can be
// handed one of our ports between the preflight check and the bind. Two boots may still pick
// the same base at once; the loser's preflight or bind fails with EADDRINUSE, its processes are
// stopped (up.ts), and it tries the next base.
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { freePort } from '../lib/free-port.js';
import { readState, type ClusterState } from './state.js';
import { up, type UpOptions } from './up.js';

/** Lowest and highest bases tried (each base owns 1000 ports). */
const BASE_MIN = 10_000;
const ATTEMPTS = 5;

function ephemeralLow(): number {
  try {
    const [low] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    return low !== undefined && Number.isInteger(low) ? low : 32_768;
  } catch {
    return 32_768;
  }
}

/** Candidate bases in random order: multiples of 1000 from BASE_MIN whose range ends below the ephemeral range. */
export function candidateBases(): number[] {
  const out: number[] = [];
  for (let b = BASE_MIN; b + 1000 <= ephemeralLow(); b += 1000) out.push(b);
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** Did this boot fail because a port was taken (by the preflight's check, or a process's bind)? */
function portClash(e: unknown, stateDir: string): boolean {
  const msg = (e as Error).message ?? '';
  if (/EADDRINUSE|is not available on 127\.0\.0\.1/.test(msg)) return true;
  const logs = join(stateDir, 'logs');
  if (!existsSync(logs)) return false;
  return readdirSync(logs).some((f) => readFileSync(join(logs, f), 'utf8').includes('EADDRINUSE'));
}

export async function upOnFreePorts(o: Omit<UpOptions, 'basePort' | 'lbPort'> & { lbPort?: number },
  say: (s: string) => void): Promise<ClusterState> {
  const stateDir = resolve(o.stateDir);
  if (readState(stateDir)) {
    throw new Error(`--base-port auto needs a new state directory: ${stateDir} already holds a cluster, whose ` +
      'ports are kept in its state (`flotilla start` it, or remove the directory)');
  }
  const bases = candidateBases().slice(0, ATTEMPTS);
  for (const [i, basePort] of bases.entries()) {
    const lbPort = o.lbPort ?? await freePort();
    try {
      return await up({ ...o, basePort, lbPort }, say);
    } catch (e) {
      if (i === bases.length - 1 || !portClash(e, stateDir)) throw e;
      say(`  ports ${basePort}..${basePort + 999} clashed with another process; trying another range`);
      // A brand-new cluster: its half-initialised data (member ids bound to the old ports) must go.
      for (const d of ['data', 'nodes', 'logs', 'cluster.json']) rmSync(join(stateDir, d), { recursive: true, force: true });
    }
  }
  throw new Error('no free port range found');
}
