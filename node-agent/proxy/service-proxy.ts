// kube-proxy's data path in userspace (the design of its original "userspace" mode): for
// every TCP port of every ClusterIP service, listen on clusterIP:port, and for NodePort and
// LoadBalancer services also on the node's address at the nodePort; forward each accepted
// connection to a ready endpoint, round robin, or to the client's previous endpoint under
// sessionAffinity ClientIP. No ready endpoint: the connection is reset at once, as
// kube-proxy's iptables REJECT rule answers. update() is level-triggered and incremental:
// it takes the full lists and adds, re-points or closes only the listeners that changed.
import net from 'node:net';
import type { EndpointPort, Endpoints, Service, ServicePort } from '../../control-plane/api/index.js';
import {
  AFFINITY_ENTRIES_MAX, AFFINITY_TIMEOUT_SECONDS_DEFAULT, CONNECTIONS_PER_SERVICE_PORT_MAX, DIAL_ATTEMPTS_MAX,
  DIAL_TIMEOUT_MS, LISTENERS_MAX,
} from './limits.js';

/** Plain counters per service port ("namespace/name:port"), for the lead's prom-client metrics. */
export interface ServicePortStats {
  connectionsTotal: number;
  connectionsActive: number;
  /** Reset at once: no ready endpoint, or the connection bound reached. */
  connectionsRejected: number;
  dialFailures: number;
  /** Counted when a connection closes. */
  bytesFromClients: number;
  bytesToClients: number;
}

export interface Backend {
  ip: string;
  port: number;
}

export interface ServiceProxyOptions {
  /** Where NodePort services listen (the node's InternalIP, e.g. 127.10.0.1); none: no NodePort listeners. */
  nodeAddress?: string;
  now?: () => number;
  connectionsPerServicePortMax?: number;
}

export interface ProxyUpdateResult {
  /** "ip:port" of every listener now bound. */
  listening: string[];
  /** Listeners that could not bind (tried again on the next update). */
  errors: { address: string; servicePort: string; message: string }[];
}

interface PortState {
  key: string;
  backends: Backend[];
  rr: number;
  affinityTimeoutMs: number | undefined;
  clients: Map<string, { backend: string; lastMs: number }>;
  stats: ServicePortStats;
}

interface Listener {
  address: string;
  server: net.Server;
  state: PortState;
}

interface Desired {
  key: string;
  backends: Backend[];
  affinityTimeoutMs: number | undefined;
  addresses: string[];
}

const backendKey = (b: Backend): string => `${b.ip}:${b.port}`;

function metaKey(o: { metadata?: { namespace?: string; name?: string } }): string {
  return `${o.metadata?.namespace ?? 'default'}/${o.metadata?.name ?? ''}`;
}

/**
 * Ready endpoints of one service port. The endpoints controller names each Endpoints port after
 * the service port and has already resolved a named targetPort to each pod's number, so the
 * service port's name is all we match on (an unnamed single port matches the unnamed one).
 */
export function backendsFor(sp: ServicePort, eps: Endpoints | undefined): Backend[] {
  const out: Backend[] = [];
  for (const subset of eps?.subsets ?? []) {
    const port: EndpointPort | undefined = (subset.ports ?? [])
      .find((p) => (p.name ?? '') === (sp.name ?? '') && (p.protocol ?? 'TCP') === 'TCP');
    if (port === undefined) continue;
    for (const a of subset.addresses ?? []) out.push({ ip: a.ip, port: port.port });
  }
  return out;
}

function desiredListeners(services: readonly Service[], endpoints: readonly Endpoints[],
  nodeAddress: string | undefined): Map<string, Desired> {
  const epsByKey = new Map(endpoints.map((e) => [metaKey(e), e]));
  const byKey = new Map<string, Desired>();
  for (const svc of services) {
    const spec = svc.spec ?? {};
    if (spec.type === 'ExternalName') continue;
    const clusterIP = spec.clusterIP ?? '';
    const headless = clusterIP === '' || clusterIP === 'None';
    const nodePorts = (spec.type === 'NodePort' || spec.type === 'LoadBalancer') && nodeAddress !== undefined;
    const affinityTimeoutMs = spec.sessionAffinity === 'ClientIP'
      ? (spec.sessionAffinityConfig?.clientIP?.timeoutSeconds ?? AFFINITY_TIMEOUT_SECONDS_DEFAULT) * 1000 : undefined;
    for (const sp of spec.ports ?? []) {
      if ((sp.protocol ?? 'TCP') !== 'TCP') continue;
      const addresses: string[] = [];
      if (!headless) addresses.push(`${clusterIP}:${sp.port}`);
      if (nodePorts && sp.nodePort !== undefined && sp.nodePort > 0) addresses.push(`${nodeAddress}:${sp.nodePort}`);
      if (addresses.length === 0) continue;
      const key = `${metaKey(svc)}:${sp.name !== undefined && sp.name !== '' ? sp.name : sp.port}`;
      byKey.set(key, { key, backends: backendsFor(sp, epsByKey.get(metaKey(svc))), affinityTimeoutMs, addresses });
    }
  }
  return byKey;
}

function splitAddress(address: string): { host: string; port: number } {
  const i = address.lastIndexOf(':');
  return { host: address.slice(0, i), port: Number(address.slice(i + 1)) };
}

export class ServiceProxy {
  readonly #o: ServiceProxyOptions;
  readonly #now: () => number;
  readonly #ports = new Map<string, PortState>();
  readonly #listeners = new Map<string, Listener>();
  readonly #sockets = new Set<net.Socket>();
  #closed = false;

  constructor(o: ServiceProxyOptions = {}) {
    this.#o = o;
    this.#now = o.now ?? Date.now;
  }

  /** Makes the listeners and endpoint sets match these services and endpoints (the full lists). */
  async update(services: readonly Service[], endpoints: readonly Endpoints[]): Promise<ProxyUpdateResult> {
    const desired = desiredListeners(services, endpoints, this.#o.nodeAddress);
    const wantAddress = new Map<string, PortState>();
    for (const d of desired.values()) {
      const state = this.#ports.get(d.key) ?? this.#newState(d.key);
      this.#ports.set(d.key, state);
      this.#setBackends(state, d);
      for (const a of d.addresses) wantAddress.set(a, state);
    }
    for (const key of [...this.#ports.keys()]) if (!desired.has(key)) this.#ports.delete(key);
    const closing: Promise<void>[] = [];
    for (const [address, l] of this.#listeners) {
      const state = wantAddress.get(address);
      if (state === undefined) {
        this.#listeners.delete(address);
        // Established connections keep running, as conntrack keeps them under iptables.
        closing.push(new Promise((r) => l.server.close(() => r())));
      } else {
        l.state = state;
      }
    }
    const errors: ProxyUpdateResult['errors'] = [];
    const opening: Promise<void>[] = [];
    for (const [address, state] of wantAddress) {
      if (this.#listeners.has(address)) continue;
      if (this.#listeners.size >= LISTENERS_MAX) {
        errors.push({ address, servicePort: state.key, message: `more than ${LISTENERS_MAX} listeners; not opened` });
        continue;
      }
      opening.push(this.#listen(address, state).catch((e: Error) => {
        errors.push({ address, servicePort: state.key, message: e.message });
      }));
    }
    await Promise.all([...closing, ...opening]);
    return { listening: [...this.#listeners.keys()].sort(), errors };
  }

  /** Counters per service port, copied. */
  stats(): Record<string, ServicePortStats> {
    const out: Record<string, ServicePortStats> = {};
    for (const [k, s] of this.#ports) out[k] = { ...s.stats };
    return out;
  }

  /** Closes every listener and connection. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const s of this.#sockets) s.destroy();
    await Promise.all([...this.#listeners.values()].map((l) => new Promise<void>((r) => l.server.close(() => r()))));
    this.#listeners.clear();
  }

  #newState(key: string): PortState {
    return {
      key, backends: [], rr: 0, affinityTimeoutMs: undefined, clients: new Map(),
      stats: { connectionsTotal: 0, connectionsActive: 0, connectionsRejected: 0, dialFailures: 0, bytesFromClients: 0,
        bytesToClients: 0 },
    };
  }

  #setBackends(state: PortState, d: Desired): void {
    state.backends = d.backends;
    state.affinityTimeoutMs = d.affinityTimeoutMs;
    if (d.affinityTimeoutMs === undefined) state.clients.clear();
    const live = new Set(d.backends.map(backendKey));
    for (const [ip, e] of state.clients) if (!live.has(e.backend)) state.clients.delete(ip);
  }

  #listen(address: string, state: PortState): Promise<void> {
    const { host, port } = splitAddress(address);
    const server = net.createServer({ allowHalfOpen: true, pauseOnConnect: true });
    const listener: Listener = { address, server, state };
    server.on('connection', (sock) => this.#accept(listener.state, sock));
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host, port }, () => {
        server.removeListener('error', reject);
        server.on('error', () => undefined);
        if (this.#closed) server.close();
        else this.#listeners.set(address, listener);
        resolve();
      });
    });
  }

  /** Round robin, or the client's remembered endpoint under ClientIP affinity (kube-proxy's affinity map). */
  #pick(state: PortState, clientIp: string): Backend | undefined {
    if (state.backends.length === 0) return undefined;
    const now = this.#now();
    if (state.affinityTimeoutMs !== undefined) {
      const e = state.clients.get(clientIp);
      const b = e !== undefined && now - e.lastMs < state.affinityTimeoutMs
        ? state.backends.find((x) => backendKey(x) === e.backend) : undefined;
      if (b !== undefined) {
        state.clients.delete(clientIp);
        state.clients.set(clientIp, { backend: backendKey(b), lastMs: now });
        return b;
      }
    }
    const b = state.backends[state.rr % state.backends.length];
    state.rr = (state.rr + 1) % state.backends.length;
    if (b !== undefined && state.affinityTimeoutMs !== undefined) {
      state.clients.delete(clientIp);
      if (state.clients.size >= AFFINITY_ENTRIES_MAX) {
        const oldest = state.clients.keys().next();
        if (oldest.done !== true) state.clients.delete(oldest.value);
      }
      state.clients.set(clientIp, { backend: backendKey(b), lastMs: now });
    }
    return b;
  }

  #accept(state: PortState, client: net.Socket): void {
    const stats = state.stats;
    stats.connectionsTotal++;
    const max = this.#o.connectionsPerServicePortMax ?? CONNECTIONS_PER_SERVICE_PORT_MAX;
    if (stats.connectionsActive >= max || state.backends.length === 0 || this.#closed) {
      stats.connectionsRejected++;
      client.resetAndDestroy();
      return;
    }
    stats.connectionsActive++;
    this.#sockets.add(client);
    client.on('error', () => client.destroy());
    client.once('close', () => {
      this.#sockets.delete(client);
      stats.connectionsActive--;
      stats.bytesFromClients += client.bytesRead;
      stats.bytesToClients += client.bytesWritten;
    });
    this.#dial(state, client, 1);
  }

  /** Connects to an endpoint, trying others when the dial fails, then pipes both ways. */
  #dial(state: PortState, client: net.Socket, attempt: number): void {
    const b = this.#pick(state, client.remoteAddress ?? '');
    if (b === undefined || client.destroyed) {
      client.resetAndDestroy();
      return;
    }
    const upstream = net.connect({ host: b.ip, port: b.port, allowHalfOpen: true });
    this.#sockets.add(upstream);
    upstream.setTimeout(DIAL_TIMEOUT_MS, () => upstream.destroy(new Error('dial timeout')));
    const onDialError = (): void => {
      state.stats.dialFailures++;
      this.#sockets.delete(upstream);
      state.clients.delete(client.remoteAddress ?? '');
      if (attempt < Math.min(DIAL_ATTEMPTS_MAX, state.backends.length)) this.#dial(state, client, attempt + 1);
      else client.resetAndDestroy();
    };
    upstream.once('error', onDialError);
    upstream.once('connect', () => {
      upstream.removeListener('error', onDialError);
      upstream.setTimeout(0);
      upstream.on('error', () => client.destroy());
      client.on('error', () => upstream.destroy());
      // A clean close lets the other side flush what it still holds; an error tears both down.
      upstream.once('close', (hadError) => {
        this.#sockets.delete(upstream);
        if (hadError) client.destroy();
        else client.end();
      });
      client.once('close', (hadError) => (hadError ? upstream.destroy() : upstream.end()));
      // pipe() gives back-pressure both ways and forwards each side's FIN (half-close) to the other.
      client.pipe(upstream);
      upstream.pipe(client);
      client.resume();
    });
  }
}
