// PodInfo: everything the scheduler reads from a Pod, computed once per Pod object and cached
// (informer objects are immutable: an update is a new object). Requests follow
// k8s.io/component-helpers resource.PodRequests: sum of containers, max with each init
// container (sidecars, restartPolicy Always, accumulate), plus spec.overhead.
import { LabelSelector, labelSelectorAsSelector, quantityFromJson } from '../api/index.js';
import type { Container, Pod, PodAffinityTerm, ResourceList } from '../api/index.js';
import type { LabelSelector as MetaLabelSelector } from '../api/types/meta.js';
import { DEFAULT_MEMORY_REQUEST_BYTES, DEFAULT_MILLI_CPU_REQUEST, MAX_QUANTITY_CACHE_ENTRIES } from './limits.js';

export interface HostPort { readonly ip: string; readonly protocol: string; readonly port: number }

export interface AffinityTerm {
  readonly selector: LabelSelector;
  /** null: every namespace (namespaceSelector {}). */
  readonly namespaces: ReadonlySet<string> | null;
  readonly topologyKey: string;
  readonly weight: number;
}

const EMPTY_LABELS: Readonly<Record<string, string>> = Object.freeze({});

// ---- quantities: parsed once per distinct string ------------------------------------------

interface Parsed { milli: number; value: number }
const quantityCache = new Map<string, Parsed>();

function parsedQuantity(v: string | number): Parsed {
  const key = String(v);
  const hit = quantityCache.get(key);
  if (hit !== undefined) return hit;
  const r = quantityFromJson(v);
  const parsed = r.ok ? { milli: r.value.milliValue(), value: r.value.value() } : { milli: 0, value: 0 };
  if (quantityCache.size >= MAX_QUANTITY_CACHE_ENTRIES) quantityCache.clear();
  quantityCache.set(key, parsed);
  return parsed;
}

/** A quantity's integer value (counts, bytes), parsed once per distinct string. */
export function quantityValue(v: string | number): number {
  return parsedQuantity(v).value;
}

/** Resources the Fit plugin counts besides cpu/memory/pods (v1helper.IsScalarResourceName). */
export function isScalarResource(name: string): boolean {
  if (name === 'ephemeral-storage' || name.startsWith('hugepages-')) return true;
  if (name.startsWith('attachable-volumes-')) return true;
  const slash = name.indexOf('/');
  if (slash < 0) return false;
  const domain = name.slice(0, slash);
  return domain !== 'kubernetes.io' && !domain.endsWith('.kubernetes.io');
}

/** A resource vector: cpu in millicores, memory in bytes, scalars in units. */
export class Resources {
  cpuMilli = 0;
  memBytes = 0;
  scalar: Map<string, number> | null = null;

  static fromList(list: ResourceList | undefined): Resources {
    const r = new Resources();
    if (list === undefined) return r;
    for (const name of Object.keys(list)) {
      const q = parsedQuantity(list[name] as string | number);
      if (name === 'cpu') r.cpuMilli = q.milli;
      else if (name === 'memory') r.memBytes = q.value;
      else if (isScalarResource(name)) (r.scalar ??= new Map()).set(name, q.value);
    }
    return r;
  }

  add(o: Resources): void {
    this.cpuMilli += o.cpuMilli;
    this.memBytes += o.memBytes;
    if (o.scalar !== null) for (const [k, v] of o.scalar) (this.scalar ??= new Map()).set(k,
      (this.scalar.get(k) ?? 0) + v);
  }

  max(o: Resources): void {
    this.cpuMilli = Math.max(this.cpuMilli, o.cpuMilli);
    this.memBytes = Math.max(this.memBytes, o.memBytes);
    if (o.scalar !== null) for (const [k, v] of o.scalar) (this.scalar ??= new Map()).set(k,
      Math.max(this.scalar.get(k) ?? 0, v));
  }

  clone(): Resources {
    const r = new Resources();
    r.cpuMilli = this.cpuMilli;
    r.memBytes = this.memBytes;
    r.scalar = this.scalar === null ? null : new Map(this.scalar);
    return r;
  }
}

function containerRequests(c: Container, nonZero: boolean): Resources {
  const req = c.resources?.requests;
  const r = Resources.fromList(req);
  if (nonZero) {
    // schedutil.GetNonzeroRequests: an unset (not an explicit zero) request counts as the default.
    if (req?.['cpu'] === undefined) r.cpuMilli = DEFAULT_MILLI_CPU_REQUEST;
    if (req?.['memory'] === undefined) r.memBytes = DEFAULT_MEMORY_REQUEST_BYTES;
  }
  return r;
}

/** resource.PodRequests (with nonZero: the scoring variant that substitutes defaults). */
export function podRequests(pod: Pod, nonZero: boolean): Resources {
  const spec = pod.spec;
  const total = new Resources();
  if (spec === undefined) return total;
  for (const c of spec.containers ?? []) total.add(containerRequests(c, nonZero));
  // Without init containers the max below is a no-op (requests are never negative): skip it.
  if (spec.initContainers !== undefined && spec.initContainers.length > 0) {
    const sidecars = new Resources();
    const initMax = new Resources();
    for (const c of spec.initContainers) {
      const r = containerRequests(c, nonZero);
      if (c.restartPolicy === 'Always') {
        sidecars.add(r);
        initMax.max(sidecars);
      } else {
        const tmp = r.clone();
        tmp.add(sidecars);
        initMax.max(tmp);
      }
    }
    total.add(sidecars);
    total.max(initMax);
  }
  const overhead = (spec as { overhead?: ResourceList }).overhead;
  if (overhead !== undefined) total.add(Resources.fromList(overhead));
  return total;
}

// ---- affinity terms ---------------------------------------------------------------------

/** metav1.LabelSelectorAsSelector; an invalid selector (refused by validation) selects nothing. */
export function compileSelector(sel: MetaLabelSelector | undefined): LabelSelector {
  const r = labelSelectorAsSelector(sel);
  return r.ok ? r.value : LabelSelector.nothing();
}

function compileTerm(t: PodAffinityTerm, podNamespace: string, weight: number): AffinityTerm {
  let namespaces: Set<string> | null = new Set(t.namespaces ?? []);
  const nsSel = t.namespaceSelector;
  // An empty namespaceSelector selects every namespace; without one, an empty list means the pod's own.
  if (nsSel !== undefined && Object.keys(nsSel.matchLabels ?? {}).length === 0 &&
    (nsSel.matchExpressions ?? []).length === 0) {
    namespaces = null;
  } else if (namespaces.size === 0 && nsSel === undefined) {
    namespaces.add(podNamespace);
  }
  return { selector: compileSelector(t.labelSelector), namespaces, topologyKey: t.topologyKey, weight };
}

export function termMatches(term: AffinityTerm, pi: PodInfo): boolean {
  if (term.namespaces !== null && !term.namespaces.has(pi.namespace)) return false;
  return term.selector.matches(pi.labels);
}

// ---- PodInfo ----------------------------------------------------------------------------

export class PodInfo {
  readonly key: string;
  readonly name: string;
  readonly namespace: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly priority: number;
  readonly creationMs: number;
  readonly requests: Resources;
  readonly nonZero: Resources;
  readonly hostPorts: readonly HostPort[] | null;
  readonly requiredAffinity: readonly AffinityTerm[] | null;
  readonly requiredAntiAffinity: readonly AffinityTerm[] | null;
  readonly preferredAffinity: readonly AffinityTerm[] | null;
  readonly preferredAntiAffinity: readonly AffinityTerm[] | null;

  /** `same`: a PodInfo of a pod that differs from `pod` only in spec.nodeName (withNodeName). */
  constructor(readonly pod: Pod, same?: PodInfo) {
    if (same !== undefined) {
      this.name = same.name;
      this.namespace = same.namespace;
      this.key = same.key;
      this.labels = same.labels;
      this.priority = same.priority;
      this.creationMs = same.creationMs;
      this.requests = same.requests;
      this.nonZero = same.nonZero;
      this.hostPorts = same.hostPorts;
      this.requiredAffinity = same.requiredAffinity;
      this.requiredAntiAffinity = same.requiredAntiAffinity;
      this.preferredAffinity = same.preferredAffinity;
      this.preferredAntiAffinity = same.preferredAntiAffinity;
      return;
    }
    const meta = pod.metadata ?? {};
    this.name = meta.name ?? '';
    this.namespace = meta.namespace ?? 'default';
    this.key = podKey(pod);
    this.labels = meta.labels ?? EMPTY_LABELS;
    this.priority = pod.spec?.priority ?? 0;
    const created = meta.creationTimestamp === undefined ? NaN : Date.parse(meta.creationTimestamp);
    this.creationMs = Number.isNaN(created) ? 0 : created;
    this.requests = podRequests(pod, false);
    this.nonZero = podRequests(pod, true);
    this.hostPorts = collectHostPorts(pod);
    const aff = pod.spec?.affinity;
    const ns = this.namespace;
    const req = (ts: PodAffinityTerm[] | undefined, w: number) => (ts?.length ? ts.map((t) => compileTerm(t, ns,
      w)) : null);
    this.requiredAffinity = req(aff?.podAffinity?.requiredDuringSchedulingIgnoredDuringExecution, 1);
    this.requiredAntiAffinity = req(aff?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution, 1);
    const pref = aff?.podAffinity?.preferredDuringSchedulingIgnoredDuringExecution;
    this.preferredAffinity = pref?.length ? pref.map((w) => compileTerm(w.podAffinityTerm, ns, w.weight)) : null;
    const prefAnti = aff?.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution;
    this.preferredAntiAffinity = prefAnti?.length ? prefAnti.map((w) => compileTerm(w.podAffinityTerm, ns,
      w.weight)) : null;
  }

  /** NodeInfo.PodsWithAffinity: pods with any (anti-)affinity term. */
  get hasAffinity(): boolean {
    return this.requiredAffinity !== null || this.requiredAntiAffinity !== null
      || this.preferredAffinity !== null || this.preferredAntiAffinity !== null;
  }
}

function collectHostPorts(pod: Pod): HostPort[] | null {
  let out: HostPort[] | null = null;
  for (const c of pod.spec?.containers ?? []) {
    for (const p of c.ports ?? []) {
      if (p.hostPort === undefined || p.hostPort <= 0) continue;
      (out ??= []).push({ ip: p.hostIP || '0.0.0.0', protocol: p.protocol || 'TCP', port: p.hostPort });
    }
  }
  return out;
}

export function podKey(pod: Pod): string {
  const uid = pod.metadata?.uid;
  if (uid !== undefined && uid !== '') return uid;
  return `${pod.metadata?.namespace ?? 'default'}/${pod.metadata?.name ?? ''}`;
}

const infoCache = new WeakMap<Pod, PodInfo>();

/** The PodInfo of a pod object, computed once. */
export function podInfoOf(pod: Pod): PodInfo {
  let pi = infoCache.get(pod);
  if (pi === undefined) {
    pi = new PodInfo(pod);
    infoCache.set(pod, pi);
  }
  return pi;
}

/**
 * A copy of the pod with spec.nodeName set (what an assumed pod looks like). Nothing a PodInfo holds
 * depends on spec.nodeName, so the copy's PodInfo is the original's with `pod` replaced, not parsed again.
 */
export function withNodeName(pod: Pod, nodeName: string): Pod {
  const copy: Pod = { ...pod, spec: { ...(pod.spec ?? { containers: [] }), nodeName } };
  const pi = infoCache.get(pod);
  if (pi !== undefined) infoCache.set(copy, new PodInfo(copy, pi));
  return copy;
}
