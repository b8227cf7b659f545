// Pod IPs without root and without a CNI: on Linux the whole of 127.0.0.0/8 is routed to the
// loopback interface, so any process may bind 127.x.y.z. Each node gets its own /24 (as the
// node IPAM controller hands each node a podCIDR), and the runtime hands each sandbox one
// address of it (as a CNI's host-local IPAM would), released when the sandbox is removed.
import { NodeIndexError, PodIpExhaustedError, RuntimeError } from './errors.js';
import {
  MAX_NODE_INDEX, POD_IP_FIRST_HOST, POD_IP_LAST_HOST, POD_RANGE_SECOND_OCTET_FIRST,
} from './limits.js';

export interface NodePodRange {
  /** "127.10.3.0/24" — what the Node's spec.podCIDR says. */
  cidr: string;
  /** "127.10.3." — the first three octets and a dot. */
  prefix: string;
  /** "127.10.3.1" — the node's own address in its range (InternalIP, NodePort listeners). */
  nodeIP: string;
}

/**
 * The pod range of node number `index` (0-based, assigned by whoever starts the nodes):
 * 127.(10 + ⌊index / 256⌋).(index mod 256).0/24. Node 0 → 127.10.0.0/24, node 1 → 127.10.1.0/24,
 * node 256 → 127.11.0.0/24, the last, node 22015 → 127.95.255.0/24. Pure and total on
 * 0..MAX_NODE_INDEX; anything else throws NodeIndexError.
 */
export function nodePodRange(index: number): NodePodRange {
  if (!Number.isInteger(index) || index < 0 || index > MAX_NODE_INDEX) throw new NodeIndexError(index, MAX_NODE_INDEX);
  const prefix = `127.${POD_RANGE_SECOND_OCTET_FIRST + Math.floor(index / 256)}.${index % 256}.`;
  return { cidr: `${prefix}0/24`, prefix, nodeIP: `${prefix}1` };
}

/** Hands out .2–.254 of one node's /24, lowest free first, so addresses are predictable in tests. */
export class PodIpAllocator {
  readonly range: NodePodRange;
  // One byte per host number: cheap enough for thousands of simulated nodes in one process.
  readonly #used = new Uint8Array(256);
  #count = 0;

  constructor(nodeIndex: number) {
    this.range = nodePodRange(nodeIndex);
  }

  get capacity(): number {
    return POD_IP_LAST_HOST - POD_IP_FIRST_HOST + 1;
  }

  get allocated(): number {
    return this.#count;
  }

  allocate(): string {
    for (let host = POD_IP_FIRST_HOST; host <= POD_IP_LAST_HOST; host++) {
      if (this.#used[host] === 0) {
        this.#used[host] = 1;
        this.#count++;
        return this.range.prefix + host;
      }
    }
    throw new PodIpExhaustedError(this.range.cidr, this.capacity);
  }

  /** Marks an address taken again (a restarted runtime restoring its sandboxes). */
  claim(ip: string): void {
    const host = this.#hostOf(ip);
    if (this.#used[host] === 1) {
      throw new RuntimeError('FLOTILLA_ERR_POD_IP_CONFLICT', `pod IP ${ip} is claimed twice; the runtime state is corrupt`);
    }
    this.#used[host] = 1;
    this.#count++;
  }

  /** Returns an address to the pool; releasing a free address is a no-op (removal is idempotent). */
  release(ip: string): void {
    const host = this.#hostOf(ip);
    if (this.#used[host] === 1) {
      this.#used[host] = 0;
      this.#count--;
    }
  }

  #hostOf(ip: string): number {
    const host = Number(ip.slice(this.range.prefix.length));
    if (!ip.startsWith(this.range.prefix) || !Number.isInteger(host) || host < POD_IP_FIRST_HOST ||
      host > POD_IP_LAST_HOST || String(host) !== ip.slice(this.range.prefix.length)) {
      throw new RuntimeError('FLOTILLA_ERR_POD_IP_FOREIGN', `${ip} is not a pod IP of ${this.range.cidr}`);
    }
    return host;
  }
}
