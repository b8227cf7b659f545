// A container's environment and a pod's volume contents, resolved the way the kubelet does
// (kubelet_pods.go makeEnvironmentVariables, volume/configmap and volume/secret):
// - envFrom first, in order, keys prefixed, invalid names skipped; then env in order;
// - `value` has $(VAR) references expanded against what is defined so far ($$ escapes a $,
//   an undefined reference is kept literally); command and args are expanded the same way;
// - valueFrom: fieldRef (metadata.name/namespace/uid, labels/annotations['k'], spec.nodeName,
//   spec.serviceAccountName, status.hostIP/hostIPs/podIP/podIPs), resourceFieldRef,
//   configMapKeyRef and secretKeyRef (optional ones skipped when missing);
// - a missing non-optional source is a ContainerConfigError (CreateContainerConfigError).
import type {
  ConfigMap, Container, EnvVar, Pod, ResourceFieldSelector, Secret, Volume,
} from '../../control-plane/api/index.js';
import { Quantity } from '../../control-plane/api/index.js';
import type { SandboxVolume } from '../runtime/index.js';
import { ContainerConfigError, VolumeSetupError } from './errors.js';
import { ENV_EXPANSIONS_MAX, VOLUME_SOURCE_MAX_BYTES } from './limits.js';

/** Where configMaps and secrets come from (the apiserver; a map in tests). undefined: not found. */
export interface ObjectSource {
  configMap(namespace: string, name: string): Promise<ConfigMap | undefined>;
  secret(namespace: string, name: string): Promise<Secret | undefined>;
}

/** One sync's view of the sources: every object is fetched at most once per sync. */
export class CachedSource implements ObjectSource {
  readonly #inner: ObjectSource;
  readonly #cms = new Map<string, Promise<ConfigMap | undefined>>();
  readonly #secrets = new Map<string, Promise<Secret | undefined>>();

  constructor(inner: ObjectSource) {
    this.#inner = inner;
  }

  configMap(namespace: string, name: string): Promise<ConfigMap | undefined> {
    const k = `${namespace}/${name}`;
    let p = this.#cms.get(k);
    if (p === undefined) this.#cms.set(k, p = this.#inner.configMap(namespace, name));
    return p;
  }

  secret(namespace: string, name: string): Promise<Secret | undefined> {
    const k = `${namespace}/${name}`;
    let p = this.#secrets.get(k);
    if (p === undefined) this.#secrets.set(k, p = this.#inner.secret(namespace, name));
    return p;
  }
}

/** C_IDENTIFIER-ish env names as the kubelet accepts them from envFrom (IsEnvVarName). */
const ENV_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;

/** $(VAR) expansion (third_party/forked/golang/expansion): $$ → $, unknown references stay as written. */
export function expandVars(input: string, lookup: (name: string) => string | undefined): string {
  let out = '';
  let expansions = 0;
  for (let i = 0; i < input.length; i++) {
    const c = input[i];
    if (c !== '$' || i + 1 >= input.length) {
      out += c;
      continue;
    }
    const next = input[i + 1];
    if (next === '$') {
      out += '$';
      i++;
    } else if (next === '(' && expansions < ENV_EXPANSIONS_MAX) {
      const close = input.indexOf(')', i + 2);
      if (close < 0) {
        out += input.slice(i);
        break;
      }
      const name = input.slice(i + 2, close);
      const v = lookup(name);
      out += v ?? `$(${name})`;
      expansions++;
      i = close;
    } else {
      out += c;
    }
  }
  return out;
}

function decodeSecret(v: string): string {
  return Buffer.from(v, 'base64').toString('utf8');
}

/** fieldRef paths the kubelet resolves (podFieldSelectorRuntimeValue + ExtractFieldPathAsString). */
export function fieldRefValue(pod: Pod, fieldPath: string, podIP: string, hostIP: string): string {
  const m = /^metadata\.(labels|annotations)\['(.+)'\]$/.exec(fieldPath);
  if (m !== null) {
    const map = m[1] === 'labels' ? pod.metadata?.labels : pod.metadata?.annotations;
    return map?.[m[2] ?? ''] ?? '';
  }
  switch (fieldPath) {
    case 'metadata.name': return pod.metadata?.name ?? '';
    case 'metadata.namespace': return pod.metadata?.namespace ?? '';
    case 'metadata.uid': return pod.metadata?.uid ?? '';
    case 'spec.nodeName': return pod.spec?.nodeName ?? '';
    case 'spec.serviceAccountName': return pod.spec?.serviceAccountName ?? '';
    case 'status.hostIP': case 'status.hostIPs': return hostIP;
    case 'status.podIP': case 'status.podIPs': return podIP;
    default:
      throw new ContainerConfigError(`unsupported fieldRef ${fieldPath}: use metadata.name, metadata.namespace, ` +
        'metadata.uid, metadata.labels[...], metadata.annotations[...], spec.nodeName, status.podIP or status.hostIP');
  }
}

/**
 * resourceFieldRef (resource.ExtractContainerResourceValue): the limit (or, for requests.*, the
 * request) divided by the divisor, rounded up; a missing limit falls back to the node's allocatable.
 */
export function resourceFieldValue(c: Container, ref: ResourceFieldSelector,
  allocatable: Record<string, string>): string {
  const [kind, resource] = ref.resource.split('.') as [string, string | undefined];
  if (resource === undefined || (kind !== 'limits' && kind !== 'requests')) {
    throw new ContainerConfigError(`unsupported resourceFieldRef ${ref.resource}`);
  }
  const raw = c.resources?.[kind]?.[resource] ?? allocatable[resource] ?? '0';
  const q = Quantity.must(String(raw));
  const divisor = Quantity.must(String(ref.divisor ?? (resource === 'cpu' ? '1' : '1')));
  const value = resource === 'cpu' ? q.milliValue() / Math.max(1, divisor.milliValue())
    : q.value() / Math.max(1, divisor.value());
  return String(Math.ceil(value));
}

export interface EnvContext {
  pod: Pod;
  podIP: string;
  hostIP: string;
  source: ObjectSource;
  allocatable: Record<string, string>;
}

async function envFromVars(c: Container, ctx: EnvContext, env: Map<string, string>): Promise<void> {
  const ns = ctx.pod.metadata?.namespace ?? 'default';
  for (const from of c.envFrom ?? []) {
    const prefix = from.prefix ?? '';
    let data: Record<string, string> | undefined;
    if (from.configMapRef !== undefined) {
      const name = from.configMapRef.name ?? '';
      const cm = await ctx.source.configMap(ns, name);
      if (cm === undefined) {
        if (from.configMapRef.optional === true) continue;
        throw new ContainerConfigError(`configmap "${name}" not found`);
      }
      data = cm.data ?? {};
    } else if (from.secretRef !== undefined) {
      const name = from.secretRef.name ?? '';
      const s = await ctx.source.secret(ns, name);
      if (s === undefined) {
        if (from.secretRef.optional === true) continue;
        throw new ContainerConfigError(`secret "${name}" not found`);
      }
      data = Object.fromEntries(Object.entries(s.data ?? {}).map(([k, v]) => [k, decodeSecret(v)]));
    }
    for (const [k, v] of Object.entries(data ?? {})) {
      // Invalid names are skipped (the kubelet records an InvalidEnvironmentVariableNames event).
      if (ENV_NAME.test(prefix + k)) env.set(prefix + k, v);
    }
  }
}

async function keyRefValue(e: EnvVar, ctx: EnvContext): Promise<string | undefined> {
  const ns = ctx.pod.metadata?.namespace ?? 'default';
  const cmRef = e.valueFrom?.configMapKeyRef;
  if (cmRef !== undefined) {
    const cm = await ctx.source.configMap(ns, cmRef.name ?? '');
    if (cm === undefined) {
      if (cmRef.optional === true) return undefined;
      throw new ContainerConfigError(`configmap "${cmRef.name ?? ''}" not found`);
    }
    const v = cm.data?.[cmRef.key];
    if (v === undefined && cmRef.optional !== true) {
      throw new ContainerConfigError(`couldn't find key ${cmRef.key} in ConfigMap ${ns}/${cmRef.name ?? ''}`);
    }
    return v;
  }
  const sRef = e.valueFrom?.secretKeyRef;
  if (sRef === undefined) return undefined;
  const s = await ctx.source.secret(ns, sRef.name ?? '');
  if (s === undefined) {
    if (sRef.optional === true) return undefined;
    throw new ContainerConfigError(`secret "${sRef.name ?? ''}" not found`);
  }
  const v = s.data?.[sRef.key];
  if (v === undefined && sRef.optional !== true) {
    throw new ContainerConfigError(`couldn't find key ${sRef.key} in Secret ${ns}/${sRef.name ?? ''}`);
  }
  return v === undefined ? undefined : decodeSecret(v);
}

/**
 * The container with env reduced to plain values (envFrom folded in) and command/args expanded:
 * what the runtime takes. Throws ContainerConfigError when a required source is missing.
 */
export async function resolveContainer(c: Container, ctx: EnvContext): Promise<Container> {
  const env = new Map<string, string>();
  await envFromVars(c, ctx, env);
  const lookup = (n: string): string | undefined => env.get(n);
  for (const e of c.env ?? []) {
    if (e.valueFrom === undefined) {
      env.set(e.name, expandVars(e.value ?? '', lookup));
      continue;
    }
    const f = e.valueFrom;
    let v: string | undefined;
    if (f.fieldRef !== undefined) v = fieldRefValue(ctx.pod, f.fieldRef.fieldPath, ctx.podIP, ctx.hostIP);
    else if (f.resourceFieldRef !== undefined) v = resourceFieldValue(c, f.resourceFieldRef, ctx.allocatable);
    else v = await keyRefValue(e, ctx);
    if (v !== undefined) env.set(e.name, v);
  }
  const out: Container = { ...c, env: [...env].map(([name, value]) => ({ name, value })) };
  delete out.envFrom;
  if (c.command !== undefined) out.command = c.command.map((s) => expandVars(s, lookup));
  if (c.args !== undefined) out.args = c.args.map((s) => expandVars(s, lookup));
  return out;
}

type Files = NonNullable<SandboxVolume['files']>;

function project(volume: string, data: Record<string, string | Uint8Array>, items: { key: string; path: string;
  mode?: number }[] | undefined, defaultMode: number | undefined, optional: boolean, kind: string): Files {
  const files: Files = {};
  let bytes = 0;
  const add = (path: string, v: string | Uint8Array, mode: number | undefined): void => {
    bytes += typeof v === 'string' ? Buffer.byteLength(v) : v.length;
    if (bytes > VOLUME_SOURCE_MAX_BYTES) {
      throw new VolumeSetupError(`volume ${volume}: more than ${VOLUME_SOURCE_MAX_BYTES} bytes of files`);
    }
    files[path] = mode === undefined ? { data: v } : { data: v, mode };
  };
  if (items === undefined) {
    for (const [k, v] of Object.entries(data)) add(k, v, defaultMode);
    return files;
  }
  for (const it of items) {
    const v = data[it.key];
    if (v === undefined) {
      if (optional) continue;
      throw new VolumeSetupError(`configure ${kind} volume ${volume}: key ${it.key} not found`);
    }
    add(it.path, v, it.mode ?? defaultMode);
  }
  return files;
}

/** The pod's volumes with configMap/secret contents fetched (volume manager's WaitForAttachAndMount). */
export async function resolveVolumes(pod: Pod, source: ObjectSource): Promise<SandboxVolume[]> {
  const ns = pod.metadata?.namespace ?? 'default';
  const out: SandboxVolume[] = [];
  for (const v of pod.spec?.volumes ?? []) out.push(await resolveVolume(v, ns, source));
  return out;
}

async function resolveVolume(v: Volume, ns: string, source: ObjectSource): Promise<SandboxVolume> {
  if (v.configMap !== undefined) {
    const name = v.configMap.name ?? '';
    const cm = await source.configMap(ns, name);
    const optional = v.configMap.optional === true;
    if (cm === undefined && !optional) {
      throw new VolumeSetupError(`MountVolume.SetUp failed for volume "${v.name}" : configmap "${name}" not found`);
    }
    const data: Record<string, string | Uint8Array> = { ...(cm?.data ?? {}) };
    for (const [k, b] of Object.entries(cm?.binaryData ?? {})) data[k] = Buffer.from(b, 'base64');
    return { name: v.name, files: project(v.name, data, v.configMap.items, v.configMap.defaultMode, optional,
      'configMap') };
  }
  if (v.secret !== undefined) {
    const name = v.secret.secretName ?? '';
    const s = await source.secret(ns, name);
    const optional = v.secret.optional === true;
    if (s === undefined && !optional) {
      throw new VolumeSetupError(`MountVolume.SetUp failed for volume "${v.name}" : secret "${name}" not found`);
    }
    const data: Record<string, Uint8Array> = {};
    for (const [k, b] of Object.entries(s?.data ?? {})) data[k] = Buffer.from(b, 'base64');
    return { name: v.name, files: project(v.name, data, v.secret.items, v.secret.defaultMode, optional, 'secret') };
  }
  if (v.hostPath !== undefined || v.persistentVolumeClaim !== undefined) {
    throw new VolumeSetupError(`volume ${v.name}: hostPath and persistentVolumeClaim volumes are not supported ` +
      'by this node agent; use emptyDir, configMap or secret');
  }
  return { name: v.name, emptyDir: {} };
}
