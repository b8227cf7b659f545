// A pod's QoS class (status.qosClass), as Kubernetes computes it on create: Guaranteed when
// every container sets cpu and memory limits equal to its requests, BestEffort when none
// sets any request or limit, Burstable otherwise (pkg/apis/core/helper/qos).
import { type JsonObject, Quantity } from '../../api/index.js';

type Resources = Record<string, string>;

function containersOf(pod: JsonObject): JsonObject[] {
  const spec = (pod['spec'] ?? {}) as JsonObject;
  return [...((spec['containers'] ?? []) as JsonObject[]), ...((spec['initContainers'] ?? []) as JsonObject[])];
}

function same(a: string | undefined, b: string | undefined): boolean {
  if (a === undefined || b === undefined) return false;
  const qa = Quantity.parse(a);
  const qb = Quantity.parse(b);
  return qa.ok && qb.ok && qa.value.cmp(qb.value) === 0;
}

export function podQosClass(pod: JsonObject): 'Guaranteed' | 'Burstable' | 'BestEffort' {
  let any = false;
  let guaranteed = true;
  for (const c of containersOf(pod)) {
    const res = (c['resources'] ?? {}) as JsonObject;
    const requests = (res['requests'] ?? {}) as Resources;
    const limits = (res['limits'] ?? {}) as Resources;
    for (const name of ['cpu', 'memory']) {
      if (requests[name] !== undefined || limits[name] !== undefined) any = true;
      const request = requests[name] ?? limits[name];
      if (!same(request, limits[name])) guaranteed = false;
    }
  }
  if (!any) return 'BestEffort';
  return guaranteed ? 'Guaranteed' : 'Burstable';
}
