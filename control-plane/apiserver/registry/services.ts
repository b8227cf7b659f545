// Services' cluster IPs and node ports, allocated in the same transaction that writes the
// Service (see service-ips.ts), and released in the one that deletes it.
import { invalidWithCauses, type JsonObject, type Status } from '../../api/index.js';
import type { ObjectStore, SideWrite } from '../storage/object-store.js';
import { AllocationError, type ServiceIpAllocator } from './service-ips.js';

interface Port { nodePort?: number; port?: number; name?: string }

function spec(svc: JsonObject): JsonObject {
  return (svc['spec'] ?? {}) as JsonObject;
}

function needsClusterIp(s: JsonObject): boolean {
  return s['type'] !== 'ExternalName' && s['clusterIP'] !== 'None';
}

function needsNodePorts(s: JsonObject): boolean {
  return s['type'] === 'NodePort' || s['type'] === 'LoadBalancer';
}

function invalid(svc: JsonObject, field: string, value: unknown, detail: string): Status {
  const name = ((svc['metadata'] ?? {}) as JsonObject)['name'] as string ?? '';
  return invalidWithCauses({ group: '', kind: 'Service' }, name,
    `Service "${name}" is invalid: ${field}: Invalid value: ${JSON.stringify(value)}: ${detail}`,
    [{ reason: 'FieldValueInvalid', message: `Invalid value: ${JSON.stringify(value)}: ${detail}`, field }]);
}

/** Fills spec.clusterIP(s) and node ports on a new Service; the writes go into its create transaction. */
export async function allocateForCreate(store: ObjectStore, a: ServiceIpAllocator, svc: JsonObject):
  Promise<SideWrite[] | Status> {
  const s = spec(svc);
  const writes: SideWrite[] = [];
  if (s['type'] !== 'ExternalName') {
    // Single-stack IPv4 (Kubernetes fills these on create; `kubectl describe` shows them).
    s['ipFamilies'] ??= ['IPv4'];
    s['ipFamilyPolicy'] ??= 'SingleStack';
  }
  if (needsClusterIp(s)) {
    const wanted = typeof s['clusterIP'] === 'string' && s['clusterIP'] !== '' ? s['clusterIP'] : undefined;
    try {
      const got = a.ips.allocate(await store.getRaw(a.ips.key), wanted);
      s['clusterIP'] = got.value;
      s['clusterIPs'] = [got.value];
      writes.push(got.write);
    } catch (e) {
      if (!(e instanceof AllocationError)) throw e;
      return invalid(svc, 'spec.clusterIPs', [wanted ?? ''], `failed to allocate IP ${wanted ?? ''}: ${e.message}`);
    }
  }
  if (needsNodePorts(s)) {
    let kv = await store.getRaw(a.ports.key);
    const ports = (s['ports'] ?? []) as Port[];
    let write: SideWrite | undefined;
    for (const [i, p] of ports.entries()) {
      try {
        const got = a.ports.allocate(kv, p.nodePort ? String(p.nodePort) : undefined);
        p.nodePort = Number(got.value);
        write = got.write;
        // Chain: the next port allocates from the bitmap this one produced.
        kv = { key: Buffer.from(a.ports.key), value: got.write.value!, createRevision: 0,
          modRevision: kv?.modRevision ?? 0, version: 0, lease: 0n };
      } catch (e) {
        if (!(e instanceof AllocationError)) throw e;
        return invalid(svc, `spec.ports[${i}].nodePort`, p.nodePort ?? 0, e.message);
      }
    }
    if (write) writes.push(write);
  }
  return writes;
}

/** The bitmap writes that free a deleted Service's addresses (to go into its delete transaction). */
export async function releaseForDelete(store: ObjectStore, a: ServiceIpAllocator, svc: JsonObject):
  Promise<SideWrite[]> {
  const s = spec(svc);
  const writes: SideWrite[] = [];
  const ips = ((s['clusterIPs'] ?? (s['clusterIP'] ? [s['clusterIP']] : [])) as string[]).filter((ip) => ip !== 'None');
  const ipWrite = a.ips.release(await store.getRaw(a.ips.key), ips);
  if (ipWrite) writes.push(ipWrite);
  const nodePorts = ((s['ports'] ?? []) as Port[]).map((p) => p.nodePort).filter((n): n is number => typeof n === 'number');
  const portWrite = a.ports.release(await store.getRaw(a.ports.key), nodePorts.map(String));
  if (portWrite) writes.push(portWrite);
  return writes;
}
