// Protobuf wire-format reading over one buffer: varints, tags, length-delimited ranges, skipping.
// Every failure is a ProtobufDecodeError naming the byte offset; nothing reads past `end`.

import { ProtobufDecodeError } from './errors.js';

export const WIRE_VARINT = 0;
export const WIRE_FIXED64 = 1;
export const WIRE_BYTES = 2;
export const WIRE_START_GROUP = 3;
export const WIRE_END_GROUP = 4;
export const WIRE_FIXED32 = 5;

/** A varint: a number while exact (below 2^49), a bigint beyond. */
export type Varint = number | bigint;

export class WireReader {
  readonly buf: Uint8Array;
  pos: number;
  readonly end: number;

  constructor(buf: Uint8Array, start: number, end: number) {
    this.buf = buf;
    this.pos = start;
    this.end = end;
  }

  get done(): boolean { return this.pos >= this.end; }

  varint(): Varint {
    let n = 0;
    let shift = 0;
    const start = this.pos;
    while (shift < 49) {
      const b = this.byte(start);
      n += (b & 0x7f) * 2 ** shift;
      if (b < 0x80) return n;
      shift += 7;
    }
    let big = BigInt(n);
    for (let i = 7; i < 10; i++) {
      const b = this.byte(start);
      big |= BigInt(b & 0x7f) << BigInt(7 * i);
      if (b < 0x80) return BigInt.asUintN(64, big);
    }
    throw new ProtobufDecodeError(`integer overflow: varint at byte ${start} is longer than 10 bytes`);
  }

  /** A field tag: [field number, wire type]. */
  tag(): [number, number] {
    const at = this.pos;
    const v = this.varint();
    if (typeof v === 'bigint' || v > 0xffffffff) throw new ProtobufDecodeError(`invalid field tag at byte ${at}`);
    const field = Math.floor(v / 8);
    const wire = v % 8;
    if (field === 0) throw new ProtobufDecodeError(`illegal tag 0 (wire type ${wire}) at byte ${at}`);
    return [field, wire];
  }

  /** The [start, end) range of a length-delimited value. */
  bytesRange(): [number, number] {
    const at = this.pos;
    const len = this.varint();
    if (typeof len === 'bigint' || len > this.end - this.pos) {
      throw new ProtobufDecodeError(`truncated message: length-delimited field at byte ${at} runs past the end`);
    }
    const start = this.pos;
    this.pos += len;
    return [start, this.pos];
  }

  /** Skips one value of the given wire type; groups nest at most `maxDepth` deep. */
  skip(wire: number, maxDepth: number): void {
    let depth = 0;
    let w = wire;
    for (;;) {
      switch (w) {
        case WIRE_VARINT: this.varint(); break;
        case WIRE_FIXED64: this.advance(8); break;
        case WIRE_BYTES: this.bytesRange(); break;
        case WIRE_FIXED32: this.advance(4); break;
        case WIRE_START_GROUP:
          if (++depth > maxDepth) throw new ProtobufDecodeError(`groups nested deeper than ${maxDepth}`);
          break;
        case WIRE_END_GROUP:
          if (depth === 0) throw new ProtobufDecodeError(`unexpected end group at byte ${this.pos}`);
          depth--;
          break;
        default: throw new ProtobufDecodeError(`illegal wire type ${w} at byte ${this.pos}`);
      }
      if (depth === 0) return;
      w = this.tag()[1];
    }
  }

  private advance(n: number): void {
    if (n > this.end - this.pos) throw new ProtobufDecodeError(`truncated message: fixed-width value at byte ${this.pos}`);
    this.pos += n;
  }

  private byte(start: number): number {
    if (this.pos >= this.end) throw new ProtobufDecodeError(`truncated message: varint at byte ${start} is cut off`);
    return this.buf[this.pos++] as number;
  }
}

/** Varint → Go int32 (the low 32 bits, signed). */
export function toInt32(v: Varint): number {
  return typeof v === 'bigint' ? Number(BigInt.asIntN(32, v)) : v | 0;
}

/** Varint → Go int64, as a JS number; refuses values a number cannot hold exactly. */
export function toInt64(v: Varint, path: string): number {
  if (typeof v === 'number') return v;
  const s = BigInt.asIntN(64, v);
  if (s > BigInt(Number.MAX_SAFE_INTEGER) || s < BigInt(Number.MIN_SAFE_INTEGER)) {
    throw new ProtobufDecodeError(`${path}: int64 value ${s} is outside the range this server can represent exactly`);
  }
  return Number(s);
}
