// Snapshots travel as a stream of frames on the peer's ordinary connection: a header (the
// Snap message without its data, and the total size), chunks of raw bytes, and a trailer
// with the CRC-32 of all bytes. Chunks take turns with batch frames, so heartbeats keep
// flowing while a large snapshot is on the wire (a follower that stops hearing from its
// leader for an election timeout would start an election). The receiver delivers the Snap
// to its core only when every byte arrived and the CRC matches, then acknowledges; the
// sender reports the acknowledgement as the snapshot's status (etcd reports success after
// the receiver processed it, too).
import { crc32 } from 'node:zlib';
import type { Message } from '../raft/types.js';
import { encodeSnapChunk, encodeSnapHeader, encodeSnapTrailer } from './codec.js';
import { TransportProtocolError } from './errors.js';

/** Produces the frames of one outbound snapshot stream, one at a time. */
export class SnapshotSendCursor {
  readonly streamId: number;
  readonly message: Message;
  readonly totalBytes: number;
  readonly #data: Uint8Array;
  readonly #chunkBytes: number;
  readonly #corrupt: ((chunkIndex: number) => boolean) | undefined;
  #offset = 0;
  #chunkIndex = 0;
  #crc = 0;
  #phase: 'header' | 'chunks' | 'trailer' | 'done' = 'header';

  constructor(streamId: number, message: Message, chunkBytes: number, corrupt?: (chunkIndex: number) => boolean) {
    if (message.snapshot === undefined) throw new Error('transport invariant broken: snapshot stream of a message without one');
    this.streamId = streamId;
    this.message = message;
    this.#data = message.snapshot.data;
    this.totalBytes = this.#data.byteLength;
    this.#chunkBytes = chunkBytes;
    this.#corrupt = corrupt;
  }

  /** Header, trailer and every chunk have been produced. */
  get done(): boolean {
    return this.#phase === 'done';
  }

  get chunksSent(): number {
    return this.#chunkIndex;
  }

  /** The next frame to write, or undefined when the trailer has been produced. */
  next(): Buffer | undefined {
    switch (this.#phase) {
      case 'header':
        this.#phase = this.totalBytes > 0 ? 'chunks' : 'trailer';
        return encodeSnapHeader(this.streamId, this.message, this.totalBytes);
      case 'chunks': {
        const end = Math.min(this.#offset + this.#chunkBytes, this.totalBytes);
        // A view: the snapshot is not copied until the frame is built.
        const chunk = this.#data.subarray(this.#offset, end);
        this.#crc = crc32(chunk, this.#crc);
        const frame = encodeSnapChunk(this.streamId, chunk);
        if (this.#corrupt?.(this.#chunkIndex) === true) {
          // Test hook: damage the bytes after the CRC saw them, as a faulty link or NIC would.
          const at = frame.length - 1;
          frame[at] = (frame[at] ?? 0) ^ 0xff;
        }
        this.#offset = end;
        this.#chunkIndex++;
        if (this.#offset >= this.totalBytes) this.#phase = 'trailer';
        return frame;
      }
      case 'trailer':
        this.#phase = 'done';
        return encodeSnapTrailer(this.streamId, this.totalBytes, this.#crc);
      case 'done':
        return undefined;
    }
  }
}

/** Streams being reassembled across all inbound connections; bounds the receiver's memory. */
export interface ReceiveSlots {
  active: number;
  readonly max: number;
}

export type TrailerOutcome =
  | { ok: true; message: Message }
  | { ok: false; reason: string }
  | { ok: 'ignored' };

/** Reassembles the snapshot streams of one inbound connection (at most one at a time). */
export class SnapshotAssembler {
  readonly #maxBytes: number;
  readonly #slots: ReceiveSlots;
  #active: { streamId: number; message: Message; buffer: Uint8Array; received: number; crc: number; chunks: number }
    | undefined;
  /** A stream refused at its header: its in-flight chunks and trailer are ignored, not errors. */
  #refusedStreamId: number | undefined;

  constructor(maxBytes: number, slots: ReceiveSlots) {
    this.#maxBytes = maxBytes;
    this.#slots = slots;
  }

  /** Start a stream; a refusal (too large, too many at once) is a reason for a negative ack. */
  header(streamId: number, message: Message, totalBytes: number): { ok: true } | { ok: false; reason: string } {
    if (this.#active !== undefined) {
      throw new TransportProtocolError(`snapshot stream ${streamId} started while stream ${this.#active.streamId} is open`);
    }
    this.#refusedStreamId = undefined;
    if (totalBytes > this.#maxBytes) {
      this.#refusedStreamId = streamId;
      return { ok: false, reason: `snapshot of ${totalBytes} bytes exceeds snapshotMaxBytes (${this.#maxBytes})` };
    }
    if (this.#slots.active >= this.#slots.max) {
      this.#refusedStreamId = streamId;
      return { ok: false, reason: `already receiving ${this.#slots.active} snapshots (the most allowed); retry later` };
    }
    this.#slots.active++;
    // Allocated once at the declared size (bounded above), so every chunk is copied exactly once.
    this.#active = { streamId, message, buffer: new Uint8Array(totalBytes), received: 0, crc: 0, chunks: 0 };
    return { ok: true };
  }

  /** Refuse a stream at its header for the caller's own reason: its chunks and trailer will be ignored. */
  refuse(streamId: number): void {
    if (this.#active !== undefined) {
      throw new TransportProtocolError(`snapshot stream ${streamId} started while stream ${this.#active.streamId} is open`);
    }
    this.#refusedStreamId = streamId;
  }

  /** Append a chunk; returns its index, or -1 when it belongs to a refused stream. */
  chunk(streamId: number, bytes: Uint8Array): number {
    if (streamId === this.#refusedStreamId) return -1;
    const a = this.#active;
    if (a === undefined || a.streamId !== streamId) {
      throw new TransportProtocolError(`snapshot chunk for stream ${streamId}, which is not open`);
    }
    if (a.received + bytes.byteLength > a.buffer.byteLength) {
      throw new TransportProtocolError(`snapshot stream ${streamId} sent more than its declared ${a.buffer.byteLength} bytes`);
    }
    a.buffer.set(bytes, a.received);
    a.received += bytes.byteLength;
    // CRC as chunks arrive: the cost is spread over the stream instead of one long pause at the end.
    a.crc = crc32(bytes, a.crc);
    return a.chunks++;
  }

  trailer(streamId: number, totalBytes: number, crc: number): TrailerOutcome {
    if (streamId === this.#refusedStreamId) {
      this.#refusedStreamId = undefined;
      return { ok: 'ignored' };
    }
    const a = this.#active;
    if (a === undefined || a.streamId !== streamId) {
      throw new TransportProtocolError(`snapshot trailer for stream ${streamId}, which is not open`);
    }
    this.abort();
    if (totalBytes !== a.buffer.byteLength || a.received !== a.buffer.byteLength) {
      return { ok: false, reason: `length mismatch: header said ${a.buffer.byteLength}, trailer ${totalBytes}, got ${a.received}` };
    }
    if (crc !== a.crc) return { ok: false, reason: `CRC mismatch: trailer ${crc}, computed ${a.crc}` };
    const snapshot = a.message.snapshot;
    if (snapshot === undefined) throw new Error('transport invariant broken: snapshot header without a snapshot');
    return { ok: true, message: { ...a.message, snapshot: { metadata: snapshot.metadata, data: a.buffer } } };
  }

  /** Forget any open stream and give back its slot (connection closed, or stream finished). */
  abort(): void {
    if (this.#active !== undefined) {
      this.#active = undefined;
      this.#slots.active--;
    }
  }
}
