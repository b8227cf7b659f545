// ReplicaSet and ReplicationController controllers (kube pkg/controller/replicaset; the RC
// controller in Kubernetes is the same code behind a conversion layer — here, behind ReplicaKind).
// sync(key): claim pods (adopt orphans matching the selector, release ours that stopped matching),
// then — only when the expectations of the previous sync are met — create (slow start, at most
// BURST_REPLICAS) or delete (best candidates first) pods, then write status.
import type { Pod, PodTemplateSpec, ReplicaSet, ReplicationController, ResourceInfo } from '../api/index.js';
import { LabelSelector, labelSelectorAsSelector, selectorFromSet } from '../api/index.js';
import { isConflict, isNotFound, isTombstone, type DeletedFinalStateUnknown, type KubeObject } from '../client/index.js';
import { QueueController } from './controller.js';
import { ControllerError } from './errors.js';
import { Expectations } from './expectations.js';
import { BURST_REPLICAS, SLOW_START_INITIAL_BATCH_SIZE, STATUS_UPDATE_ATTEMPTS } from './limits.js';
import { PodControl, podsToDelete, slowStartBatch } from './pod-control.js';
import { claimObjects } from './ref-manager.js';
import { R, OWNER_UID_INDEX, type ControllerContext, type Informer } from './types.js';
import {
  controllerRefOf, errorMessage, isPodActive, isPodAvailable, isPodReady, jsonEq, keyFor, splitNsName,
} from './util.js';

type Replicated = ReplicaSet | ReplicationController;

interface ReplicatedStatus {
  replicas: number;
  fullyLabeledReplicas?: number;
  readyReplicas?: number;
  availableReplicas?: number;
  observedGeneration?: number;
  conditions?: { type: string; status: string; lastTransitionTime?: string; reason?: string; message?: string }[];
}

/** What differs between ReplicaSets and ReplicationControllers. */
export interface ReplicaKind {
  resource: ResourceInfo;
  controllerName: string;
  component: string;
  selector(obj: Replicated): LabelSelector;
  template(obj: Replicated): PodTemplateSpec | undefined;
}

export const REPLICA_SET_KIND: ReplicaKind = {
  resource: R.replicaSets, controllerName: 'replicaset', component: 'replicaset-controller',
  selector: (obj) => {
    const r = labelSelectorAsSelector((obj as ReplicaSet).spec?.selector);
    if (!r.ok) throw new ControllerError(`invalid selector: ${r.error.message}`);
    return r.value;
  },
  template: (obj) => (obj as ReplicaSet).spec?.template,
};

export const REPLICATION_CONTROLLER_KIND: ReplicaKind = {
  resource: R.replicationControllers, controllerName: 'replicationcontroller', component: 'replication-controller',
  // An RC's selector is a plain label set; apiserver defaulting fills it from the template labels.
  selector: (obj) => selectorFromSet((obj as ReplicationController).spec?.selector ?? {}),
  template: (obj) => (obj as ReplicationController).spec?.template,
};

export class ReplicaSetController extends QueueController {
  readonly expectations: Expectations;
  readonly #kind: ReplicaKind;
  readonly #owners: Informer<Replicated>;
  readonly #pods: Informer<Pod>;
  readonly #podControl: PodControl;

  constructor(ctx: ControllerContext, kind: ReplicaKind = REPLICA_SET_KIND) {
    super(kind.controllerName, ctx);
    this.#kind = kind;
    this.expectations = new Expectations(ctx.clock);
    this.#owners = ctx.informers.informer<Replicated>(kind.resource);
    this.#pods = ctx.informers.informer<Pod>(R.pods);
    const events = ctx.events(kind.component);
    this.#podControl = new PodControl(ctx.client, events);
    this.#owners.addEventHandler({
      onAdd: (rs) => this.enqueue(keyFor(rs)),
      onUpdate: (_old, rs) => this.enqueue(keyFor(rs)),
      onDelete: (rs) => {
        const key = keyFor(isTombstone(rs) ? rs.obj : rs);
        this.expectations.delete(key);
        this.enqueue(key);
      },
    });
    this.#pods.addEventHandler({
      onAdd: (p) => this.#podAdded(p),
      onUpdate: (o, p) => this.#podUpdated(o, p),
      onDelete: (p) => this.#podDeleted(p),
    });
  }

  protected override initialKeys(): Iterable<string> {
    return this.#owners.store.listKeys();
  }

  protected override onStart(): void {
    this.expectations.clear();
  }

  /** The owner a controller reference points at, if it is one of ours and still the same object. */
  #resolveRef(p: Pod): Replicated | undefined {
    const ref = controllerRefOf(p.metadata);
    if (ref === undefined || ref.kind !== this.#kind.resource.kind) return undefined;
    const owner = this.#owners.store.getByName(p.metadata?.namespace ?? '', ref.name);
    return owner?.metadata?.uid === ref.uid ? owner : undefined;
  }

  /** getPodReplicaSets: owners in the pod's namespace whose selector matches it (for orphans). */
  #matchingOwners(p: Pod): Replicated[] {
    const labels = p.metadata?.labels ?? {};
    return this.#owners.store.listByNamespace(p.metadata?.namespace ?? '').filter((o) => {
      try {
        return this.#kind.selector(o).matches(labels);
      } catch {
        return false;
      }
    });
  }

  #podAdded(p: Pod): void {
    if (p.metadata?.deletionTimestamp !== undefined) { this.#podDeleted(p); return; }
    if (controllerRefOf(p.metadata) !== undefined) {
      const owner = this.#resolveRef(p);
      if (owner === undefined) return;
      this.expectations.creationObserved(keyFor(owner));
      this.enqueue(keyFor(owner));
      return;
    }
    for (const o of this.#matchingOwners(p)) this.enqueue(keyFor(o));
  }

  #podUpdated(old: Pod, cur: Pod): void {
    if (old.metadata?.resourceVersion === cur.metadata?.resourceVersion) return;
    const labelsChanged = !jsonEq(old.metadata?.labels ?? {}, cur.metadata?.labels ?? {});
    if (cur.metadata?.deletionTimestamp !== undefined) {
      // A graceful delete shows up as an update: count it as the deletion we expect (kube does the same).
      this.#podDeleted(cur);
      if (labelsChanged) this.#podDeleted(old);
      return;
    }
    const oldRef = controllerRefOf(old.metadata);
    const curRef = controllerRefOf(cur.metadata);
    if (oldRef !== undefined && oldRef.uid !== curRef?.uid) {
      const prev = this.#resolveRef(old);
      if (prev !== undefined) this.enqueue(keyFor(prev));
    }
    if (curRef !== undefined) {
      const owner = this.#resolveRef(cur);
      if (owner === undefined) return;
      this.enqueue(keyFor(owner));
      // Availability changes minReadySeconds after readiness: look again then (kube: enqueueAfter).
      const minReady = owner.spec?.minReadySeconds ?? 0;
      if (minReady > 0 && !isPodReady(old) && isPodReady(cur)) this.enqueueAfter(keyFor(owner), minReady * 1000 + 1);
      return;
    }
    if (labelsChanged || oldRef !== undefined) for (const o of this.#matchingOwners(cur)) this.enqueue(keyFor(o));
  }

  #podDeleted(obj: Pod | DeletedFinalStateUnknown<Pod>): void {
    const p = isTombstone(obj) ? obj.obj : obj;
    const owner = this.#resolveRef(p);
    if (owner === undefined) return;
    this.expectations.deletionObserved(keyFor(owner), keyFor(p));
    this.enqueue(keyFor(owner));
  }

  async sync(key: string): Promise<void> {
    const { namespace, name } = splitNsName(key);
    const owner = this.#owners.store.getByName(namespace, name);
    if (owner === undefined) { this.expectations.delete(key); return; }
    const needsSync = this.expectations.satisfied(key);
    let selector: LabelSelector;
    try {
      selector = this.#kind.selector(owner);
    } catch (e) {
      this.ctx.log.warn({ controller: this.name, key, err: errorMessage(e) }, 'skipping: invalid selector');
      return;
    }
    const active = this.#pods.store.listByNamespace(namespace).filter(isPodActive);
    const pods = await claimObjects({ client: this.ctx.client, owner, ownerResource: this.#kind.resource,
      childResource: R.pods, selector, candidates: active });
    let manageError: unknown;
    const deleted = new Set<string>();
    if (needsSync && owner.metadata?.deletionTimestamp === undefined) {
      try {
        await this.#manageReplicas(key, owner, pods, deleted);
      } catch (e) {
        manageError = e;
      }
    }
    // Unlike Kubernetes (which counts the pods as they were before this sync), pods deleted just now
    // are not reported as available: a Deployment reading an overstated availableReplicas would
    // scale old ReplicaSets down past replicas − maxUnavailable before the next status catches up.
    const counted = deleted.size === 0 ? pods : pods.filter((p) => !deleted.has(keyFor(p)));
    const status = await this.#updateStatus(owner, counted, manageError);
    const minReady = owner.spec?.minReadySeconds ?? 0;
    const want = owner.spec?.replicas ?? 1;
    const waitingForAvailable = status.readyReplicas === want && status.availableReplicas !== want;
    if (manageError === undefined && minReady > 0 && waitingForAvailable) {
      this.enqueueAfter(key, minReady * 1000);
    }
    if (manageError !== undefined) throw manageError;
  }

  async #manageReplicas(key: string, owner: Replicated, pods: Pod[], deleted: Set<string>): Promise<void> {
    const want = owner.spec?.replicas ?? 1;
    const diff = pods.length - want;
    if (diff < 0) {
      const n = Math.min(-diff, BURST_REPLICAS);
      const template = this.#kind.template(owner);
      if (template === undefined) throw new ControllerError(`${key} has no pod template`);
      this.expectations.expectCreations(key, n);
      const { successes, error } = await slowStartBatch(n, SLOW_START_INITIAL_BATCH_SIZE,
        () => this.#podControl.create(template, owner, this.#kind.resource));
      // Creations never attempted will never be observed: stop waiting for them.
      for (let i = successes; i < n; i++) this.expectations.creationObserved(key);
      if (error !== undefined) throw error;
    } else if (diff > 0) {
      const n = Math.min(diff, BURST_REPLICAS);
      const victims = podsToDelete(pods, this.#relatedPods(owner), n);
      this.expectations.expectDeletions(key, victims.map(keyFor));
      const results = await Promise.allSettled(victims.map(async (p) => {
        try {
          await this.#podControl.delete(p, owner, this.#kind.resource);
          deleted.add(keyFor(p));
        } catch (e) {
          this.expectations.deletionObserved(key, keyFor(p));
          if (!isNotFound(e)) throw e;
        }
      }));
      const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed !== undefined) throw failed.reason;
    }
  }

  /** getIndirectlyRelatedPods: pods of every owner controlled by the same controller (e.g. one Deployment). */
  #relatedPods(owner: Replicated): Pod[] {
    const ref = controllerRefOf(owner.metadata);
    const siblings = ref === undefined ? [owner] : this.#owners.store.listByNamespace(owner.metadata?.namespace ?? '')
      .filter((o) => controllerRefOf(o.metadata)?.uid === ref.uid);
    return siblings.flatMap((o) => this.#pods.store.byIndex(OWNER_UID_INDEX, o.metadata?.uid ?? ''));
  }

  #calculateStatus(owner: Replicated, pods: Pod[], manageError: unknown): ReplicatedStatus {
    const templateLabels = selectorFromSet(this.#kind.template(owner)?.metadata?.labels ?? {});
    const minReady = owner.spec?.minReadySeconds ?? 0;
    const now = this.ctx.clock.nowMs();
    let fullyLabeled = 0;
    let ready = 0;
    let available = 0;
    for (const p of pods) {
      if (templateLabels.matches(p.metadata?.labels ?? {})) fullyLabeled++;
      if (isPodReady(p)) {
        ready++;
        if (isPodAvailable(p, minReady, now)) available++;
      }
    }
    const conditions = [...(owner.status?.conditions ?? [])];
    const failureIdx = conditions.findIndex((c) => c.type === 'ReplicaFailure');
    if (manageError !== undefined && failureIdx < 0) {
      const diff = pods.length - (owner.spec?.replicas ?? 1);
      conditions.push({ type: 'ReplicaFailure', status: 'True', lastTransitionTime: new Date(now).toISOString()
        .replace(/\.\d+Z$/, 'Z'), reason: diff < 0 ? 'FailedCreate' : 'FailedDelete', message: errorMessage(manageError) });
    } else if (manageError === undefined && failureIdx >= 0) {
      conditions.splice(failureIdx, 1);
    }
    const status: ReplicatedStatus = { replicas: pods.length, fullyLabeledReplicas: fullyLabeled, readyReplicas: ready,
      availableReplicas: available, observedGeneration: owner.metadata?.generation ?? 0 };
    if (conditions.length > 0) status.conditions = conditions;
    return status;
  }

  /** updateReplicaSetStatus: writes only when something changed; one retry on a fresh copy after a conflict. */
  async #updateStatus(owner: Replicated, pods: Pod[], manageError: unknown): Promise<ReplicatedStatus> {
    const r = this.#kind.resource;
    let current: Replicated = owner;
    for (let attempt = 0; ; attempt++) {
      const status = this.#calculateStatus(current, pods, manageError);
      if (sameStatus(current.status, status)) return status;
      try {
        await this.ctx.client.updateStatus<KubeObject>(r, current.metadata?.namespace ?? '',
          { ...current, status } as unknown as KubeObject);
        return status;
      } catch (e) {
        if (!isConflict(e) || attempt + 1 >= STATUS_UPDATE_ATTEMPTS) throw e;
        current = await this.ctx.client.get<Replicated>(r, current.metadata?.namespace ?? '', current.metadata?.name ?? '');
      }
    }
  }
}

function sameStatus(a: ReplicatedStatus | undefined, b: ReplicatedStatus): boolean {
  if (a === undefined) return false;
  return a.replicas === b.replicas && (a.fullyLabeledReplicas ?? 0) === b.fullyLabeledReplicas &&
    (a.readyReplicas ?? 0) === b.readyReplicas && (a.availableReplicas ?? 0) === b.availableReplicas &&
    (a.observedGeneration ?? 0) === b.observedGeneration && jsonEq(a.conditions ?? [], b.conditions ?? []);
}

export function newReplicationControllerController(ctx: ControllerContext): ReplicaSetController {
  return new ReplicaSetController(ctx, REPLICATION_CONTROLLER_KIND);
}
