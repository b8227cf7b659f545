// The cluster's member registry, part of the replicated state: built from the conf change
// entries (bootstrap ones included) and member attribute publications, saved in snapshots.
// Member IDs are etcd-style 64-bit numbers; the Raft core knows a member by the same ID as
// 16 hex digits.
import { createHash } from 'node:crypto';
import type * as api from '../api/backend.js';

export interface MemberRecord {
  id: bigint;
  name: string;
  peerUrls: string[];
  clientUrls: string[];
  isLearner: boolean;
}

export function raftId(memberId: bigint): string {
  return memberId.toString(16).padStart(16, '0');
}

export function memberIdOf(raft: string): bigint {
  return BigInt(`0x${raft}`);
}

function first8Bytes(hash: Buffer): bigint {
  return hash.readBigUInt64BE(0);
}

/** As etcd: a member's ID hashes its sorted peer URLs and the cluster token (plus a time for added members). */
export function computeMemberId(peerUrls: string[], clusterToken: string, addedAtMs?: number): bigint {
  const h = createHash('sha1').update([...peerUrls].sort().join('')).update(clusterToken);
  if (addedAtMs !== undefined) h.update(String(addedAtMs));
  const id = first8Bytes(h.digest());
  return id === 0n ? 1n : id;
}

/** As etcd: the cluster ID hashes the sorted initial member IDs. */
export function computeClusterId(memberIds: bigint[]): bigint {
  const h = createHash('sha1');
  for (const id of [...memberIds].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))) {
    const b = Buffer.alloc(8);
    b.writeBigUInt64BE(id);
    h.update(b);
  }
  return first8Bytes(h.digest());
}

export class MemberRegistry {
  readonly #members = new Map<bigint, MemberRecord>();

  get(id: bigint): MemberRecord | undefined {
    return this.#members.get(id);
  }

  all(): MemberRecord[] {
    return [...this.#members.values()].sort((a, b) => (a.id < b.id ? -1 : 1));
  }

  upsert(m: MemberRecord): void {
    const old = this.#members.get(m.id);
    this.#members.set(m.id, { ...m, name: m.name || old?.name || '', clientUrls: m.clientUrls.length ? m.clientUrls : old?.clientUrls ?? [] });
  }

  remove(id: bigint): void {
    this.#members.delete(id);
  }

  /** False when no such member is registered. */
  setPeerUrls(id: bigint, peerUrls: string[]): boolean {
    const m = this.#members.get(id);
    if (m) this.#members.set(id, { ...m, peerUrls: [...peerUrls] });
    return m !== undefined;
  }

  setAttributes(id: bigint, name: string, clientUrls: string[]): void {
    const m = this.#members.get(id);
    if (m) this.#members.set(id, { ...m, name, clientUrls: [...clientUrls] });
  }

  toApi(): api.Member[] {
    return this.all().map((m) => ({ ...m, peerUrls: [...m.peerUrls], clientUrls: [...m.clientUrls] }));
  }

  toState(): MemberRecord[] {
    return this.all();
  }

  restore(records: MemberRecord[]): void {
    this.#members.clear();
    for (const r of records) this.#members.set(BigInt(r.id), { ...r, id: BigInt(r.id) });
  }
}
