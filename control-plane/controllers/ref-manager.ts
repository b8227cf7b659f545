// ControllerRefManager (kube pkg/controller/controller_ref_manager.go): an owner claims the objects
// its selector matches. An orphan that matches is adopted (our controller reference added), an
// object we control that no longer matches is released (our reference removed), objects controlled
// by others are left alone. Adoption first re-reads the owner from the server (RecheckDeletionTimestamp)
// so a stale cache can never adopt into an owner that is gone or being deleted.
// Patches are JSON merge patches of the whole ownerReferences list carrying the object's
// resourceVersion, so a concurrent change makes them fail (409) instead of losing a reference.
import type { LabelSelector, OwnerReference, ResourceInfo } from '../api/index.js';
import { isNotFound, type KubeObject } from '../client/index.js';
import { ControllerError } from './errors.js';
import type { ControllerClient } from './types.js';
import { controllerRefOf, newControllerRef } from './util.js';

export interface ClaimOptions<T extends KubeObject> {
  client: ControllerClient;
  owner: KubeObject;
  ownerResource: ResourceInfo;
  childResource: ResourceInfo;
  selector: LabelSelector;
  candidates: readonly T[];
}

function refsPatch(obj: KubeObject, refs: OwnerReference[]): unknown {
  return { metadata: { ownerReferences: refs, resourceVersion: obj.metadata?.resourceVersion } };
}

export async function claimObjects<T extends KubeObject>(o: ClaimOptions<T>): Promise<T[]> {
  const ownerUid = o.owner.metadata?.uid ?? '';
  const ownerDeleting = o.owner.metadata?.deletionTimestamp !== undefined;
  let canAdopt: Promise<boolean> | undefined;
  const claimed: T[] = [];
  const errors: unknown[] = [];
  for (const child of o.candidates) {
    const ref = controllerRefOf(child.metadata);
    const labels = child.metadata?.labels ?? {};
    const ns = child.metadata?.namespace ?? '';
    const name = child.metadata?.name ?? '';
    if (ref !== undefined) {
      if (ref.uid !== ownerUid) continue;
      if (o.selector.matches(labels)) { claimed.push(child); continue; }
      if (ownerDeleting) continue; // never release while the owner is being deleted
      const refs = (child.metadata?.ownerReferences ?? []).filter((r) => r.uid !== ownerUid);
      try {
        await o.client.patch(o.childResource, ns, name, 'merge', refsPatch(child, refs));
      } catch (e) {
        if (!isNotFound(e)) errors.push(e);
      }
      continue;
    }
    if (ownerDeleting || !o.selector.matches(labels) || child.metadata?.deletionTimestamp !== undefined) continue;
    canAdopt ??= recheckOwner(o);
    if (!(await canAdopt)) continue;
    const refs = [...(child.metadata?.ownerReferences ?? []), newControllerRef(o.owner, o.ownerResource)];
    try {
      const adopted = await o.client.patch<T>(o.childResource, ns, name, 'merge', refsPatch(child, refs));
      claimed.push(adopted);
    } catch (e) {
      if (!isNotFound(e)) errors.push(e);
    }
  }
  if (errors.length > 0) {
    const first = errors[0];
    throw first instanceof Error ? first : new ControllerError(String(first));
  }
  return claimed;
}

/** RecheckDeletionTimestamp: the owner still exists with the same uid and is not being deleted. */
async function recheckOwner<T extends KubeObject>(o: ClaimOptions<T>): Promise<boolean> {
  try {
    const fresh = await o.client.get(o.ownerResource, o.owner.metadata?.namespace ?? '', o.owner.metadata?.name ?? '');
    return fresh.metadata?.uid === o.owner.metadata?.uid && fresh.metadata?.deletionTimestamp === undefined;
  } catch (e) {
    if (isNotFound(e)) return false;
    throw e;
  }
}
