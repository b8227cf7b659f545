// Events on pods (FailedScheduling, Scheduled, Preempted), aggregated and rate-limited per pod the
// way client-go's EventCorrelator keeps a hopeless pod from flooding the API: a repeat of the
// pod's last event (same reason and message) only bumps its `count` / `lastTimestamp`, patched at
// most once per flush; a new message spends a token from the pod's bucket (EVENT_BURST_PER_POD,
// one back per EVENT_REFILL_INTERVAL_MS); beyond that it is dropped. Writes go through the bounded
// WriteQueue, so events never hold up scheduling. core/v1 Events as the legacy recorder writes
// them (name "<pod>.<hex nanoseconds>", source.component = the scheduler name).
import type { Event, Pod } from '../../api/index.js';
import { findResource } from '../../api/index.js';
import type { ApiClient } from '../../client/index.js';
import { MAX_EVENT_MESSAGE_CHARS, MAX_EVENT_PODS, EVENT_BURST_PER_POD, EVENT_REFILL_INTERVAL_MS } from './limits.js';
import type { WriteQueue } from './write-queue.js';

const EVENTS = findResource('', 'events')!;

export type EventOutcome = 'created' | 'aggregated' | 'dropped' | 'failed';

interface Series {
  name: string;
  reason: string;
  message: string;
  count: number;
  lastIso: string;
  /** The create answered: patches may follow. */
  created: boolean;
  dirty: boolean;
}

interface PodEvents {
  uid: string;
  tokens: number;
  refilledAtMs: number;
  last: Series | undefined;
}

export interface EventRecorderOptions {
  client: Pick<ApiClient, 'create' | 'patch'>;
  writes: WriteQueue;
  /** source.component and reportingComponent (kube-scheduler: the profile's schedulerName). */
  component: string;
  instance: string;
  nowMs?: () => number;
  onOutcome?: (o: EventOutcome) => void;
}

/** RFC 3339 in whole seconds, as metav1.Time serializes. */
export function isoSeconds(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

export function truncateMessage(m: string): string {
  return m.length <= MAX_EVENT_MESSAGE_CHARS ? m : `${m.slice(0, MAX_EVENT_MESSAGE_CHARS - 3)}...`;
}

export class EventRecorder {
  readonly #o: EventRecorderOptions;
  readonly #now: () => number;
  readonly #pods = new Map<string, PodEvents>();
  readonly #dirty = new Set<{ ns: string; s: Series }>();
  #seq = 0;

  constructor(o: EventRecorderOptions) {
    this.#o = o;
    this.#now = o.nowMs ?? Date.now;
  }

  get trackedPods(): number { return this.#pods.size; }

  #state(pod: Pod, nowMs: number): PodEvents {
    const key = `${pod.metadata?.namespace ?? ''}/${pod.metadata?.name ?? ''}`;
    const uid = pod.metadata?.uid ?? '';
    let st = this.#pods.get(key);
    if (st !== undefined) this.#pods.delete(key);
    if (st === undefined || st.uid !== uid) {
      st = { uid, tokens: EVENT_BURST_PER_POD, refilledAtMs: nowMs, last: undefined };
    }
    this.#pods.set(key, st); // most recently used last
    if (this.#pods.size > MAX_EVENT_PODS) {
      const oldest = this.#pods.keys().next();
      if (oldest.done !== true) this.#pods.delete(oldest.value);
    }
    const refills = Math.floor((nowMs - st.refilledAtMs) / EVENT_REFILL_INTERVAL_MS);
    if (refills > 0) {
      st.tokens = Math.min(EVENT_BURST_PER_POD, st.tokens + refills);
      st.refilledAtMs += refills * EVENT_REFILL_INTERVAL_MS;
    }
    return st;
  }

  /** Records an event on `pod` (aggregated or dropped as described above). */
  record(pod: Pod, type: 'Normal' | 'Warning', reason: string, action: string, rawMessage: string): EventOutcome {
    const nowMs = this.#now();
    const message = truncateMessage(rawMessage);
    const st = this.#state(pod, nowMs);
    const ns = pod.metadata?.namespace ?? 'default';
    const last = st.last;
    if (last !== undefined && last.reason === reason && last.message === message) {
      last.count++;
      last.lastIso = isoSeconds(nowMs);
      last.dirty = true;
      if (last.created) this.#dirty.add({ ns, s: last });
      return this.#outcome('aggregated');
    }
    if (st.tokens < 1) return this.#outcome('dropped');
    st.tokens--;
    const podName = pod.metadata?.name ?? '';
    const nanos = BigInt(nowMs) * 1_000_000n + BigInt(this.#seq++ % 1_000_000);
    const s: Series = { name: `${podName}.${nanos.toString(16)}`, reason, message, count: 1,
      lastIso: isoSeconds(nowMs), created: false, dirty: false };
    st.last = s;
    const ev: Event = {
      apiVersion: 'v1', kind: 'Event', metadata: { name: s.name, namespace: ns },
      involvedObject: { kind: 'Pod', apiVersion: 'v1', namespace: ns, name: podName, uid: pod.metadata?.uid ?? '',
        resourceVersion: pod.metadata?.resourceVersion ?? '' },
      reason, message, type, action, count: 1, firstTimestamp: s.lastIso, lastTimestamp: s.lastIso,
      source: { component: this.#o.component }, reportingComponent: this.#o.component,
      reportingInstance: this.#o.instance,
    };
    const queued = this.#o.writes.push(async () => {
      try {
        await this.#o.client.create<Event>(EVENTS, ns, ev);
      } catch (e) {
        this.#outcome('failed');
        throw e;
      }
      s.created = true;
      if (s.dirty) this.#dirty.add({ ns, s });
    });
    return this.#outcome(queued ? 'created' : 'dropped');
  }

  /** Patches the count of every aggregated event (the caller's timer, EVENT_SERIES_FLUSH_MS). */
  flush(): void {
    const batch = [...this.#dirty];
    this.#dirty.clear();
    const seen = new Set<Series>();
    for (const { ns, s } of batch) {
      if (seen.has(s) || !s.dirty) continue;
      seen.add(s);
      s.dirty = false;
      const patch = { count: s.count, lastTimestamp: s.lastIso };
      this.#o.writes.push(async () => {
        await this.#o.client.patch<Event>(EVENTS, ns, s.name, 'merge', patch);
      });
    }
  }

  /** The pod is gone: forget its event state. */
  forget(pod: Pod): void {
    this.#pods.delete(`${pod.metadata?.namespace ?? ''}/${pod.metadata?.name ?? ''}`);
  }

  #outcome(o: EventOutcome): EventOutcome {
    this.#o.onOutcome?.(o);
    return o;
  }
}
