// Endpoints controller (kube pkg/controller/endpoint): for every Service with a selector, an
// Endpoints object of the same name listing the matching pods that have an IP — ready ones under
// `addresses`, others under `notReadyAddresses` (all ready with publishNotReadyAddresses) — each
// with targetRef and nodeName, and the ports resolved from each service port's targetPort (a
// number, or a container port name looked up per pod). Pods with the same port set share a subset.
// The Endpoints goes when its Service goes. Services without a selector are left to their owners.
import type { EndpointAddress, EndpointPort, EndpointSubset, Endpoints, Pod, Service, ServicePort } from '../api/index.js';
import { selectorFromSet } from '../api/index.js';
import { isNotFound, isTombstone, type DeletedFinalStateUnknown } from '../client/index.js';
import { QueueController } from './controller.js';
import { ENDPOINTS_MAX_ADDRESSES } from './limits.js';
import { R, type ControllerContext, type Informer } from './types.js';
import { isPodReady, jsonEq, keyFor, splitNsName } from './util.js';

const OVER_CAPACITY_ANNOTATION = 'endpoints.kubernetes.io/over-capacity';
const HEADLESS_LABEL = 'service.kubernetes.io/headless';

/** podutil.FindPort: a number is itself; a name is the container port of that name and protocol. */
export function findPort(pod: Pod, sp: ServicePort): number | undefined {
  const tp = sp.targetPort ?? sp.port;
  if (typeof tp === 'number') return tp;
  if (/^\d+$/.test(tp)) return Number(tp);
  for (const c of pod.spec?.containers ?? []) {
    for (const p of c.ports ?? []) if (p.name === tp && (p.protocol ?? 'TCP') === (sp.protocol ?? 'TCP')) return p.containerPort;
  }
  return undefined;
}

/** ShouldPodBeInEndpoints: has an IP, not terminal, not being deleted. */
function podInEndpoints(p: Pod): boolean {
  const phase = p.status?.phase;
  return (p.status?.podIP ?? '') !== '' && phase !== 'Succeeded' && phase !== 'Failed' &&
    p.metadata?.deletionTimestamp === undefined;
}

export function computeSubsets(svc: Service, pods: readonly Pod[]): { subsets: EndpointSubset[]; truncated: boolean } {
  const groups = new Map<string, { ports: EndpointPort[]; ready: EndpointAddress[]; notReady: EndpointAddress[] }>();
  const publishNotReady = svc.spec?.publishNotReadyAddresses === true;
  for (const p of pods) {
    if (!podInEndpoints(p)) continue;
    const ports: EndpointPort[] = [];
    for (const sp of svc.spec?.ports ?? []) {
      const port = findPort(p, sp);
      if (port === undefined) continue;
      ports.push({ ...(sp.name !== undefined && sp.name !== '' ? { name: sp.name } : {}), port, protocol: sp.protocol ?? 'TCP',
        ...(sp.appProtocol !== undefined ? { appProtocol: sp.appProtocol } : {}) });
    }
    if ((svc.spec?.ports ?? []).length > 0 && ports.length === 0) continue;
    const addr: EndpointAddress = { ip: p.status!.podIP!,
      targetRef: { kind: 'Pod', namespace: p.metadata?.namespace ?? '', name: p.metadata?.name ?? '', uid: p.metadata?.uid ?? '' } };
    if (p.spec?.nodeName) addr.nodeName = p.spec.nodeName;
    if (p.spec?.hostname && p.spec.subdomain === svc.metadata?.name) addr.hostname = p.spec.hostname;
    ports.sort((a, b) => (a.name ?? '').localeCompare(b.name ?? '') || a.port - b.port);
    const key = JSON.stringify(ports);
    let g = groups.get(key);
    if (g === undefined) { g = { ports, ready: [], notReady: [] }; groups.set(key, g); }
    (isPodReady(p) || publishNotReady ? g.ready : g.notReady).push(addr);
  }
  let truncated = false;
  const byIp = (a: EndpointAddress, b: EndpointAddress): number => a.ip.localeCompare(b.ip) ||
    (a.targetRef?.name ?? '').localeCompare(b.targetRef?.name ?? '');
  const subsets = [...groups.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([, g]) => {
    g.ready.sort(byIp);
    g.notReady.sort(byIp);
    if (g.ready.length + g.notReady.length > ENDPOINTS_MAX_ADDRESSES) {
      truncated = true;
      g.ready = g.ready.slice(0, ENDPOINTS_MAX_ADDRESSES);
      g.notReady = g.notReady.slice(0, Math.max(0, ENDPOINTS_MAX_ADDRESSES - g.ready.length));
    }
    const s: EndpointSubset = {};
    if (g.ready.length > 0) s.addresses = g.ready;
    if (g.notReady.length > 0) s.notReadyAddresses = g.notReady;
    if (g.ports.length > 0) s.ports = g.ports;
    return s;
  });
  return { subsets, truncated };
}

export class EndpointsController extends QueueController {
  readonly #services: Informer<Service>;
  readonly #pods: Informer<Pod>;
  readonly #endpoints: Informer<Endpoints>;

  constructor(ctx: ControllerContext) {
    super('endpoints', ctx);
    this.#services = ctx.informers.informer<Service>(R.services);
    this.#pods = ctx.informers.informer<Pod>(R.pods);
    this.#endpoints = ctx.informers.informer<Endpoints>(R.endpoints);
    this.#services.addEventHandler({
      onAdd: (s) => this.enqueue(keyFor(s)),
      onUpdate: (_o, s) => this.enqueue(keyFor(s)),
      onDelete: (s) => this.enqueue(keyFor(isTombstone(s) ? s.obj : s)),
    });
    this.#pods.addEventHandler({
      onAdd: (p) => this.#podChanged(p),
      onUpdate: (o, p) => { this.#podChanged(o); this.#podChanged(p); },
      onDelete: (p) => this.#podChanged(p),
    });
    // An Endpoints deleted by someone else is recreated for its service.
    this.#endpoints.addEventHandler({ onDelete: (e) => this.enqueue(keyFor(isTombstone(e) ? e.obj : e)) });
  }

  protected override initialKeys(): Iterable<string> {
    return this.#services.store.listKeys();
  }

  #podChanged(obj: Pod | DeletedFinalStateUnknown<Pod>): void {
    const p = isTombstone(obj) ? obj.obj : obj;
    const labels = p.metadata?.labels ?? {};
    for (const svc of this.#services.store.listByNamespace(p.metadata?.namespace ?? '')) {
      const sel = svc.spec?.selector;
      if (sel === undefined || Object.keys(sel).length === 0) continue;
      if (selectorFromSet(sel).matches(labels)) this.enqueue(keyFor(svc));
    }
  }

  async sync(key: string): Promise<void> {
    const { namespace, name } = splitNsName(key);
    const svc = this.#services.store.getByName(namespace, name);
    if (svc === undefined) {
      try {
        await this.ctx.client.delete(R.endpoints, namespace, name);
      } catch (e) {
        if (!isNotFound(e)) throw e;
      }
      return;
    }
    const sel = svc.spec?.selector;
    if (sel === undefined || Object.keys(sel).length === 0) return;
    const selector = selectorFromSet(sel);
    const pods = this.#pods.store.listByNamespace(namespace).filter((p) => selector.matches(p.metadata?.labels ?? {}));
    const { subsets, truncated } = computeSubsets(svc, pods);
    const labels: Record<string, string> = { ...(svc.metadata?.labels ?? {}) };
    if (svc.spec?.clusterIP === 'None') labels[HEADLESS_LABEL] = '';
    const current = this.#endpoints.store.getByName(namespace, name);
    const annotations: Record<string, string> = { ...(current?.metadata?.annotations ?? {}) };
    if (truncated) annotations[OVER_CAPACITY_ANNOTATION] = 'truncated';
    else delete annotations[OVER_CAPACITY_ANNOTATION];
    if (current !== undefined && jsonEq(current.subsets ?? [], subsets) &&
      jsonEq(current.metadata?.labels ?? {}, labels) &&
      jsonEq(current.metadata?.annotations ?? {}, annotations)) return;
    const ep: Endpoints = { apiVersion: 'v1', kind: 'Endpoints',
      metadata: { ...(current?.metadata ?? { name, namespace }), labels, annotations }, subsets };
    if (Object.keys(annotations).length === 0) delete ep.metadata!.annotations;
    if (current === undefined) await this.ctx.client.create(R.endpoints, namespace, ep);
    else await this.ctx.client.update(R.endpoints, namespace, ep);
  }
}
