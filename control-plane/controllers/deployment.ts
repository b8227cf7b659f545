// Deployment controller (kube pkg/controller/deployment): owns ReplicaSets named
// "<deployment>-<pod-template-hash>", rolls between them (RollingUpdate within maxSurge /
// maxUnavailable, or Recreate), keeps the revision annotations `kubectl rollout history/undo`
// read, trims old ReplicaSets beyond revisionHistoryLimit, and writes the status and the
// Progressing / Available conditions `kubectl rollout status` waits on.
import type { Deployment, DeploymentStatus, Pod, ReplicaSet } from '../api/index.js';
import { labelSelectorAsSelector } from '../api/index.js';
import { isAlreadyExists, isConflict, isTombstone, type DeletedFinalStateUnknown } from '../client/index.js';
import { QueueController } from './controller.js';
import * as U from './deployment-util.js';
import { ControllerError } from './errors.js';
import { STATUS_UPDATE_ATTEMPTS } from './limits.js';
import { claimObjects } from './ref-manager.js';
import { R, OWNER_UID_INDEX, type ControllerContext, type EventSink, type Informer } from './types.js';
import { byCreation, controllerRefOf, keyFor, newControllerRef, splitNsName, timeMs } from './util.js';

/** The working state of one sync: the deployment and its ReplicaSets, replaced as the server answers. */
interface Rollout {
  key: string;
  d: Deployment;
  newRS: ReplicaSet | undefined;
  oldRSs: ReplicaSet[];
}

const all = (s: Rollout): (ReplicaSet | undefined)[] => [...s.oldRSs, s.newRS];

export class DeploymentController extends QueueController {
  readonly #deployments: Informer<Deployment>;
  readonly #rss: Informer<ReplicaSet>;
  readonly #pods: Informer<Pod>;
  readonly #events: EventSink;

  constructor(ctx: ControllerContext) {
    super('deployment', ctx);
    this.#deployments = ctx.informers.informer<Deployment>(R.deployments);
    this.#rss = ctx.informers.informer<ReplicaSet>(R.replicaSets);
    this.#pods = ctx.informers.informer<Pod>(R.pods);
    this.#events = ctx.events('deployment-controller');
    this.#deployments.addEventHandler({
      onAdd: (d) => this.enqueue(keyFor(d)),
      onUpdate: (_o, d) => this.enqueue(keyFor(d)),
      onDelete: (d) => this.enqueue(keyFor(isTombstone(d) ? d.obj : d)),
    });
    this.#rss.addEventHandler({
      onAdd: (rs) => this.#rsChanged(rs),
      onUpdate: (old, rs) => { this.#rsChanged(old); this.#rsChanged(rs); },
      onDelete: (rs) => this.#rsChanged(isTombstone(rs) ? rs.obj : rs),
    });
    this.#pods.addEventHandler({ onDelete: (p) => this.#podDeleted(p) });
  }

  protected override initialKeys(): Iterable<string> {
    return this.#deployments.store.listKeys();
  }

  #rsChanged(rs: ReplicaSet): void {
    const ref = controllerRefOf(rs.metadata);
    const ns = rs.metadata?.namespace ?? '';
    if (ref !== undefined) {
      const d = ref.kind === 'Deployment' ? this.#deployments.store.getByName(ns, ref.name) : undefined;
      if (d?.metadata?.uid === ref.uid) this.enqueue(keyFor(d));
      return;
    }
    const labels = rs.metadata?.labels ?? {};
    for (const d of this.#deployments.store.listByNamespace(ns)) {
      const sel = labelSelectorAsSelector(d.spec?.selector);
      if (sel.ok && !sel.value.isEverything() && sel.value.matches(labels)) this.enqueue(keyFor(d));
    }
  }

  /** A Recreate rollout waits for old pods to be gone: look again when one goes. */
  #podDeleted(obj: Pod | DeletedFinalStateUnknown<Pod>): void {
    const p = isTombstone(obj) ? obj.obj : obj;
    const ref = controllerRefOf(p.metadata);
    if (ref?.kind !== 'ReplicaSet') return;
    const rs = this.#rss.store.getByName(p.metadata?.namespace ?? '', ref.name);
    const dref = controllerRefOf(rs?.metadata);
    if (dref === undefined) return;
    const d = this.#deployments.store.getByName(p.metadata?.namespace ?? '', dref.name);
    if (d !== undefined && d.spec?.strategy?.type === 'Recreate') this.enqueue(keyFor(d));
  }

  async sync(key: string): Promise<void> {
    const { namespace, name } = splitNsName(key);
    const cached = this.#deployments.store.getByName(namespace, name);
    if (cached === undefined) return;
    const d = structuredClone(cached);
    const sel = labelSelectorAsSelector(d.spec?.selector);
    if (!sel.ok || sel.value.isEverything()) {
      this.#events.event(R.deployments, d, 'Warning', 'SelectingAll',
        'This deployment is selecting all pods. A non-empty selector is required.');
      if ((d.status?.observedGeneration ?? 0) < (d.metadata?.generation ?? 0)) {
        await this.#writeStatus({ key, d, newRS: undefined, oldRSs: [] }, { ...(d.status ?? {}),
          observedGeneration: d.metadata?.generation ?? 0 });
      }
      return;
    }
    const rsList = await claimObjects({ client: this.ctx.client, owner: d, ownerResource: R.deployments,
      childResource: R.replicaSets, selector: sel.value, candidates: this.#rss.store.listByNamespace(namespace) });
    const s: Rollout = { key, d, newRS: undefined, oldRSs: [] };
    if (d.metadata?.deletionTimestamp !== undefined) {
      await this.#getAllReplicaSets(s, rsList, false);
      await this.#syncDeploymentStatus(s);
      return;
    }
    await this.#checkPausedConditions(s);
    if (s.d.spec?.paused === true) { await this.#syncScale(s, rsList); return; }
    if (await this.#isScalingEvent(s, rsList)) { await this.#syncScale(s, rsList); return; }
    if (s.d.spec?.strategy?.type === 'Recreate') await this.#rolloutRecreate(s, rsList);
    else await this.#rolloutRolling(s, rsList);
  }

  /** getAllReplicaSetsAndSyncRevision: split new/old, bring the new RS's annotations up to date (or create it). */
  async #getAllReplicaSets(s: Rollout, rsList: ReplicaSet[], create: boolean): Promise<void> {
    const existing = U.findNewReplicaSet(s.d, rsList);
    s.oldRSs = rsList.filter((rs) => rs !== existing);
    const newRevision = U.maxRevision(s.oldRSs) + 1;
    if (existing !== undefined) {
      s.newRS = await this.#syncExistingNewRS(s, existing, newRevision);
      // Later steps of this sync start from rsList again: keep it current so they do not write a stale copy.
      rsList[rsList.indexOf(existing)] = s.newRS;
      return;
    }
    s.newRS = create ? await this.#createNewRS(s, newRevision) : undefined;
  }

  async #syncExistingNewRS(s: Rollout, existing: ReplicaSet, newRevision: number): Promise<ReplicaSet> {
    const copy = structuredClone(existing);
    const annotationsChanged = U.setReplicaSetAnnotations(s.d, copy, newRevision);
    const minReady = s.d.spec?.minReadySeconds ?? 0;
    let rs = existing;
    if (annotationsChanged || (copy.spec?.minReadySeconds ?? 0) !== minReady) {
      copy.spec = { ...copy.spec!, minReadySeconds: minReady };
      rs = await this.ctx.client.update<ReplicaSet>(R.replicaSets, copy.metadata?.namespace ?? '', copy);
    }
    await this.#setDeploymentRevision(s, rs.metadata?.annotations?.[U.REVISION_ANNOTATION]);
    if (U.hasProgressDeadline(s.d) && U.getCondition(s.d.status, 'Progressing') === undefined) {
      const status = structuredClone(s.d.status ?? {});
      U.setCondition(status, U.newCondition('Progressing', 'True', U.REASON.foundNewRS,
        `Found new replica set "${rs.metadata?.name ?? ''}"`, this.ctx.clock.nowMs()));
      await this.#writeStatus(s, status);
    }
    return rs;
  }

  async #createNewRS(s: Rollout, newRevision: number): Promise<ReplicaSet> {
    const d = s.d;
    const ns = d.metadata?.namespace ?? '';
    const hash = U.computeHash(d.spec!.template, d.status?.collisionCount);
    const template = structuredClone(d.spec!.template);
    template.metadata = { ...(template.metadata ?? {}),
      labels: { ...(template.metadata?.labels ?? {}), [U.POD_TEMPLATE_HASH_LABEL]: hash } };
    const selector = structuredClone(d.spec!.selector);
    selector.matchLabels = { ...(selector.matchLabels ?? {}), [U.POD_TEMPLATE_HASH_LABEL]: hash };
    const rs: ReplicaSet = {
      apiVersion: 'apps/v1', kind: 'ReplicaSet',
      metadata: { name: `${d.metadata?.name ?? ''}-${hash}`, namespace: ns, labels: { ...template.metadata.labels },
        ownerReferences: [newControllerRef(d, R.deployments)] },
      spec: { replicas: 0, minReadySeconds: d.spec?.minReadySeconds ?? 0, selector, template },
    };
    const replicas = this.#newRSNewReplicas(d, [...s.oldRSs, rs], rs);
    U.setReplicaSetAnnotations(d, rs, newRevision);
    rs.spec!.replicas = replicas;
    let created: ReplicaSet;
    try {
      created = await this.ctx.client.create<ReplicaSet>(R.replicaSets, ns, rs);
    } catch (e) {
      if (!isAlreadyExists(e)) throw e;
      const other = await this.ctx.client.get<ReplicaSet>(R.replicaSets, ns, rs.metadata!.name!);
      // Ours with our template (an informer that had not caught up): use it. Otherwise a hash
      // collision: bump collisionCount so the next sync computes a different name (kube does the same).
      if (controllerRefOf(other.metadata)?.uid === d.metadata?.uid && U.equalIgnoreHash(other.spec?.template,
        d.spec?.template)) return other;
      const collisions = (d.status?.collisionCount ?? 0) + 1;
      U.checkCollisionCount(collisions);
      await this.#writeStatus(s, { ...(d.status ?? {}), collisionCount: collisions });
      throw new ControllerError(`replica set ${rs.metadata!.name!} exists with another template: collisionCount now ${collisions}`);
    }
    const name = created.metadata?.name ?? '';
    if (replicas > 0) {
      this.#events.event(R.deployments, d, 'Normal', 'ScalingReplicaSet', `Scaled up replica set ${name} from 0 to ${replicas}`);
    }
    await this.#setDeploymentRevision(s, String(newRevision));
    if (U.hasProgressDeadline(d)) {
      const status = structuredClone(s.d.status ?? {});
      U.setCondition(status, U.newCondition('Progressing', 'True', U.REASON.newRSCreated,
        `Created new replica set "${name}"`, this.ctx.clock.nowMs()));
      await this.#writeStatus(s, status);
    }
    return created;
  }

  /** SetDeploymentRevision: the deployment carries its newest revision (a metadata patch: /status drops metadata). */
  async #setDeploymentRevision(s: Rollout, revision: string | undefined): Promise<void> {
    if (revision === undefined || s.d.metadata?.annotations?.[U.REVISION_ANNOTATION] === revision) return;
    s.d = await this.ctx.client.patch<Deployment>(R.deployments, s.d.metadata?.namespace ?? '', s.d.metadata?.name ?? '',
      'merge', { metadata: { annotations: { [U.REVISION_ANNOTATION]: revision } } });
  }

  /** NewRSNewReplicas: Recreate → all at once; RollingUpdate → up to replicas + maxSurge in total. */
  #newRSNewReplicas(d: Deployment, allRSs: (ReplicaSet | undefined)[], newRS: ReplicaSet): number {
    const want = U.replicasOf(d);
    if (!U.isRollingUpdate(d)) return want;
    const current = U.sumSpec(allRSs);
    const maxTotal = want + U.maxSurge(d);
    if (current >= maxTotal) return U.specReplicas(newRS);
    return U.specReplicas(newRS) + Math.min(maxTotal - current, want - U.specReplicas(newRS));
  }

  /** Writes the status on the latest copy: one retry on a fresh read after a conflict. */
  async #writeStatus(s: Rollout, status: DeploymentStatus): Promise<void> {
    const ns = s.d.metadata?.namespace ?? '';
    for (let attempt = 0; ; attempt++) {
      try {
        s.d = await this.ctx.client.updateStatus<Deployment>(R.deployments, ns, { ...s.d, status });
        return;
      } catch (e) {
        if (!isConflict(e) || attempt + 1 >= STATUS_UPDATE_ATTEMPTS) throw e;
        s.d = await this.ctx.client.get<Deployment>(R.deployments, ns, s.d.metadata?.name ?? '');
      }
    }
  }

  /** scaleReplicaSet: size and the desired/max-replicas annotations; "Scaled up|down replica set X from A to B". */
  async #scaleRS(s: Rollout, rs: ReplicaSet, newScale: number, op: 'up' | 'down'): Promise<boolean> {
    const copy = structuredClone(rs);
    const ann = { ...(copy.metadata?.annotations ?? {}) };
    const desired = String(U.replicasOf(s.d));
    const max = String(U.replicasOf(s.d) + U.maxSurge(s.d));
    const annChanged = ann[U.DESIRED_REPLICAS_ANNOTATION] !== desired || ann[U.MAX_REPLICAS_ANNOTATION] !== max;
    const oldScale = U.specReplicas(rs);
    const sizeChanged = oldScale !== newScale;
    if (!sizeChanged && !annChanged) return false;
    ann[U.DESIRED_REPLICAS_ANNOTATION] = desired;
    ann[U.MAX_REPLICAS_ANNOTATION] = max;
    copy.metadata = { ...copy.metadata, annotations: ann };
    copy.spec = { ...copy.spec!, replicas: newScale };
    const updated = await this.ctx.client.update<ReplicaSet>(R.replicaSets, copy.metadata?.namespace ?? '', copy);
    if (s.newRS?.metadata?.uid === updated.metadata?.uid) s.newRS = updated;
    s.oldRSs = s.oldRSs.map((o) => (o.metadata?.uid === updated.metadata?.uid ? updated : o));
    if (sizeChanged) {
      this.#events.event(R.deployments, s.d, 'Normal', 'ScalingReplicaSet',
        `Scaled ${op} replica set ${updated.metadata?.name ?? ''} from ${oldScale} to ${newScale}`);
    }
    return sizeChanged;
  }

  async #scaleAndRecord(s: Rollout, rs: ReplicaSet, newScale: number): Promise<boolean> {
    if (U.specReplicas(rs) === newScale) return false;
    return this.#scaleRS(s, rs, newScale, U.specReplicas(rs) < newScale ? 'up' : 'down');
  }

  async #rolloutRolling(s: Rollout, rsList: ReplicaSet[]): Promise<void> {
    await this.#getAllReplicaSets(s, rsList, true);
    if (await this.#reconcileNewRS(s)) { await this.#syncRolloutStatus(s); return; }
    if (await this.#reconcileOldRSs(s)) { await this.#syncRolloutStatus(s); return; }
    if (U.deploymentComplete(s.d, s.d.status ?? {})) await this.#cleanup(s);
    await this.#syncRolloutStatus(s);
  }

  async #reconcileNewRS(s: Rollout): Promise<boolean> {
    const newRS = s.newRS;
    if (newRS === undefined) return false;
    const want = U.replicasOf(s.d);
    if (U.specReplicas(newRS) === want) return false;
    if (U.specReplicas(newRS) > want) return this.#scaleAndRecord(s, newRS, want);
    return this.#scaleAndRecord(s, newRS, this.#newRSNewReplicas(s.d, all(s), newRS));
  }

  /**
   * reconcileOldReplicaSets: scale old RSs down only as far as keeps `replicas - maxUnavailable`
   * pods available, unhealthy old pods first (cleanupUnhealthyReplicas), then available ones.
   */
  async #reconcileOldRSs(s: Rollout): Promise<boolean> {
    if (U.sumSpec(s.oldRSs) === 0) return false;
    const minAvailable = U.replicasOf(s.d) - U.maxUnavailable(s.d);
    const newUnavailable = U.specReplicas(s.newRS) - (s.newRS?.status?.availableReplicas ?? 0);
    const maxScaledDown = U.sumSpec(all(s)) - minAvailable - newUnavailable;
    if (maxScaledDown <= 0) return false;
    let cleaned = 0;
    for (const rs of [...s.oldRSs].sort(byCreation)) {
      if (cleaned >= maxScaledDown) break;
      if (U.specReplicas(rs) === 0) continue;
      const unhealthy = U.specReplicas(rs) - (rs.status?.availableReplicas ?? 0);
      if (unhealthy <= 0) continue;
      const n = Math.min(maxScaledDown - cleaned, unhealthy);
      await this.#scaleAndRecord(s, rs, U.specReplicas(rs) - n);
      cleaned += n;
    }
    // scaleDownOldReplicaSetsForRollingUpdate
    const available = U.sumStatus(all(s), 'availableReplicas');
    let scaled = 0;
    if (available > minAvailable) {
      const total = available - minAvailable;
      for (const rs of [...s.oldRSs].sort(byCreation)) {
        if (scaled >= total) break;
        if (U.specReplicas(rs) === 0) continue;
        const n = Math.min(U.specReplicas(rs), total - scaled);
        await this.#scaleAndRecord(s, rs, U.specReplicas(rs) - n);
        scaled += n;
      }
    }
    return cleaned + scaled > 0;
  }

  async #rolloutRecreate(s: Rollout, rsList: ReplicaSet[]): Promise<void> {
    await this.#getAllReplicaSets(s, rsList, false);
    let scaledDown = false;
    for (const rs of U.activeRSs(s.oldRSs)) if (await this.#scaleAndRecord(s, rs, 0)) scaledDown = true;
    if (scaledDown || this.#oldPodsRunning(s)) { await this.#syncRolloutStatus(s); return; }
    if (s.newRS === undefined) await this.#getAllReplicaSets(s, rsList, true);
    if (s.newRS !== undefined) await this.#scaleAndRecord(s, s.newRS, U.replicasOf(s.d));
    if (U.deploymentComplete(s.d, s.d.status ?? {})) await this.#cleanup(s);
    await this.#syncRolloutStatus(s);
  }

  /** oldPodsRunning: Recreate starts new pods only once no old pod is running or pending. */
  #oldPodsRunning(s: Rollout): boolean {
    if (U.sumStatus(s.oldRSs, 'replicas') > 0) return true;
    for (const rs of s.oldRSs) {
      for (const p of this.#pods.store.byIndex(OWNER_UID_INDEX, rs.metadata?.uid ?? '')) {
        const phase = p.status?.phase;
        if (phase !== 'Failed' && phase !== 'Succeeded') return true;
      }
    }
    return false;
  }

  /** sync: scaling or paused — proportional scale, trim history when paused, then status. */
  async #syncScale(s: Rollout, rsList: ReplicaSet[]): Promise<void> {
    await this.#getAllReplicaSets(s, rsList, false);
    await this.#scale(s);
    if (s.d.spec?.paused === true) await this.#cleanup(s);
    await this.#syncDeploymentStatus(s);
  }

  async #isScalingEvent(s: Rollout, rsList: ReplicaSet[]): Promise<boolean> {
    await this.#getAllReplicaSets(s, rsList, false);
    for (const rs of U.activeRSs(all(s))) {
      const desired = Number(rs.metadata?.annotations?.[U.DESIRED_REPLICAS_ANNOTATION]);
      if (Number.isInteger(desired) && desired !== U.replicasOf(s.d)) return true;
    }
    return false;
  }

  /** scale: one active RS takes the new size; else a change is spread proportionally (kube's proportional scaling). */
  async #scale(s: Rollout): Promise<void> {
    const want = U.replicasOf(s.d);
    const active = U.activeRSs(all(s));
    if (active.length <= 1) {
      const target = active[0] ?? s.newRS ?? [...s.oldRSs].sort(byCreation).at(-1);
      if (target !== undefined && U.specReplicas(target) !== want) await this.#scaleAndRecord(s, target, want);
      return;
    }
    const newRS = s.newRS;
    if (newRS !== undefined && U.specReplicas(newRS) === want && (newRS.status?.availableReplicas ?? 0) === want &&
      Number(newRS.metadata?.annotations?.[U.DESIRED_REPLICAS_ANNOTATION]) === want) {
      for (const rs of U.activeRSs(s.oldRSs)) await this.#scaleAndRecord(s, rs, 0);
      return;
    }
    if (!U.isRollingUpdate(s.d)) return;
    const allowed = want > 0 ? want + U.maxSurge(s.d) : 0;
    const toAdd = allowed - U.sumSpec(active);
    const sorted = [...active].sort((a, b) => sizeThenAge(a, b, toAdd > 0));
    const sizes = new Map<ReplicaSet, number>();
    let added = 0;
    for (const rs of sorted) {
      const p = toAdd !== 0 ? U.proportion(rs, s.d, toAdd, added) : 0;
      sizes.set(rs, U.specReplicas(rs) + p);
      added += p;
    }
    for (const [i, rs] of sorted.entries()) {
      let size = sizes.get(rs) ?? 0;
      if (i === 0 && toAdd !== 0) size = Math.max(0, size + toAdd - added); // leftovers go to the largest
      await this.#scaleRS(s, rs, size, toAdd > 0 ? 'up' : 'down');
    }
  }

  /** cleanupDeployment: delete the oldest fully scaled-down RSs beyond revisionHistoryLimit. */
  async #cleanup(s: Rollout): Promise<void> {
    const limit = s.d.spec?.revisionHistoryLimit;
    if (limit === undefined) return;
    const cleanable = s.oldRSs.filter((rs) => rs.metadata?.deletionTimestamp === undefined)
      .sort((a, b) => U.revisionOf(a) - U.revisionOf(b) || byCreation(a, b));
    const diff = cleanable.length - limit;
    for (const rs of cleanable.slice(0, Math.max(0, diff))) {
      if ((rs.status?.replicas ?? 0) !== 0 || U.specReplicas(rs) !== 0 ||
        (rs.metadata?.generation ?? 0) > (rs.status?.observedGeneration ?? 0)) continue;
      await this.ctx.client.delete(R.replicaSets, rs.metadata?.namespace ?? '', rs.metadata?.name ?? '');
    }
  }

  async #checkPausedConditions(s: Rollout): Promise<void> {
    if (!U.hasProgressDeadline(s.d)) return;
    const cond = U.getCondition(s.d.status, 'Progressing');
    if (cond?.reason === U.REASON.timedOut) return;
    const pausedCond = cond?.reason === U.REASON.paused;
    const paused = s.d.spec?.paused === true;
    if (paused === pausedCond) return;
    const status = structuredClone(s.d.status ?? {});
    U.setCondition(status, paused
      ? U.newCondition('Progressing', 'Unknown', U.REASON.paused, 'Deployment is paused', this.ctx.clock.nowMs())
      : U.newCondition('Progressing', 'Unknown', U.REASON.resumed, 'Deployment is resumed', this.ctx.clock.nowMs()));
    await this.#writeStatus(s, status);
  }

  async #syncDeploymentStatus(s: Rollout): Promise<void> {
    const status = U.calculateStatus(all(s), s.newRS, s.d, this.ctx.clock.nowMs());
    if (sameStatus(s.d.status, status)) return;
    await this.#writeStatus(s, status);
  }

  /** syncRolloutStatus: status plus the Progressing condition (complete / progressing / timed out). */
  async #syncRolloutStatus(s: Rollout): Promise<void> {
    const now = this.ctx.clock.nowMs();
    const d = s.d;
    const status = U.calculateStatus(all(s), s.newRS, d, now);
    if (!U.hasProgressDeadline(d)) U.removeCondition(status, 'Progressing');
    const cur = U.getCondition(d.status, 'Progressing');
    const complete = status.replicas === status.updatedReplicas && cur?.reason === U.REASON.newRSAvailable;
    const rsName = s.newRS?.metadata?.name;
    const what = rsName !== undefined ? `ReplicaSet "${rsName}"` : `Deployment "${d.metadata?.name ?? ''}"`;
    if (U.hasProgressDeadline(d) && !complete) {
      if (U.deploymentComplete(d, status)) {
        U.setCondition(status, U.newCondition('Progressing', 'True', U.REASON.newRSAvailable,
          `${what} has successfully progressed.`, now));
      } else if (U.deploymentProgressing(d, status)) {
        const c = U.newCondition('Progressing', 'True', U.REASON.rsUpdated, `${what} is progressing.`, now);
        // Progress moves lastUpdateTime even with an unchanged reason; lastTransitionTime stays while True.
        if (cur?.status === 'True' && cur.lastTransitionTime !== undefined) c.lastTransitionTime = cur.lastTransitionTime;
        U.removeCondition(status, 'Progressing');
        U.setCondition(status, c);
      } else if (U.deploymentTimedOut(d, status, now)) {
        U.setCondition(status, U.newCondition('Progressing', 'False', U.REASON.timedOut,
          `${what} has timed out progressing.`, now));
      }
    }
    if (sameStatus(d.status, status)) { this.#requeueStuck(s, status); return; }
    await this.#writeStatus(s, status);
  }

  /** requeueStuckDeployment: check again when the progress deadline would pass. */
  #requeueStuck(s: Rollout, status: DeploymentStatus): void {
    const c = U.getCondition(status, 'Progressing');
    if (!U.hasProgressDeadline(s.d) || c === undefined || c.status !== 'True' || c.reason === U.REASON.newRSAvailable) {
      return;
    }
    if (U.deploymentComplete(s.d, status)) return;
    const at = timeMs(c.lastUpdateTime) + (s.d.spec?.progressDeadlineSeconds ?? 0) * 1000;
    if (Number.isFinite(at)) this.enqueueAfter(s.key, Math.max(0, at - this.ctx.clock.nowMs()) + 1000);
  }
}

/** ReplicaSetsBySizeNewer (scaling up) / BySizeOlder (down): larger first, then newer or older first. */
function sizeThenAge(a: ReplicaSet, b: ReplicaSet, newerFirst: boolean): number {
  const d = U.specReplicas(b) - U.specReplicas(a);
  if (d !== 0) return d;
  return newerFirst ? byCreation(b, a) : byCreation(a, b);
}

function sameStatus(a: DeploymentStatus | undefined, b: DeploymentStatus): boolean {
  const norm = (s: DeploymentStatus | undefined): unknown => {
    const x = { observedGeneration: 0, replicas: 0, updatedReplicas: 0, readyReplicas: 0, availableReplicas: 0,
      unavailableReplicas: 0, ...(s ?? {}) };
    if (x.conditions === undefined || x.conditions.length === 0) delete x.conditions;
    return x;
  };
  return JSON.stringify(sortKeys(norm(a))) === JSON.stringify(sortKeys(norm(b)));
}

function sortKeys(v: unknown): unknown {
  return JSON.parse(U.stableJson(v)) as unknown;
}
