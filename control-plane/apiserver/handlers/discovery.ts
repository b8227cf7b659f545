// Discovery and the other non-resource documents kubectl reads: /version, /api (APIVersions),
// /apis (APIGroupList), /apis/GROUP (APIGroup), /api/v1 and /apis/GROUP/VERSION
// (APIResourceList), /openapi/v3 and its per-group-version documents (kubectl's server-side
// field validation and `kubectl explain` depend on them). Documents are computed once.
import { createHash } from 'node:crypto';
import {
  apiResourceList, apiVersionOf, type GroupVersion, groupVersions, openApiV3Discovery, toOpenApiV3,
} from '../../api/index.js';

export const VERSION_INFO = {
  major: '1', minor: '32', gitVersion: 'v1.32.0-flotilla', gitCommit: 'flotilla', gitTreeState: 'clean',
  buildDate: '2026-12-01T00:00:00Z', goVersion: 'node' + process.versions.node, compiler: 'tsc', platform: `${process.platform}/${process.arch}`,
};

export interface Document {
  readonly body: string;
  readonly etag: string;
}

function doc(value: unknown): Document {
  const body = JSON.stringify(value);
  return { body, etag: `"${createHash('sha256').update(body).digest('hex').slice(0, 32)}"` };
}

export class DiscoveryDocuments {
  readonly #docs = new Map<string, Document>();
  readonly #openapi = new Map<string, Document>();

  constructor(serverAddress: string) {
    const gvs = groupVersions();
    this.#docs.set('/version', doc(VERSION_INFO));
    this.#docs.set('/api', doc({ kind: 'APIVersions', versions: ['v1'],
      serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }] }));
    const groups = new Map<string, GroupVersion[]>();
    for (const gv of gvs) if (gv.group !== '') groups.set(gv.group, [...(groups.get(gv.group) ?? []), gv]);
    const groupDoc = (name: string, versions: GroupVersion[]) => ({
      name, versions: versions.map((v) => ({ groupVersion: apiVersionOf(v), version: v.version })),
      preferredVersion: { groupVersion: apiVersionOf(versions[0]!), version: versions[0]!.version },
    });
    this.#docs.set('/apis', doc({ kind: 'APIGroupList', apiVersion: 'v1',
      groups: [...groups].map(([name, vs]) => groupDoc(name, vs)) }));
    for (const [name, vs] of groups) this.#docs.set(`/apis/${name}`, doc({ kind: 'APIGroup', apiVersion: 'v1', ...groupDoc(name, vs) }));
    for (const gv of gvs) {
      const path = gv.group === '' ? `/api/${gv.version}` : `/apis/${gv.group}/${gv.version}`;
      this.#docs.set(path, doc(apiResourceList(gv)));
      this.#openapi.set(`/openapi/v3${path}`, doc(toOpenApiV3(gv)));
    }
    this.#docs.set('/openapi/v3', doc(openApiV3Discovery(gvs, (gv) => {
      const path = gv.group === '' ? `/api/${gv.version}` : `/apis/${gv.group}/${gv.version}`;
      return this.#openapi.get(`/openapi/v3${path}`)!.etag.replace(/"/g, '').toUpperCase();
    })));
  }

  /** The document at a path, if there is one. */
  get(path: string): Document | undefined {
    const p = path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
    return this.#docs.get(p) ?? this.#openapi.get(p);
  }

  isOpenApi(path: string): boolean {
    return path.startsWith('/openapi/v3/');
  }
}
