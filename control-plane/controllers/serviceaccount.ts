// ServiceAccounts controller (kube pkg/controller/serviceaccount): every active namespace has a
// `default` ServiceAccount; it is recreated if deleted.
import type { Namespace, ServiceAccount } from '../api/index.js';
import { isAlreadyExists, isTombstone } from '../client/index.js';
import { QueueController } from './controller.js';
import { R, type ControllerContext, type Informer } from './types.js';

export const DEFAULT_SERVICE_ACCOUNTS = ['default'];

export class ServiceAccountController extends QueueController {
  readonly #namespaces: Informer<Namespace>;
  readonly #accounts: Informer<ServiceAccount>;

  constructor(ctx: ControllerContext) {
    super('serviceaccount', ctx);
    this.#namespaces = ctx.informers.informer<Namespace>(R.namespaces);
    this.#accounts = ctx.informers.informer<ServiceAccount>(R.serviceAccounts);
    this.#namespaces.addEventHandler({
      onAdd: (ns) => this.enqueue(ns.metadata?.name ?? ''),
      onUpdate: (_o, ns) => this.enqueue(ns.metadata?.name ?? ''),
    });
    this.#accounts.addEventHandler({
      onDelete: (sa) => this.enqueue((isTombstone(sa) ? sa.obj : sa).metadata?.namespace ?? ''),
    });
  }

  protected override initialKeys(): Iterable<string> {
    return this.#namespaces.store.listKeys();
  }

  async sync(name: string): Promise<void> {
    const ns = this.#namespaces.store.getByName('', name);
    if (ns === undefined || ns.metadata?.deletionTimestamp !== undefined || ns.status?.phase === 'Terminating') return;
    for (const sa of DEFAULT_SERVICE_ACCOUNTS) {
      if (this.#accounts.store.getByName(name, sa) !== undefined) continue;
      try {
        await this.ctx.client.create<ServiceAccount>(R.serviceAccounts, name, { apiVersion: 'v1', kind: 'ServiceAccount',
          metadata: { name: sa, namespace: name } });
      } catch (e) {
        if (!isAlreadyExists(e)) throw e;
      }
    }
  }
}
