// The Maintenance service (etcd v3rpc maintenance.go). Status reports "etcdserver: no
// leader" and active alarms in `errors` as etcd does. Snapshot streams the backend's
// snapshot inside the envelope of snapshot-file.ts, in 32 KiB blobs with remaining_bytes
// counting down, then one last message whose blob is the SHA-256 of everything sent (etcd
// appends it for restore's integrity check; etcdctl insists on finding it).

import { createHash } from 'node:crypto';
import type { ServerWritableStream, UntypedServiceImplementation } from '@grpc/grpc-js';
import { AlarmType, type BackendSnapshot } from '../backend.js';
import { long, str, type WireLong } from '../codec.js';
import { EtcdErrors, toServiceError, type EtcdApiError } from '../errors.js';
import { SNAPSHOT_CHUNK_BYTES } from '../limits.js';
import { envelopeChunks, envelopeSizeBytes } from '../snapshot-file.js';
import { checkRequestSize, failure, header, unary, type OpenStream, type ServiceContext } from './common.js';

/** Re-cut a byte stream into pieces of exactly `size` bytes (the last may be shorter). */
export async function* rechunk(chunks: AsyncIterable<Uint8Array>, size: number): AsyncGenerator<Uint8Array> {
  let buf = new Uint8Array(size);
  let fill = 0;
  for await (const chunk of chunks) {
    let at = 0;
    while (at < chunk.length) {
      const n = Math.min(size - fill, chunk.length - at);
      buf.set(chunk.subarray(at, at + n), fill);
      fill += n;
      at += n;
      if (fill === size) {
        yield buf;
        buf = new Uint8Array(size);
        fill = 0;
      }
    }
  }
  if (fill > 0) yield buf.subarray(0, fill);
}

class SnapshotSession implements OpenStream {
  #ended = false;

  constructor(
    readonly ctx: ServiceContext,
    readonly call: ServerWritableStream<object, object>,
  ) {
    const stop = (): void => {
      this.#ended = true;
    };
    call.on('cancelled', stop);
    call.on('close', stop);
    call.on('error', stop);
  }

  abort(err: EtcdApiError): void {
    if (this.#ended) return;
    this.#ended = true;
    this.call.emit('error', toServiceError(err));
  }

  async serve(): Promise<void> {
    const refused = this.ctx.tracker.addStream('snapshot', this);
    if (refused !== null) {
      this.abort(refused);
      return;
    }
    try {
      const snap = await this.ctx.backend.snapshot();
      await this.#send(snap);
    } catch (err) {
      if (!this.#ended) {
        this.#ended = true;
        this.call.emit('error', failure(this.ctx, 'Snapshot', err));
      }
    } finally {
      this.ctx.tracker.removeStream('snapshot', this);
    }
  }

  async #send(snap: BackendSnapshot): Promise<void> {
    const sha = createHash('sha256');
    const total = envelopeSizeBytes(snap.sizeBytes);
    const bytes = envelopeChunks(snap.chunks, snap.sizeBytes, snap.version);
    let sent = 0n;
    let first = true;
    for await (const blob of rechunk(bytes, SNAPSHOT_CHUNK_BYTES)) {
      if (this.#ended) return;
      sent += BigInt(blob.length);
      sha.update(blob);
      const msg: Record<string, unknown> = { remaining_bytes: str(total - sent), blob, version: snap.version };
      if (first) msg['header'] = header(this.ctx, snap.revision);
      first = false;
      if (!this.call.write(msg)) await this.#drained();
    }
    if (this.#ended) return;
    if (sent !== total) throw new Error(`snapshot stream of ${sent} bytes, ${total} announced`);
    const last: Record<string, unknown> = { remaining_bytes: '0', blob: sha.digest(), version: snap.version };
    if (first) last['header'] = header(this.ctx, snap.revision);
    this.call.write(last);
    this.#ended = true;
    this.call.end();
  }

  #drained(): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        this.call.off('drain', done);
        this.call.off('close', done);
        this.call.off('cancelled', done);
        resolve();
      };
      this.call.on('drain', done);
      this.call.on('close', done);
      this.call.on('cancelled', done);
    });
  }
}

/** etcd prints an alarm in Status.errors as its protobuf text form. */
function alarmText(memberId: bigint, alarm: AlarmType): string {
  return `memberID:${memberId} alarm:${AlarmType[alarm] ?? String(alarm)} `;
}

export function maintenanceService(ctx: ServiceContext): UntypedServiceImplementation {
  const b = ctx.backend;
  return {
    Alarm: unary<{ action?: number; memberID?: WireLong; alarm?: number }>(ctx, 'Alarm', async (w) => {
      checkRequestSize(w);
      const r = await b.alarm({ action: w.action ?? 0, memberId: long(w.memberID), alarm: w.alarm ?? 0 });
      return {
        header: header(ctx, r.revision),
        alarms: r.alarms.map((a) => ({ memberID: str(a.memberId), alarm: a.alarm })),
      };
    }),
    Status: unary<object>(ctx, 'Status', async () => {
      const s = await b.status();
      const errors: string[] = [];
      if (s.leader === 0n) errors.push(EtcdErrors.noLeader.message);
      for (const a of s.alarms) errors.push(alarmText(a.memberId, a.alarm));
      return {
        header: header(ctx, s.revision), version: s.version, dbSize: str(s.dbSizeBytes), leader: str(s.leader),
        raftIndex: str(s.raftIndex), raftTerm: str(s.raftTerm), raftAppliedIndex: str(s.raftAppliedIndex), errors,
        dbSizeInUse: str(s.dbSizeInUseBytes), isLearner: s.isLearner, storageVersion: s.storageVersion,
        dbSizeQuota: str(s.dbSizeQuotaBytes), downgradeInfo: { enabled: false, targetVersion: '' },
      };
    }),
    Defragment: unary<object>(ctx, 'Defragment', async () => ({ header: header(ctx, (await b.defragment()).revision) })),
    Hash: unary<object>(ctx, 'Hash', async () => {
      const r = await b.hash();
      return { header: header(ctx, r.revision), hash: r.hash };
    }),
    HashKV: unary<{ revision?: WireLong }>(ctx, 'HashKV', async (w) => {
      const r = await b.hashKV(long(w.revision));
      return {
        header: header(ctx, r.revision), hash: r.hash, compact_revision: str(r.compactRevision),
        hash_revision: str(r.hashRevision),
      };
    }),
    MoveLeader: unary<{ targetID?: WireLong }>(ctx, 'MoveLeader', async (w) =>
      ({ header: header(ctx, (await b.moveLeader(long(w.targetID))).revision) })),
    Downgrade: unary<{ action?: number; version?: string }>(ctx, 'Downgrade', async (w) => {
      const r = await b.downgrade({ action: w.action ?? 0, version: w.version ?? '' });
      return { header: header(ctx, r.revision), version: r.version };
    }),
    Snapshot: (call: ServerWritableStream<object, object>) => void new SnapshotSession(ctx, call).serve(),
  };
}
