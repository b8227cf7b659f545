// The real InformerSource and ControllerClient behind the controllers:
// - InformerFactory: one SharedInformer per resource (client-go's SharedInformerFactory), each with
//   the standard indexers; they start with the process and keep running while we stand by, so a
//   takeover needs no re-list.
// - LeaderGatedClient: the ApiClient, fenced by the current leadership term. Every call carries the
//   term's AbortSignal (in-flight requests are cut when leadership is lost) and a write attempted
//   with no live term is refused locally (NotLeaderError) and never reaches the server.
import type { Namespace, ResourceInfo, Status } from '../api/index.js';
import {
  resourcePath, SharedInformer, type ApiClient, type DeleteCallOptions, type KubeObject, type ListOptions,
  type PatchType, type RequestOptions, type WriteOptions,
} from '../client/index.js';
import { NotLeaderError } from './errors.js';
import { R, standardIndexers, type ControllerClient, type Informer, type InformerSource, type Log } from './types.js';
import { errorMessage } from './util.js';

export class InformerFactory implements InformerSource {
  readonly #informers = new Map<string, SharedInformer<KubeObject>>();
  #started = false;

  constructor(private readonly client: ApiClient, private readonly log: Log) {}

  informer<T extends KubeObject>(r: ResourceInfo): Informer<T> {
    const key = `${r.group}/${r.plural}`;
    let inf = this.#informers.get(key);
    if (inf === undefined) {
      inf = new SharedInformer<KubeObject>(this.client, r, {
        indexers: standardIndexers(r),
        onError: (e) => this.log.warn({ resource: key, err: errorMessage(e) }, 'informer: list/watch failed; retrying'),
      });
      this.#informers.set(key, inf);
      if (this.#started) inf.start();
    }
    return inf as unknown as Informer<T>;
  }

  all(): SharedInformer<KubeObject>[] {
    return [...this.#informers.values()];
  }

  start(): void {
    this.#started = true;
    for (const inf of this.#informers.values()) inf.start();
  }

  async waitForSync(signal: AbortSignal): Promise<boolean> {
    const results = await Promise.all(this.all().map((i) => i.waitForSync(signal)));
    return results.every(Boolean);
  }

  async stop(): Promise<void> {
    await Promise.all(this.all().map((i) => i.stop()));
  }
}

export class LeaderGatedClient implements ControllerClient {
  #term: AbortSignal | undefined;

  constructor(private readonly api: ApiClient) {}

  setTerm(signal: AbortSignal | undefined): void {
    this.#term = signal;
  }

  #signal(what: string, write: boolean): AbortSignal | undefined {
    const t = this.#term;
    if (write && (t === undefined || t.aborted)) throw new NotLeaderError(what);
    return t;
  }

  #o<O extends RequestOptions>(o: O | undefined, what: string, write: boolean): O {
    const signal = this.#signal(what, write);
    return { ...(o ?? {}), ...(signal !== undefined ? { signal } : {}) } as O;
  }

  get<T extends KubeObject>(r: ResourceInfo, ns: string, name: string, o?: RequestOptions): Promise<T> {
    return this.api.get<T>(r, ns, name, this.#o(o, `get ${r.plural}`, false));
  }

  listAll<T extends KubeObject>(r: ResourceInfo, o?: ListOptions): Promise<{ items: T[]; resourceVersion: string }> {
    return this.api.listAll<T>(r, this.#o(o, `list ${r.plural}`, false));
  }

  async create<T extends KubeObject>(r: ResourceInfo, ns: string, obj: T, o?: WriteOptions): Promise<T> {
    return this.api.create<T>(r, ns, obj, this.#o(o, `create ${r.plural}`, true));
  }

  async update<T extends KubeObject>(r: ResourceInfo, ns: string, obj: T, o?: WriteOptions): Promise<T> {
    return this.api.update<T>(r, ns, obj, this.#o(o, `update ${r.plural}`, true));
  }

  async updateStatus<T extends KubeObject>(r: ResourceInfo, ns: string, obj: T, o?: WriteOptions): Promise<T> {
    return this.api.updateStatus<T>(r, ns, obj, this.#o(o, `update ${r.plural}/status`, true));
  }

  async patch<T extends KubeObject>(r: ResourceInfo, ns: string, name: string, type: PatchType, patch: unknown,
    o?: WriteOptions & { subresource?: 'status' | 'scale' }): Promise<T> {
    return this.api.patch<T>(r, ns, name, type, patch, this.#o(o, `patch ${r.plural}`, true));
  }

  async delete<T extends KubeObject>(r: ResourceInfo, ns: string, name: string, o?: DeleteCallOptions):
    Promise<T | Status> {
    return this.api.delete<T>(r, ns, name, this.#o(o, `delete ${r.plural}`, true));
  }

  async finalizeNamespace(ns: Namespace, o?: RequestOptions): Promise<Namespace> {
    const req = this.#o(o, 'finalize namespace', true);
    return this.api.requestJson<Namespace>({ method: 'PUT', path: resourcePath(R.namespaces, '', ns.metadata?.name ?? '',
      'finalize'), body: ns, req });
  }
}
