// The framework runtime (framework/runtime/framework.go): one per profile. It instantiates
// the profile's plugins once, orders them per extension point, and runs each point with
// kube-scheduler's rules: PreFilter/PreScore Skip drops that plugin's Filter/Score for the
// cycle; Filter stops at the first rejection; Score is normalized then weighted; a Permit
// Wait parks the pod until allowed, rejected or timed out; Bind plugins are tried in order
// until one does not Skip.
import type { Pod } from '../api/index.js';
import type { Snapshot } from './cache.js';
import { EXTENSION_POINTS, type ExtensionPoint, type Profile } from './config.js';
import { SchedulerConfigError } from './errors.js';
import {
  Code, Status, type AnyPlugin, type BindPlugin, type ClusterEventWithHint, type CycleState, type Diagnosis,
  type FilterPlugin, type FrameworkHandle, type PermitPlugin, type PostBindPlugin, type PostFilterPlugin,
  type PostFilterResult, type PreBindPlugin, type PreFilterPlugin, type PreScorePlugin, type ReservePlugin,
  type ScorePlugin, type WeightedScorePlugin,
} from './framework.js';
import { MAX_PERMIT_WAIT_MS } from './limits.js';
import type { NodeInfo } from './node-info.js';
import type { Nominator } from './nominator.js';
import type { PodInfo } from './pod-info.js';
import { IN_TREE_REGISTRY } from './plugins/registry.js';
import type { PluginFactory } from './framework.js';

/** The injected binding call: POST pods/{name}/binding (resolves when the apiserver accepted it). */
export interface Binder {
  bind(pod: Pod, nodeName: string): Promise<void>;
}

/** Which method implements each extension point ('preEnqueue'/'queueSort' are the queue's own). */
const METHOD: Record<ExtensionPoint, string> = {
  preEnqueue: '', queueSort: '', preFilter: 'preFilter', filter: 'filter', postFilter: 'postFilter',
  preScore: 'preScore', score: 'score', reserve: 'reserve', permit: 'permit', preBind: 'preBind', bind: 'bind',
  postBind: 'postBind',
};

/** A pod parked by a Permit Wait (framework.waitingPod). */
export class WaitingPod {
  readonly pending = new Map<string, number>();
  readonly done: Promise<Status>;
  #resolve!: (s: Status) => void;
  #settled = false;

  constructor(readonly pod: PodInfo, readonly nodeName: string) {
    this.done = new Promise((r) => { this.#resolve = r; });
  }

  allow(plugin: string): void {
    if (!this.pending.delete(plugin) || this.pending.size > 0) return;
    this.#settle(Status.SUCCESS);
  }

  reject(plugin: string, message: string): void {
    this.#settle(new Status(Code.Unschedulable, [message], plugin));
  }

  #settle(s: Status): void {
    if (this.#settled) return;
    this.#settled = true;
    this.#resolve(s);
  }
}

export interface FrameworkDeps {
  binder: Binder;
  rng: () => number;
  /** Shared by every profile of one scheduler; absent: nothing is ever nominated. */
  nominator?: Nominator;
  registry?: ReadonlyMap<string, PluginFactory>;
}

export class Framework implements FrameworkHandle {
  readonly profileName: string;
  readonly percentageOfNodesToScore: number | undefined;
  readonly plugins = new Map<string, AnyPlugin>();
  readonly preFilterPlugins: PreFilterPlugin[] = [];
  readonly filterPlugins: FilterPlugin[] = [];
  readonly postFilterPlugins: PostFilterPlugin[] = [];
  readonly preScorePlugins: PreScorePlugin[] = [];
  readonly scorePlugins: WeightedScorePlugin[] = [];
  readonly reservePlugins: ReservePlugin[] = [];
  readonly permitPlugins: PermitPlugin[] = [];
  readonly preBindPlugins: PreBindPlugin[] = [];
  readonly bindPlugins: BindPlugin[] = [];
  readonly postBindPlugins: PostBindPlugin[] = [];
  readonly #deps: FrameworkDeps;
  readonly #waiting = new Map<string, WaitingPod>();
  #snapshot: Snapshot | null = null;
  #scoreBuf: Float64Array[] = [];

  constructor(profile: Profile, deps: FrameworkDeps) {
    this.#deps = deps;
    this.profileName = profile.schedulerName;
    this.percentageOfNodesToScore = profile.percentageOfNodesToScore;
    this.#build(profile);
  }

  #instance(name: string, profile: Profile): AnyPlugin {
    let p = this.plugins.get(name);
    if (p === undefined) {
      const factory = (this.#deps.registry ?? IN_TREE_REGISTRY).get(name);
      if (factory === undefined) throw new SchedulerConfigError([`profiles[${profile.schedulerName}]: unknown plugin ${name}`]);
      p = factory(profile.pluginConfig.get(name) ?? {}, this);
      this.plugins.set(name, p);
    }
    return p;
  }

  #build(profile: Profile): void {
    const causes: string[] = [];
    for (const point of EXTENSION_POINTS) {
      const method = METHOD[point];
      if (method === '') continue;
      const set = profile.points[point];
      const refs = new Map<string, number | undefined>();
      for (const r of set?.enabled ?? []) {
        const p = this.#instance(r.name, profile);
        if (typeof (p as unknown as Record<string, unknown>)[method] !== 'function') {
          causes.push(`profile ${profile.schedulerName}: plugin ${r.name} does not support extension point ${point}`);
        } else refs.set(r.name, r.weight);
      }
      const disabledAll = set?.disabled.includes('*') ?? false;
      for (const r of profile.multiPoint) {
        if (disabledAll || set?.disabled.includes(r.name) || refs.has(r.name)) continue;
        const p = this.#instance(r.name, profile);
        if (typeof (p as unknown as Record<string, unknown>)[method] === 'function') refs.set(r.name, r.weight);
      }
      for (const [name, weight] of refs) this.#add(point, this.#instance(name, profile), weight ?? 1);
    }
    if (causes.length > 0) throw new SchedulerConfigError(causes);
  }

  #add(point: ExtensionPoint, p: AnyPlugin, weight: number): void {
    switch (point) {
      case 'preFilter': this.preFilterPlugins.push(p as PreFilterPlugin); break;
      case 'filter': this.filterPlugins.push(p as FilterPlugin); break;
      case 'postFilter': this.postFilterPlugins.push(p as PostFilterPlugin); break;
      case 'preScore': this.preScorePlugins.push(p as PreScorePlugin); break;
      case 'score': this.scorePlugins.push({ plugin: p as ScorePlugin, weight }); break;
      case 'reserve': this.reservePlugins.push(p as ReservePlugin); break;
      case 'permit': this.permitPlugins.push(p as PermitPlugin); break;
      case 'preBind': this.preBindPlugins.push(p as PreBindPlugin); break;
      case 'bind': this.bindPlugins.push(p as BindPlugin); break;
      case 'postBind': this.postBindPlugins.push(p as PostBindPlugin); break;
      default: break;
    }
  }

  // ---- FrameworkHandle ----------------------------------------------------------------------

  snapshot(): Snapshot {
    if (this.#snapshot === null) throw new SchedulerConfigError(['framework used before a snapshot was set']);
    return this.#snapshot;
  }
  setSnapshot(s: Snapshot): void { this.#snapshot = s; }
  rng(): number { return this.#deps.rng(); }
  bind(pod: Pod, nodeName: string): Promise<void> { return this.#deps.binder.bind(pod, nodeName); }

  /** EventsToRegister of every plugin, for the queue. */
  eventsByPlugin(): Map<string, readonly ClusterEventWithHint[]> {
    const m = new Map<string, readonly ClusterEventWithHint[]>();
    for (const [name, p] of this.plugins) m.set(name, p.eventsToRegister?.() ?? []);
    return m;
  }

  // ---- filtering ----------------------------------------------------------------------------

  /** RunPreFilterPlugins: the first rejection, with the plugin named; fills state.filters. */
  runPreFilterPlugins(state: CycleState, pod: PodInfo, snapshot: Snapshot): Status {
    for (const p of this.preFilterPlugins) {
      const s = p.preFilter(state, pod, snapshot);
      if (s.isSkip()) { state.skipFilterPlugins.add(p.name); continue; }
      if (!s.isSuccess()) return s.withPlugin(p.name);
    }
    state.filters = state.skipFilterPlugins.size === 0
      ? this.filterPlugins : this.filterPlugins.filter((f) => !state.skipFilterPlugins.has(f.name));
    return Status.SUCCESS;
  }

  runFilterPlugins(state: CycleState, pod: PodInfo, node: NodeInfo): Status {
    const filters = state.filters;
    for (let i = 0; i < filters.length; i++) {
      const p = filters[i] as FilterPlugin;
      const s = p.filter(state, pod, node);
      if (s.code !== Code.Success) return s.plugin === '' ? s.withPlugin(p.name) : s;
    }
    return Status.SUCCESS;
  }

  /**
   * RunFilterPluginsWithNominatedPods (runtime/framework.go): with the pods nominated to the node added
   * (priority ≥ the pod's), and, when there were any, once more without them — inter-pod affinity may
   * pass only thanks to a nominated pod that might never land there. Both must pass.
   */
  runFilterPluginsWithNominatedPods(state: CycleState, pod: PodInfo, node: NodeInfo): Status {
    const nominated = this.#deps.nominator?.podsFor(node.name, pod);
    if (nominated === undefined) return this.runFilterPlugins(state, pod, node);
    const withState = state.clone();
    const withNode = node.clone();
    for (const p of nominated) {
      withNode.addPod(p);
      const s = this.runPreFilterExtensionAddPod(withState, pod, p, withNode);
      // A failing AddPod extension is an error of the plugin, not a verdict on the node.
      if (!s.isSuccess()) return new Status(Code.Error, [s.message()], s.plugin);
    }
    const s = this.runFilterPlugins(withState, pod, withNode);
    if (!s.isSuccess()) return s;
    return this.runFilterPlugins(state, pod, node);
  }

  /**
   * runFilterPluginsWithNominatedPods for snapshot node `node`, whose hot numbers are at `at` of
   * `table`: plugins with filterRow that pass the node from its row do not read the NodeInfo.
   */
  runFilterPluginsAt(state: CycleState, pod: PodInfo, node: NodeInfo, table: Float64Array, at: number): Status {
    const nominator = this.#deps.nominator;
    if (nominator !== undefined && nominator.size > 0) return this.runFilterPluginsWithNominatedPods(state, pod, node);
    const filters = state.filters;
    for (let i = 0; i < filters.length; i++) {
      const p = filters[i] as FilterPlugin;
      if (p.filterRow !== undefined && p.filterRow(state, pod, table, at)) continue;
      const s = p.filter(state, pod, node);
      if (s.code !== Code.Success) return s.plugin === '' ? s.withPlugin(p.name) : s;
    }
    return Status.SUCCESS;
  }

  nominatedNodeOf(pod: PodInfo): string | undefined {
    return this.#deps.nominator?.nodeOf(pod.key) ?? (pod.pod.status?.nominatedNodeName || undefined);
  }

  runPreFilterExtensionAddPod(state: CycleState, pod: PodInfo, added: PodInfo, node: NodeInfo): Status {
    for (const p of this.preFilterPlugins) {
      if (state.skipFilterPlugins.has(p.name) || p.preFilterExtensions === undefined) continue;
      const s = p.preFilterExtensions.addPod(state, pod, added, node);
      if (!s.isSuccess()) return s.withPlugin(p.name);
    }
    return Status.SUCCESS;
  }

  runPreFilterExtensionRemovePod(state: CycleState, pod: PodInfo, removed: PodInfo, node: NodeInfo): Status {
    for (const p of this.preFilterPlugins) {
      if (state.skipFilterPlugins.has(p.name) || p.preFilterExtensions === undefined) continue;
      const s = p.preFilterExtensions.removePod(state, pod, removed, node);
      if (!s.isSuccess()) return s.withPlugin(p.name);
    }
    return Status.SUCCESS;
  }

  /** RunPostFilterPlugins: the first plugin that succeeds (or returns a hard error) wins. */
  runPostFilterPlugins(state: CycleState, pod: PodInfo,
    d: Diagnosis): { result: PostFilterResult | null; status: Status } {
    let last: { result: PostFilterResult | null; status: Status } = { result: null,
      status: new Status(Code.Unschedulable) };
    const msgs: string[] = [];
    for (const p of this.postFilterPlugins) {
      const r = p.postFilter(state, pod, d);
      if (r.status.isSuccess() || r.status.code === Code.Error) return r;
      if (r.status.reasons.length > 0) msgs.push(r.status.message());
      last = r;
    }
    return { result: last.result, status: new Status(last.status.code, msgs, last.status.plugin) };
  }

  // ---- scoring ------------------------------------------------------------------------------

  runPreScorePlugins(state: CycleState, pod: PodInfo, nodes: readonly NodeInfo[], count: number): Status {
    for (const p of this.preScorePlugins) {
      const s = p.preScore(state, pod, nodes, count);
      if (s.isSkip()) { state.skipScorePlugins.add(p.name); continue; }
      if (!s.isSuccess()) return s.withPlugin(p.name);
    }
    state.scorers = state.skipScorePlugins.size === 0
      ? this.scorePlugins : this.scorePlugins.filter((w) => !state.skipScorePlugins.has(w.plugin.name));
    return Status.SUCCESS;
  }

  /**
   * RunScorePlugins into totals[0..count): per plugin score, normalize, times weight. With `rows`
   * (nodes[i]'s row offset in `table`, or -1), plugins with scoreRow score from the row.
   */
  runScorePlugins(state: CycleState, pod: PodInfo, nodes: readonly NodeInfo[], count: number,
    totals: Float64Array, table?: Float64Array, rows?: Int32Array): void {
    totals.fill(0, 0, count);
    const scorers = state.scorers;
    for (let k = 0; k < scorers.length; k++) {
      const { plugin, weight } = scorers[k] as WeightedScorePlugin;
      let buf = this.#scoreBuf[k];
      if (buf === undefined || buf.length < count) { buf = new Float64Array(Math.max(count,
        16)); this.#scoreBuf[k] = buf; }
      if (plugin.scoreRow !== undefined && table !== undefined && rows !== undefined) {
        for (let i = 0; i < count; i++) {
          const at = rows[i] as number;
          const v = at < 0 ? NaN : plugin.scoreRow(state, pod, table, at);
          buf[i] = v === v ? v : plugin.score(state, pod, nodes[i] as NodeInfo);
        }
      } else {
        for (let i = 0; i < count; i++) buf[i] = plugin.score(state, pod, nodes[i] as NodeInfo);
      }
      plugin.normalizeScore?.(state, pod, buf, count);
      for (let i = 0; i < count; i++) totals[i] = (totals[i] as number) + (buf[i] as number) * weight;
    }
  }

  // ---- reserve, permit, bind ----------------------------------------------------------------

  runReservePlugins(state: CycleState, pod: PodInfo, nodeName: string): Status {
    for (const p of this.reservePlugins) {
      const s = p.reserve(state, pod, nodeName);
      if (!s.isSuccess()) return s.withPlugin(p.name);
    }
    return Status.SUCCESS;
  }

  /** Unreserve runs in reverse order (RunReservePluginsUnreserve). */
  runUnreservePlugins(state: CycleState, pod: PodInfo, nodeName: string): void {
    for (let i = this.reservePlugins.length - 1; i >= 0; i--) this.reservePlugins[i]?.unreserve(state, pod, nodeName);
  }

  /** Success, a rejection, or Wait (then waitOnPermit resolves the outcome). */
  runPermitPlugins(state: CycleState, pod: PodInfo, nodeName: string, nowMs: number): Status {
    const waits = new Map<string, number>();
    for (const p of this.permitPlugins) {
      const { status, timeoutMs } = p.permit(state, pod, nodeName);
      if (status.code === Code.Wait) { waits.set(p.name, nowMs + Math.min(timeoutMs, MAX_PERMIT_WAIT_MS)); continue; }
      if (!status.isSuccess()) return status.withPlugin(p.name);
    }
    if (waits.size === 0) return Status.SUCCESS;
    const wp = new WaitingPod(pod, nodeName);
    for (const [k, v] of waits) wp.pending.set(k, v);
    this.#waiting.set(pod.key, wp);
    return new Status(Code.Wait);
  }

  async waitOnPermit(pod: PodInfo): Promise<Status> {
    const wp = this.#waiting.get(pod.key);
    if (wp === undefined) return Status.SUCCESS;
    const s = await wp.done;
    this.#waiting.delete(pod.key);
    return s;
  }

  getWaitingPod(key: string): WaitingPod | undefined { return this.#waiting.get(key); }

  /** Rejects waiting pods whose Permit timeout passed ("rejected due to timeout after waiting ..."). */
  rejectExpiredWaitingPods(nowMs: number): void {
    for (const wp of this.#waiting.values()) {
      for (const [plugin, deadline] of wp.pending) {
        if (nowMs >= deadline) { wp.reject(plugin,
          `rejected due to timeout after waiting at plugin ${plugin}`); break; }
      }
    }
  }

  async runPreBindPlugins(state: CycleState, pod: PodInfo, nodeName: string): Promise<Status> {
    for (const p of this.preBindPlugins) {
      const s = await p.preBind(state, pod, nodeName);
      if (!s.isSuccess()) return s.withPlugin(p.name);
    }
    return Status.SUCCESS;
  }

  async runBindPlugins(state: CycleState, pod: PodInfo, nodeName: string): Promise<Status> {
    for (const p of this.bindPlugins) {
      const s = await p.bind(state, pod, nodeName);
      if (s.isSkip()) continue;
      return s.isSuccess() ? s : s.withPlugin(p.name);
    }
    return Status.error('no bind plugin bound the pod');
  }

  runPostBindPlugins(state: CycleState, pod: PodInfo, nodeName: string): void {
    for (const p of this.postBindPlugins) p.postBind(state, pod, nodeName);
  }
}
