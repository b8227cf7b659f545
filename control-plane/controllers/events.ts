// core/v1 Events, as client-go's record.EventRecorder writes them: name "<object>.<hex nanoseconds>",
// in the object's namespace ("default" for cluster-scoped objects), source.component set, and a
// repeat of the same (object, type, reason, message) within the cache bumps `count` and
// `lastTimestamp` of the existing Event instead of creating another (the EventCorrelator's
// aggregation, simplified: no similar-message folding, no spam filter). Writes are fire-and-forget.
import type { Event, ResourceInfo } from '../api/index.js';
import { apiVersionOf } from '../api/index.js';
import { isNotFound, type KubeObject } from '../client/index.js';
import { EVENT_CACHE_ENTRIES_MAX, EVENT_MESSAGE_CHARS_MAX, EVENT_WRITES_IN_FLIGHT_MAX } from './limits.js';
import { R, type Clock, type ControllerClient, type EventSink, type Log } from './types.js';
import { errorMessage, isoSeconds } from './util.js';

interface Series {
  namespace: string;
  name: string;
  count: number;
}

export class EventRecorder {
  readonly #series = new Map<string, Series>();
  #inFlight = 0;
  #seq = 0;
  /** Writes dropped because too many were in flight. */
  dropped = 0;

  constructor(private readonly client: ControllerClient, private readonly clock: Clock, private readonly log: Log,
    private readonly host = '') {}

  forComponent(component: string): EventSink {
    return { event: (r, obj, type, reason, message) => this.record(component, r, obj, type, reason, message) };
  }

  /** Resolves when every write started so far has finished (tests). */
  async flush(): Promise<void> {
    while (this.#inFlight > 0) await new Promise((r) => setTimeout(r, 5));
  }

  record(component: string, r: ResourceInfo, obj: KubeObject, type: 'Normal' | 'Warning', reason: string,
    message: string): void {
    if (this.#inFlight >= EVENT_WRITES_IN_FLIGHT_MAX) { this.dropped++; return; }
    const m = obj.metadata ?? {};
    const msg = message.length > EVENT_MESSAGE_CHARS_MAX ? message.slice(0, EVENT_MESSAGE_CHARS_MAX) : message;
    const key = [component, m.uid, m.namespace, m.name, type, reason, msg].join('\u0000');
    this.#inFlight++;
    this.#write(key, component, r, obj, type, reason, msg)
      .catch((e: unknown) => this.log.warn({ err: errorMessage(e), reason, object: m.name }, 'event not recorded'))
      .finally(() => { this.#inFlight--; });
  }

  async #write(key: string, component: string, r: ResourceInfo, obj: KubeObject, type: string, reason: string,
    message: string): Promise<void> {
    const now = isoSeconds(this.clock.nowMs());
    const prior = this.#series.get(key);
    if (prior !== undefined) {
      prior.count++;
      try {
        await this.client.patch(R.events, prior.namespace, prior.name, 'merge', { count: prior.count, lastTimestamp: now });
        return;
      } catch (e) {
        if (!isNotFound(e)) throw e;
        this.#series.delete(key);
      }
    }
    const m = obj.metadata ?? {};
    const namespace = r.namespaced ? m.namespace ?? 'default' : 'default';
    // kube names events "<object name>.<UnixNano as hex>"; a sequence number keeps two in one ms apart.
    const nanos = BigInt(this.clock.nowMs()) * 1_000_000n + BigInt(this.#seq++ % 1_000_000);
    const ev: Event = {
      apiVersion: 'v1', kind: 'Event',
      metadata: { name: `${m.name ?? 'unknown'}.${nanos.toString(16)}`, namespace },
      involvedObject: {
        kind: r.kind, apiVersion: apiVersionOf(r), name: m.name, uid: m.uid, resourceVersion: m.resourceVersion,
        ...(r.namespaced ? { namespace: m.namespace } : {}),
      },
      reason, message, type, count: 1, firstTimestamp: now, lastTimestamp: now,
      source: { component, ...(this.host !== '' ? { host: this.host } : {}) },
      reportingComponent: component, reportingInstance: this.host,
    };
    const created = await this.client.create<Event>(R.events, namespace, ev);
    if (this.#series.size >= EVENT_CACHE_ENTRIES_MAX) {
      const oldest = this.#series.keys().next().value;
      if (oldest !== undefined) this.#series.delete(oldest);
    }
    this.#series.set(key, { namespace, name: created.metadata?.name ?? ev.metadata!.name!, count: 1 });
  }
}
