// The apiserver's only door to the store: objects as JSON under KeyLayout keys, every write
// a compare-and-swap transaction (Kubernetes' GuaranteedUpdate: `compare mod_revision == rv`
// then put). resourceVersion is the key's mod revision; it is not stored in the value.
import type { JsonObject } from '../../api/index.js';
import { type EtcdClient, type KeyValue, prefixEnd } from '../../../store/client/client.js';

export interface StoredObject {
  readonly key: string;
  readonly object: JsonObject;
  /** The key's mod revision: the object's resourceVersion. */
  readonly rv: number;
}

/** Another key written in the same transaction (e.g. the service IP bitmap), guarded by its mod revision. */
export interface SideWrite {
  readonly key: string;
  /** null deletes the key. */
  readonly value: Buffer | null;
  /** 0: the key must not exist. */
  readonly expectModRevision: number;
}

export type WriteResult = { ok: true; rv: number } | { ok: false; current: StoredObject | undefined };

export function encodeObject(obj: JsonObject): Buffer {
  const meta = obj['metadata'] as JsonObject | undefined;
  if (meta && 'resourceVersion' in meta) {
    const { resourceVersion: _rv, ...rest } = meta;
    return Buffer.from(JSON.stringify({ ...obj, metadata: rest }), 'utf8');
  }
  return Buffer.from(JSON.stringify(obj), 'utf8');
}

/** Decodes a stored value and stamps its resourceVersion; a value that is not a JSON object throws loudly. */
export function decodeObject(key: string, value: Buffer, rv: number): JsonObject {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value.toString('utf8'));
  } catch (e) {
    throw new Error(`the value stored at ${key} (revision ${rv}) is not JSON: ${(e as Error).message}`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new Error(`the value stored at ${key} (revision ${rv}) is not a JSON object`);
  }
  const obj = parsed as JsonObject;
  const meta = obj['metadata'];
  // Freshly parsed, so ours to stamp in place (a copy of the metadata per watch event was garbage at once).
  if (meta !== null && typeof meta === 'object' && !Array.isArray(meta)) (meta as JsonObject)['resourceVersion'] = String(rv);
  else obj['metadata'] = { ...((meta ?? {}) as JsonObject), resourceVersion: String(rv) };
  return obj;
}

export function storedFromKv(kv: KeyValue): StoredObject {
  const key = kv.key.toString('utf8');
  return { key, object: decodeObject(key, kv.value, kv.modRevision), rv: kv.modRevision };
}

function sideCompares(side: readonly SideWrite[]): Record<string, unknown>[] {
  return side.map((s) => ({ target: 'MOD', result: 'EQUAL', key: Buffer.from(s.key), mod_revision: s.expectModRevision }));
}

function sideOps(side: readonly SideWrite[]): Record<string, unknown>[] {
  return side.map((s) => (s.value === null
    ? { request_delete_range: { key: Buffer.from(s.key) } }
    : { request_put: { key: Buffer.from(s.key), value: s.value } }));
}

export class ObjectStore {
  constructor(readonly client: EtcdClient) {}

  /** A linearizable read of one object. */
  async get(key: string): Promise<StoredObject | undefined> {
    const r = await this.client.get(key);
    const kv = r.kvs[0];
    return kv ? storedFromKv(kv) : undefined;
  }

  /** A raw linearizable read (for non-object keys such as allocation bitmaps). */
  async getRaw(key: string): Promise<KeyValue | undefined> {
    return (await this.client.get(key)).kvs[0];
  }

  /** The store's current revision, linearizably (a count-only range of one key). */
  async currentRevision(): Promise<number> {
    return (await this.client.get('/', { countOnly: true })).revision;
  }

  /** Creates the key only if it does not exist; `current` holds what is there when it does. */
  async create(key: string, obj: JsonObject, side: readonly SideWrite[] = []): Promise<WriteResult> {
    const k = Buffer.from(key);
    const r = await this.client.txn({
      compare: [{ target: 'CREATE', result: 'EQUAL', key: k, create_revision: 0 }, ...sideCompares(side)],
      success: [{ request_put: { key: k, value: encodeObject(obj) } }, ...sideOps(side)],
      failure: [{ request_range: { key: k } }],
    });
    if (r.succeeded) return { ok: true, rv: r.revision };
    return { ok: false, current: this.#rangeResult(r.responses) };
  }

  /** Replaces the object if its mod revision is still `expectRv`. */
  async update(key: string, obj: JsonObject, expectRv: number, side: readonly SideWrite[] = []): Promise<WriteResult> {
    const k = Buffer.from(key);
    const r = await this.client.txn({
      compare: [{ target: 'MOD', result: 'EQUAL', key: k, mod_revision: expectRv }, ...sideCompares(side)],
      success: [{ request_put: { key: k, value: encodeObject(obj) } }, ...sideOps(side)],
      failure: [{ request_range: { key: k } }],
    });
    if (r.succeeded) return { ok: true, rv: r.revision };
    return { ok: false, current: this.#rangeResult(r.responses) };
  }

  /** Deletes the object if its mod revision is still `expectRv`. */
  async delete(key: string, expectRv: number, side: readonly SideWrite[] = []): Promise<WriteResult> {
    const k = Buffer.from(key);
    const r = await this.client.txn({
      compare: [{ target: 'MOD', result: 'EQUAL', key: k, mod_revision: expectRv }, ...sideCompares(side)],
      success: [{ request_delete_range: { key: k } }, ...sideOps(side)],
      failure: [{ request_range: { key: k } }],
    });
    if (r.succeeded) return { ok: true, rv: r.revision };
    return { ok: false, current: this.#rangeResult(r.responses) };
  }

  /** One page of a prefix at a revision (0: now), from `startKey` on. */
  async listPage(prefix: string, o: { startKey?: string; revision?: number; limit: number }):
    Promise<{ items: StoredObject[]; more: boolean; revision: number }> {
    const start = Buffer.from(o.startKey ?? prefix);
    const end = prefixEnd(Buffer.from(prefix));
    const r = await this.client.get(start, { rangeEnd: end, limit: o.limit, revision: o.revision ?? 0 });
    return { items: r.kvs.map(storedFromKv), more: r.more, revision: r.revision };
  }

  #rangeResult(responses: Record<string, unknown>[]): StoredObject | undefined {
    const range = responses[0]?.['response_range'] as { kvs?: Record<string, unknown>[] } | undefined;
    const raw = range?.kvs?.[0];
    if (!raw) return undefined;
    return storedFromKv({
      key: raw['key'] as Buffer, value: raw['value'] as Buffer, createRevision: Number(raw['create_revision']),
      modRevision: Number(raw['mod_revision']), version: Number(raw['version']), lease: BigInt(raw['lease'] as string),
    });
  }
}
