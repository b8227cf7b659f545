// A network lab of Linux network namespaces: each store member gets its own namespace (its
// own address, like its own host) joined to a bridge in the root namespace, where the workload
// clients run. Faults are kernel-level: a blocked link is a blackhole route in the sender's
// namespace to the receiver's address (what an iptables OUTPUT drop does: TCP then stalls both
// ways), delay and loss are netem on a per-destination band of the sender's interface — when the
// kernel has the prio and netem qdiscs (some VM kernels don't: then a delay/loss fault is refused
// with that reason, never silently skipped).
//
// Only our own namespaces and a private 10.213.x.0/24 are ever touched. Every name carries the
// pid of the process that made it and a letter per lab (flx<pid><letter>...), so labs left by a
// crashed run are swept the next time, and never anyone else's. Needs root and iproute2 (`ip`, `tc`).
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import type { LinkFault, LinkTable } from '../run/fault-proxy.js';
import { NETNS_LIMITS } from './limits.js';

const execFileAsync = promisify(execFile);
const PREFIX = 'flx';

/** Why a netns lab cannot be made here, or undefined when it can. */
export function netnsUnavailable(): string | undefined {
  if (process.getuid?.() !== 0) return 'network namespaces need root';
  for (const tool of ['ip', 'tc']) {
    if (spawnSync(tool, ['-V'], { encoding: 'utf8' }).error !== undefined) return `\`${tool}\` (iproute2) is not installed`;
  }
  const probe = `${PREFIX}${process.pid}-probe`;
  const r = spawnSync('ip', ['netns', 'add', probe], { encoding: 'utf8' });
  if (r.status !== 0) return `cannot create a network namespace: ${r.stderr.trim()}`;
  spawnSync('ip', ['netns', 'del', probe]);
  return undefined;
}

function ip(...args: string[]): void {
  execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Deletes namespaces and bridges of ours whose creating process is gone. */
export function sweepStaleLabs(): number {
  let swept = 0;
  const nsList = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout ?? '';
  for (const line of nsList.split('\n')) {
    const m = new RegExp(`^(${PREFIX}(\\d+)[a-z]-\\S+)`).exec(line);
    if (m && !pidAlive(Number(m[2]))) swept += spawnSync('ip', ['netns', 'del', m[1]!]).status === 0 ? 1 : 0;
  }
  const links = spawnSync('ip', ['-o', 'link', 'show', 'type', 'bridge'], { encoding: 'utf8' }).stdout ?? '';
  for (const line of links.split('\n')) {
    const m = new RegExp(`^\\d+: (${PREFIX}(\\d+)[a-z]br)[:@]`).exec(line);
    if (m && !pidAlive(Number(m[2]))) swept += spawnSync('ip', ['link', 'del', m[1]!]).status === 0 ? 1 : 0;
  }
  return swept;
}

/** A /24 in 10.213.0.0/16 that no route of the root namespace touches yet. */
function freeSubnet(): string {
  const routes = spawnSync('ip', ['-4', 'route', 'show'], { encoding: 'utf8' }).stdout ?? '';
  for (let i = 0; i < 254; i++) {
    const third = ((process.pid + i) % 254) + 1;
    const net = `10.213.${third}`;
    if (!routes.includes(`${net}.`)) return net;
  }
  throw new Error('no free 10.213.x.0/24 subnet for a netns lab');
}

let labsMade = 0;

type Applied = Pick<LinkFault, 'blocked' | 'delayMs' | 'jitterMs' | 'lossPct'>;
const CLEAN: Applied = { blocked: false, delayMs: 0, jitterMs: 0, lossPct: 0 };

export class NetnsLab {
  readonly bridge: string;
  /** The root namespace's address on the bridge: where clients come from. */
  readonly hostIp: string;
  readonly #ips = new Map<string, string>();
  readonly #applied = new Map<string, Applied>();
  #queue: Promise<void> = Promise.resolve();
  #error: Error | undefined;
  #destroyed = false;
  /** Whether the kernel has prio + netem (probed on the first host). */
  #netem = true;
  readonly #onExit = () => this.destroy();

  /** flx<pid><letter>: interface names must stay within 15 characters. */
  readonly #id = `${PREFIX}${process.pid}${String.fromCharCode(97 + (labsMade++ % 26))}`;

  private constructor(readonly names: readonly string[], readonly subnet: string) {
    this.bridge = `${this.#id}br`;
    this.hostIp = `${subnet}.254`;
    names.forEach((n, i) => this.#ips.set(n, `${subnet}.${i + 1}`));
  }

  /** Namespaces for `names`, each with eth0 on the lab's bridge and a netem band per peer. */
  static create(names: readonly string[]): NetnsLab {
    if (names.length > NETNS_LIMITS.membersMax) {
      throw new RangeError(`${names.length} members > NETNS_LIMITS.membersMax (${NETNS_LIMITS.membersMax})`);
    }
    sweepStaleLabs();
    const lab = new NetnsLab(names, freeSubnet());
    process.once('exit', lab.#onExit);
    try {
      ip('link', 'add', lab.bridge, 'type', 'bridge');
      ip('addr', 'add', `${lab.hostIp}/24`, 'dev', lab.bridge);
      ip('link', 'set', lab.bridge, 'up');
      names.forEach((n, i) => lab.#addHost(n, i));
    } catch (e) {
      lab.destroy();
      throw new Error(`netns lab setup failed: ${(e as { stderr?: Buffer }).stderr?.toString().trim() ?? String(e)}`);
    }
    return lab;
  }

  nsOf(name: string): string {
    if (!this.#ips.has(name)) throw new Error(`no host ${name} in the lab`);
    return `${this.#id}-${name}`;
  }

  ipOf(name: string): string {
    const a = this.#ips.get(name);
    if (a === undefined) throw new Error(`no host ${name} in the lab`);
    return a;
  }

  /** The command line that runs `cmd args` inside `name`'s namespace (same pid: ip execs it). */
  wrap(name: string, cmd: string, args: readonly string[]): [string, string[]] {
    return ['ip', ['netns', 'exec', this.nsOf(name), cmd, ...args]];
  }

  #addHost(name: string, i: number): void {
    const ns = this.nsOf(name);
    const veth = `${this.#id}v${i}`;
    ip('netns', 'add', ns);
    ip('link', 'add', veth, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns);
    ip('link', 'set', veth, 'master', this.bridge, 'up');
    ip('-n', ns, 'addr', 'add', `${this.ipOf(name)}/24`, 'dev', 'eth0');
    ip('-n', ns, 'link', 'set', 'eth0', 'up');
    ip('-n', ns, 'link', 'set', 'lo', 'up');
    if (!this.#netem) return;
    // prio qdisc: band 1 for everything else, band k+2 (with its own netem) for peer k.
    const tc = (...a: string[]) => ip('netns', 'exec', ns, 'tc', ...a);
    try {
      tc('qdisc', 'add', 'dev', 'eth0', 'root', 'handle', '1:', 'prio', 'bands', String(NETNS_LIMITS.membersMax + 2),
        'priomap', ...Array<string>(16).fill('0'));
    } catch {
      this.#netem = false;
      return;
    }
    this.names.forEach((peer, k) => {
      if (peer === name) return;
      const band = k + 2;
      tc('qdisc', 'add', 'dev', 'eth0', 'parent', `1:${band}`, 'handle', `${band * 10}:`, 'netem', 'delay', '0ms');
      tc('filter', 'add', 'dev', 'eth0', 'parent', '1:', 'protocol', 'ip', 'prio', '1', 'u32',
        'match', 'ip', 'dst', `${this.ipOf(peer)}/32`, 'flowid', `1:${band}`);
    });
  }

  /** Keep the kernel in step with `links` (member names as in the table) from now on. */
  enforce(links: LinkTable): void {
    links.on('change', () => {
      this.#queue = this.#queue.then(() => this.#error ? undefined : this.#reconcile(links)).catch((e: unknown) => {
        const stderr = (e as { stderr?: string }).stderr?.trim();
        this.#error = new Error(`netns lab: applying link faults failed: ${stderr || String(e)}`);
      });
    });
  }

  /**
   * Resolves when every change seen so far is in the kernel; rejects if one could not be
   * applied (a fault that silently did not happen would make every verdict meaningless).
   */
  async settled(): Promise<void> {
    await this.#queue;
    if (this.#error) throw this.#error;
  }

  async #reconcile(links: LinkTable): Promise<void> {
    if (this.#destroyed) return;
    for (const [k, to] of this.names.entries()) {
      for (const from of this.names) {
        if (from === to) continue;
        const want = links.get(from, to);
        const had = this.#applied.get(`${from}>${to}`) ?? CLEAN;
        const ns = this.nsOf(from);
        if (want.blocked !== had.blocked) {
          await execFileAsync('ip', ['-n', ns, 'route', want.blocked ? 'replace' : 'del', 'blackhole',
            `${this.ipOf(to)}/32`]);
        }
        if (want.delayMs !== had.delayMs || want.jitterMs !== had.jitterMs || want.lossPct !== had.lossPct) {
          if (!this.#netem) {
            throw new Error(`delay/loss on ${from}>${to} needs the kernel's prio and netem qdiscs, which this kernel ` +
              'lacks (tc: "Specified qdisc kind is unknown"); run network faults through the fault proxy instead');
          }
          const band = k + 2;
          await execFileAsync('ip', ['netns', 'exec', ns, 'tc', 'qdisc', 'change', 'dev', 'eth0', 'parent',
            `1:${band}`, 'handle', `${band * 10}:`, 'netem', 'delay', `${want.delayMs}ms`, `${want.jitterMs}ms`,
            'loss', `${want.lossPct}%`]);
        }
        this.#applied.set(`${from}>${to}`, { blocked: want.blocked, delayMs: want.delayMs, jitterMs: want.jitterMs,
          lossPct: want.lossPct });
      }
    }
  }

  /** Whether delay and loss faults can be applied (the kernel has prio and netem). */
  get canDelay(): boolean {
    return this.#netem;
  }

  /** Removes the namespaces (their veths go with them) and the bridge. Idempotent. */
  destroy(): void {
    if (this.#destroyed) return;
    this.#destroyed = true;
    process.off('exit', this.#onExit);
    for (const n of this.names) spawnSync('ip', ['netns', 'del', this.nsOf(n)]);
    spawnSync('ip', ['link', 'del', this.bridge]);
  }
}
