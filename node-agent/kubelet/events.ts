// Events the kubelet records about pods (Pulling, Started, Killing, BackOff, Unhealthy, Failed...),
// written in the background and dropped beyond eventRecordQPS/eventBurst, as the kubelet's
// event broadcaster does: an event is best effort, never a reason to slow a pod down.
import crypto from 'node:crypto';
import type { Event, Pod } from '../../control-plane/api/index.js';
import { type ApiClient, TokenBucket } from '../../control-plane/client/index.js';
import { EVENT_BURST, EVENT_QPS } from './limits.js';
import { apiTime } from './pod-status.js';
import { EVENTS } from './resources.js';

export interface EventRecorder {
  pod(pod: Pod, type: 'Normal' | 'Warning', reason: string, message: string, fieldPath?: string): void;
}

export const NO_EVENTS: EventRecorder = { pod: () => undefined };

export class ApiEventRecorder implements EventRecorder {
  dropped = 0;
  readonly #client: ApiClient;
  readonly #host: string;
  readonly #bucket = new TokenBucket(EVENT_QPS, EVENT_BURST);

  constructor(client: ApiClient, host: string) {
    this.#client = client;
    this.#host = host;
  }

  pod(pod: Pod, type: 'Normal' | 'Warning', reason: string, message: string, fieldPath?: string): void {
    if (!this.#bucket.tryAccept()) {
      this.dropped++;
      return;
    }
    const ns = pod.metadata?.namespace ?? 'default';
    const name = pod.metadata?.name ?? '';
    const now = apiTime(Date.now());
    const ev: Event = {
      apiVersion: 'v1', kind: 'Event',
      metadata: { name: `${name}.${crypto.randomBytes(8).toString('hex')}`, namespace: ns },
      involvedObject: { kind: 'Pod', apiVersion: 'v1', namespace: ns, name, uid: pod.metadata?.uid ?? '',
        ...(fieldPath !== undefined ? { fieldPath } : {}) },
      reason, message, type, source: { component: 'kubelet', host: this.#host }, firstTimestamp: now,
      lastTimestamp: now, count: 1, reportingComponent: 'kubelet', reportingInstance: this.#host,
    };
    this.#client.create<Event>(EVENTS, ns, ev).catch(() => {
      this.dropped++;
    });
  }
}
