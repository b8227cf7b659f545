// A recorded list+watch of one resource in the workload's namespace: the first list, then every
// watch event as it arrives, a re-watch from the last resourceVersion when the stream breaks
// (an apiserver killed under it), and a fresh list when that version is gone (410). Unlike an
// informer's Replace, a re-list is recorded as one snapshot, so the checkers never judge a
// half-applied re-list. Times are ms since the run began (the runner's clock).
import type { ResourceInfo } from '../../control-plane/api/index.js';
import { type ApiClient, isTooOld } from '../../control-plane/client/index.js';
import type { KubeObject } from '../../control-plane/client/index.js';
import type { Observation } from './history.js';
import { CP_LIMITS } from './limits.js';

export class ResourceRecorder<K extends KubeObject, T> {
  readonly observations: Observation<T>[] = [];
  relists = 0;
  rewatches = 0;
  dropped = 0;
  #rv = '';
  #stop = new AbortController();
  #watch: { close(): void } | undefined;
  #loop: Promise<void> | undefined;

  constructor(private readonly api: ApiClient, private readonly resource: ResourceInfo,
    private readonly namespace: string,
    private readonly view: (o: K) => T, private readonly now: () => number) {}

  start(): Promise<void> {
    let first: () => void = () => undefined;
    const listed = new Promise<void>((r) => (first = r));
    this.#loop = this.#run(first);
    return listed;
  }

  #push(o: Observation<T>): void {
    if (this.observations.length >= CP_LIMITS.observationsMax) this.dropped++;
    else this.observations.push(o);
  }

  async #list(): Promise<void> {
    const l = await this.api.listAll<K>(this.resource, { namespace: this.namespace, signal: this.#stop.signal });
    this.#push({ t: this.now(), kind: 'list', items: l.items.map(this.view) });
    this.#rv = l.resourceVersion;
  }

  async #run(listed: () => void): Promise<void> {
    let needList = true;
    while (!this.#stop.signal.aborted) {
      try {
        if (needList) {
          await this.#list();
          listed();
          needList = false;
        }
        const w = this.api.watch<K>(this.resource, { namespace: this.namespace, resourceVersion: this.#rv,
          allowWatchBookmarks: true, timeoutSeconds: 300, signal: this.#stop.signal });
        this.#watch = w;
        for await (const ev of w) {
          if (ev.type === 'ADDED' || ev.type === 'MODIFIED' || ev.type === 'DELETED') {
            this.#push({ t: this.now(), kind: 'event', type: ev.type, object: this.view(ev.object) });
          }
          const rv = ev.object.metadata?.resourceVersion;
          if (rv) this.#rv = rv;
        }
        this.rewatches++;
      } catch (e) {
        if (this.#stop.signal.aborted) break;
        if (isTooOld(e)) {
          needList = true;
          this.relists++;
          continue;
        }
        this.rewatches++;
        await new Promise((r) => setTimeout(r, 200));
      } finally {
        this.#watch?.close();
        this.#watch = undefined;
      }
    }
  }

  async stop(): Promise<void> {
    this.#stop.abort();
    this.#watch?.close();
    await this.#loop?.catch(() => undefined);
  }
}
