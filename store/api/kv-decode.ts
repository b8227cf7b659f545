// The KV requests that carry writes (Put, Txn) and reads (Range), from bytes straight to the
// objects proto-loader would have produced (keepCase, defaults, oneofs, 64-bit values as
// decimal strings, enums as numbers, bytes as Buffers viewing the request). Each went
// through protobufjs decode (Messages, a Long per 64-bit field) and then toObject (a second
// object tree, and a Long built and printed for every unset 64-bit field: six per
// RangeRequest, four per Compare): garbage per call.
//
// Only the plain case is decoded here: each known field with its own wire type, at most one
// member of a oneof and no repeated singular message, nothing truncated or overlong. Anything
// else goes to protobufjs (`fallback`), so odd but valid messages decode the same and
// malformed ones fail with its errors, as before.

/** Field tags, (field number << 3) | wire type: 0 varint, 2 length-delimited. */
const Put = { Key: 0x0a, Value: 0x12, Lease: 0x18, PrevKv: 0x20, IgnoreValue: 0x28, IgnoreLease: 0x30 } as const;
const Range = {
  Key: 0x0a, RangeEnd: 0x12, Limit: 0x18, Revision: 0x20, SortOrder: 0x28, SortTarget: 0x30, Serializable: 0x38,
  KeysOnly: 0x40, CountOnly: 0x48, MinMod: 0x50, MaxMod: 0x58, MinCreate: 0x60, MaxCreate: 0x68,
} as const;
const Delete = { Key: 0x0a, RangeEnd: 0x12, PrevKv: 0x18 } as const;
const Cmp = {
  Result: 0x08, Target: 0x10, Key: 0x1a, Version: 0x20, CreateRevision: 0x28, ModRevision: 0x30, Value: 0x3a,
  Lease: 0x40, RangeEnd: (64 << 3) | 2,
} as const;
const Op = { Range: 0x0a, Put: 0x12, DeleteRange: 0x1a, Txn: 0x22 } as const;
const Txn = { Compare: 0x0a, Success: 0x12, Failure: 0x1a } as const;

const EMPTY = Buffer.alloc(0);

/** Varints read without bigint: tags, lengths, bools, enums. Longer ones make the message odd. */
const MAX_SMALL_VARINT_BYTES = 4;
/** Varints of up to 7 bytes (49 bits) are exact as numbers. */
const MAX_NUMBER_VARINT_BYTES = 7;
/** An int64 varint is at most 10 bytes; the 10th carries only bit 63. */
const MAX_INT64_VARINT_BYTES = 10;

type Obj = Record<string, unknown>;

class Reader {
  pos = 0;
  /** Set when the message is not the plain case; the caller then falls back. */
  odd = false;
  constructor(readonly buf: Buffer) {}

  /** A varint below 2^28. */
  small(): number {
    const buf = this.buf;
    let v = 0;
    for (let i = 0; i < MAX_SMALL_VARINT_BYTES && this.pos < buf.length; i++) {
      const b = buf[this.pos++]!;
      v += (b & 0x7f) * 2 ** (7 * i);
      if (b < 0x80) return v;
    }
    this.odd = true;
    return 0;
  }

  /** An int64 as proto-loader's decimal string (two's complement: negatives are 10 bytes). */
  int64(): string {
    // Revisions and versions fit in a few bytes: read those with numbers, no bigint.
    const buf = this.buf;
    const start = this.pos;
    let n = 0;
    for (let i = 0; i < MAX_NUMBER_VARINT_BYTES && this.pos < buf.length; i++) {
      const b = buf[this.pos++]!;
      n += (b & 0x7f) * 2 ** (7 * i);
      if (b < 0x80) return String(n);
    }
    this.pos = start;
    return this.bigInt64();
  }

  bigInt64(): string {
    const buf = this.buf;
    let v = 0n;
    for (let i = 0; i < MAX_INT64_VARINT_BYTES && this.pos < buf.length; i++) {
      const b = buf[this.pos++]!;
      if (i === MAX_INT64_VARINT_BYTES - 1 && b > 1) break;
      v |= BigInt(b & 0x7f) << BigInt(7 * i);
      if (b < 0x80) return BigInt.asIntN(64, v).toString();
    }
    this.odd = true;
    return '0';
  }

  /** The end of a length-delimited field that must lie within `end`. */
  end(end: number): number {
    const len = this.small();
    if (this.odd || this.pos + len > end) {
      this.odd = true;
      return this.pos;
    }
    return this.pos + len;
  }

  bytes(end: number): Buffer {
    const to = this.end(end);
    const out = to === this.pos ? EMPTY : this.buf.subarray(this.pos, to);
    this.pos = to;
    return out;
  }

  bool(): boolean {
    return this.small() !== 0;
  }
}

function putRequest(r: Reader, end: number): Obj {
  const out: Obj = { key: EMPTY, value: EMPTY, lease: '0', prev_kv: false, ignore_value: false, ignore_lease: false };
  while (r.pos < end && !r.odd) {
    switch (r.small()) {
      case Put.Key: out['key'] = r.bytes(end); break;
      case Put.Value: out['value'] = r.bytes(end); break;
      case Put.Lease: out['lease'] = r.int64(); break;
      case Put.PrevKv: out['prev_kv'] = r.bool(); break;
      case Put.IgnoreValue: out['ignore_value'] = r.bool(); break;
      case Put.IgnoreLease: out['ignore_lease'] = r.bool(); break;
      default: r.odd = true;
    }
  }
  return out;
}

/** Recursion (a txn in a txn) is as deep as the client's message, which protobufjs recursed through too. */
function rangeRequest(r: Reader, end: number): Obj {
  const out: Obj = {
    key: EMPTY, range_end: EMPTY, limit: '0', revision: '0', sort_order: 0, sort_target: 0, serializable: false,
    keys_only: false, count_only: false, min_mod_revision: '0', max_mod_revision: '0', min_create_revision: '0',
    max_create_revision: '0',
  };
  while (r.pos < end && !r.odd) {
    switch (r.small()) {
      case Range.Key: out['key'] = r.bytes(end); break;
      case Range.RangeEnd: out['range_end'] = r.bytes(end); break;
      case Range.Limit: out['limit'] = r.int64(); break;
      case Range.Revision: out['revision'] = r.int64(); break;
      case Range.SortOrder: out['sort_order'] = r.small(); break;
      case Range.SortTarget: out['sort_target'] = r.small(); break;
      case Range.Serializable: out['serializable'] = r.bool(); break;
      case Range.KeysOnly: out['keys_only'] = r.bool(); break;
      case Range.CountOnly: out['count_only'] = r.bool(); break;
      case Range.MinMod: out['min_mod_revision'] = r.int64(); break;
      case Range.MaxMod: out['max_mod_revision'] = r.int64(); break;
      case Range.MinCreate: out['min_create_revision'] = r.int64(); break;
      case Range.MaxCreate: out['max_create_revision'] = r.int64(); break;
      default: r.odd = true;
    }
  }
  return out;
}

function deleteRangeRequest(r: Reader, end: number): Obj {
  const out: Obj = { key: EMPTY, range_end: EMPTY, prev_kv: false };
  while (r.pos < end && !r.odd) {
    switch (r.small()) {
      case Delete.Key: out['key'] = r.bytes(end); break;
      case Delete.RangeEnd: out['range_end'] = r.bytes(end); break;
      case Delete.PrevKv: out['prev_kv'] = r.bool(); break;
      default: r.odd = true;
    }
  }
  return out;
}

/** Compare's target_union: one member, named in `target_union` (proto-loader's oneofs option). */
function compare(r: Reader, end: number): Obj {
  const out: Obj = { result: 0, target: 0, key: EMPTY, range_end: EMPTY };
  let union: string | undefined;
  const member = (name: string, v: unknown): void => {
    if (union !== undefined && union !== name) r.odd = true;
    union = name;
    out[name] = v;
  };
  while (r.pos < end && !r.odd) {
    switch (r.small()) {
      case Cmp.Result: out['result'] = r.small(); break;
      case Cmp.Target: out['target'] = r.small(); break;
      case Cmp.Key: out['key'] = r.bytes(end); break;
      case Cmp.RangeEnd: out['range_end'] = r.bytes(end); break;
      case Cmp.Version: member('version', r.int64()); break;
      case Cmp.CreateRevision: member('create_revision', r.int64()); break;
      case Cmp.ModRevision: member('mod_revision', r.int64()); break;
      case Cmp.Value: member('value', r.bytes(end)); break;
      case Cmp.Lease: member('lease', r.int64()); break;
      default: r.odd = true;
    }
  }
  if (union !== undefined) out['target_union'] = union;
  return out;
}

/** A nested message of `end`'s message, which must end exactly where its length says. */
function nested(r: Reader, end: number, decode: (r: Reader, end: number) => Obj): Obj {
  const to = r.end(end);
  const out = decode(r, to);
  if (r.pos !== to) r.odd = true;
  return out;
}

/** RequestOp's oneof: exactly one member, named in `request`. */
function requestOp(r: Reader, end: number): Obj {
  const out: Obj = {};
  while (r.pos < end && !r.odd) {
    if (out['request'] !== undefined) {
      r.odd = true;
      break;
    }
    switch (r.small()) {
      case Op.Range: out['request_range'] = nested(r, end, rangeRequest); out['request'] = 'request_range'; break;
      case Op.Put: out['request_put'] = nested(r, end, putRequest); out['request'] = 'request_put'; break;
      case Op.DeleteRange:
        out['request_delete_range'] = nested(r, end, deleteRangeRequest);
        out['request'] = 'request_delete_range';
        break;
      case Op.Txn: out['request_txn'] = nested(r, end, txnRequest); out['request'] = 'request_txn'; break;
      default: r.odd = true;
    }
  }
  return out;
}

function txnRequest(r: Reader, end: number): Obj {
  const cmp: Obj[] = [];
  const success: Obj[] = [];
  const failure: Obj[] = [];
  while (r.pos < end && !r.odd) {
    switch (r.small()) {
      case Txn.Compare: cmp.push(nested(r, end, compare)); break;
      case Txn.Success: success.push(nested(r, end, requestOp)); break;
      case Txn.Failure: failure.push(nested(r, end, requestOp)); break;
      default: r.odd = true;
    }
  }
  return { compare: cmp, success, failure };
}

type Decoder = (buf: Buffer, fallback: (buf: Buffer) => object) => object;

function decoder(decode: (r: Reader, end: number) => Obj): Decoder {
  return (buf, fallback) => {
    const r = new Reader(buf);
    let out: Obj;
    try {
      out = decode(r, buf.length);
    } catch {
      return fallback(buf); // (a stack overflow on absurd nesting): protobufjs's answer, whatever it is
    }
    return r.odd ? fallback(buf) : out;
  };
}

export const decodePutRequest = decoder(putRequest);
export const decodeRangeRequest = decoder(rangeRequest);
export const decodeDeleteRangeRequest = decoder(deleteRangeRequest);
export const decodeTxnRequest = decoder(txnRequest);
