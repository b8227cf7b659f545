// Allocation of service cluster IPs and node ports, safe with any number of apiserver
// replicas: the allocation bitmap lives in the store (as Kubernetes' RangeAllocation at
// /registry/ranges/serviceips) and is written in the SAME transaction as the Service, guarded
// by its mod revision — so a crash can neither leak an address nor hand one out twice.
import type { KeyValue } from '../../../store/client/client.js';
import type { SideWrite } from '../storage/object-store.js';

export class AllocationError extends Error {
  constructor(readonly kind: 'invalid' | 'full' | 'taken', message: string) {
    super(message);
  }
}

/** A contiguous range of integers (IPv4 addresses as numbers, or ports). */
export interface IntRange {
  readonly description: string;
  readonly first: number;
  readonly size: number;
  format(n: number): string;
  parse(s: string): number | undefined;
}

function ipToInt(s: string): number | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s);
  if (!m) return undefined;
  const parts = m.slice(1).map(Number);
  if (parts.some((p) => p > 255)) return undefined;
  return ((parts[0]! << 24) >>> 0) + (parts[1]! << 16) + (parts[2]! << 8) + parts[3]!;
}

function intToIp(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

/** An IPv4 CIDR without its network and broadcast addresses (as Kubernetes' allocator). */
export function cidrRange(cidr: string): IntRange {
  const [addr, bitsText] = cidr.split('/');
  const base = ipToInt(addr ?? '');
  const bits = Number(bitsText);
  if (base === undefined || !Number.isInteger(bits) || bits < 8 || bits > 30) {
    throw new AllocationError('invalid', `--service-cluster-ip-range ${JSON.stringify(cidr)} must be an IPv4 CIDR from /8 to /30`);
  }
  const size = 2 ** (32 - bits);
  const network = (base & ~(size - 1)) >>> 0;
  return {
    description: cidr, first: network + 1, size: size - 2, format: intToIp,
    parse: (s) => {
      const n = ipToInt(s);
      return n !== undefined && n >= network + 1 && n < network + size - 1 ? n : undefined;
    },
  };
}

export function portRange(spec: string): IntRange {
  const m = /^(\d+)-(\d+)$/.exec(spec);
  const lo = Number(m?.[1]);
  const hi = Number(m?.[2]);
  if (!m || lo < 1 || hi > 65535 || lo > hi) {
    throw new AllocationError('invalid', `--service-node-port-range ${JSON.stringify(spec)} must look like 30000-32767`);
  }
  return { description: spec, first: lo, size: hi - lo + 1, format: String, parse: (s) => {
    const n = Number(s);
    return Number.isInteger(n) && n >= lo && n <= hi ? n : undefined;
  } };
}

interface Stored { kind: 'RangeAllocation'; apiVersion: 'v1'; range: string; data: string }

/** A bitmap over one range, read from and written back to one store key. */
export class RangeAllocator {
  constructor(readonly key: string, readonly range: IntRange, private readonly random: () => number = Math.random) {}

  #bitmap(kv: KeyValue | undefined): Buffer {
    const bytes = Math.ceil(this.range.size / 8);
    if (!kv) return Buffer.alloc(bytes);
    const stored = JSON.parse(kv.value.toString('utf8')) as Stored;
    if (stored.range !== this.range.description) {
      throw new AllocationError('invalid',
        `the stored allocation at ${this.key} is for range ${stored.range}, not ${this.range.description}: ` +
        'every apiserver of a cluster must use the same range');
    }
    const b = Buffer.alloc(bytes);
    Buffer.from(stored.data, 'base64').copy(b);
    return b;
  }

  #write(kv: KeyValue | undefined, b: Buffer): SideWrite {
    const stored: Stored = { kind: 'RangeAllocation', apiVersion: 'v1', range: this.range.description, data: b.toString('base64') };
    return { key: this.key, value: Buffer.from(JSON.stringify(stored)), expectModRevision: kv?.modRevision ?? 0 };
  }

  /** Takes `wanted` (if given) or a free value at random; returns it and the bitmap write to do with the object. */
  allocate(kv: KeyValue | undefined, wanted?: string): { value: string; write: SideWrite } {
    const b = this.#bitmap(kv);
    const isSet = (i: number) => (b[i >> 3]! & (1 << (i & 7))) !== 0;
    let index: number;
    if (wanted !== undefined) {
      const n = this.range.parse(wanted);
      if (n === undefined) throw new AllocationError('invalid', `provided value is not in the valid range. The range of valid values is ${this.range.description}`);
      index = n - this.range.first;
      if (isSet(index)) throw new AllocationError('taken', 'provided value is already allocated');
    } else {
      const start = Math.floor(this.random() * this.range.size);
      index = -1;
      for (let k = 0; k < this.range.size; k++) {
        const i = (start + k) % this.range.size;
        if (!isSet(i)) {
          index = i;
          break;
        }
      }
      if (index < 0) throw new AllocationError('full', `range ${this.range.description} is full`);
    }
    b[index >> 3]! |= 1 << (index & 7);
    return { value: this.range.format(this.range.first + index), write: this.#write(kv, b) };
  }

  /** Frees values (unknown ones are ignored); undefined when nothing changes. */
  release(kv: KeyValue | undefined, values: readonly string[]): SideWrite | undefined {
    if (!kv || values.length === 0) return undefined;
    const b = this.#bitmap(kv);
    let changed = false;
    for (const v of values) {
      const n = this.range.parse(v);
      if (n === undefined) continue;
      const i = n - this.range.first;
      if ((b[i >> 3]! & (1 << (i & 7))) !== 0) {
        b[i >> 3]! &= ~(1 << (i & 7));
        changed = true;
      }
    }
    return changed ? this.#write(kv, b) : undefined;
  }
}

export interface ServiceIpAllocator {
  readonly ips: RangeAllocator;
  readonly ports: RangeAllocator;
}
