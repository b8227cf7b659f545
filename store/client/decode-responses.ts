// Direct decoders for the store's hottest answers (RangeResponse, TxnResponse, WatchResponse),
// producing exactly what @grpc/proto-loader's deserializer does with store/api/proto.ts's options
// (keepCase, int64 as decimal strings, defaults, oneof names). protobufjs decodes every int64 into
// a Long and then prints it in decimal with Long division, eight times per watched event: a few
// percent of the apiserver's CPU. Here varints up to 2^53 become strings straight from numbers;
// larger ones (lease and member IDs) go through BigInt. Field numbers are those of
// store/api/proto/{etcdserverpb/rpc.proto, mvccpb/kv.proto}; the tests compare with proto-loader.

type Raw = Record<string, unknown>;

const WIRE_VARINT = 0;
const WIRE_FIXED64 = 1;
const WIRE_LENGTH = 2;
const WIRE_FIXED32 = 5;
const TWO_POW_32 = 2 ** 32;
/** Above this high word a varint no longer fits a double exactly. */
const SAFE_HIGH_WORD = 0x200000;

export class ProtoDecodeError extends Error {
  readonly code = 'FLOTILLA_ERR_PROTO_DECODE';
}

class Reader {
  pos = 0;
  constructor(readonly buf: Buffer, readonly end: number) {}

  /** A varint as its low and high 32-bit words (unsigned). */
  #varint(): [number, number] {
    let lo = 0;
    let hi = 0;
    for (let shift = 0; shift < 70; shift += 7) {
      if (this.pos >= this.end) throw new ProtoDecodeError('truncated varint');
      const b = this.buf[this.pos++]!;
      const bits = b & 0x7f;
      if (shift < 28) lo |= bits << shift;
      else if (shift === 28) {
        lo |= (bits & 0x0f) << 28;
        hi |= bits >>> 4;
      } else hi |= bits << (shift - 32);
      if (b < 0x80) return [lo >>> 0, hi >>> 0];
    }
    throw new ProtoDecodeError('varint longer than 10 bytes');
  }

  uint32(): number {
    return this.#varint()[0];
  }

  bool(): boolean {
    const [lo, hi] = this.#varint();
    return lo !== 0 || hi !== 0;
  }

  /** int64 (signed) or uint64 as a decimal string, as protobufjs prints it with longs: String. */
  int64(signed: boolean): string {
    const [lo, hi] = this.#varint();
    if (hi < SAFE_HIGH_WORD) return String(hi * TWO_POW_32 + lo);
    const big = (BigInt(hi) << 32n) | BigInt(lo);
    return (signed ? BigInt.asIntN(64, big) : big).toString();
  }

  bytes(): Buffer {
    const len = this.uint32();
    const start = this.pos;
    if (start + len > this.end) throw new ProtoDecodeError('truncated length-delimited field');
    this.pos += len;
    return this.buf.subarray(start, start + len);
  }

  string(): string {
    return this.bytes().toString('utf8');
  }

  /** A nested message's reader over its bytes. */
  sub(): Reader {
    const len = this.uint32();
    if (this.pos + len > this.end) throw new ProtoDecodeError('truncated message');
    const r = new Reader(this.buf, this.pos + len);
    r.pos = this.pos;
    this.pos += len;
    return r;
  }

  skip(wire: number): void {
    if (wire === WIRE_VARINT) this.#varint();
    else if (wire === WIRE_FIXED64) this.pos += 8;
    else if (wire === WIRE_LENGTH) this.bytes();
    else if (wire === WIRE_FIXED32) this.pos += 4;
    else throw new ProtoDecodeError(`unsupported wire type ${wire}`);
    if (this.pos > this.end) throw new ProtoDecodeError('truncated field');
  }

  /** Calls field(number, wire) for each field until the end. */
  fields(field: (n: number, wire: number) => void): void {
    while (this.pos < this.end) {
      const tag = this.uint32();
      field(tag >>> 3, tag & 7);
    }
  }
}

function header(r: Reader): Raw {
  const h: Raw = { cluster_id: '0', member_id: '0', revision: '0', raft_term: '0' };
  r.fields((n, w) => {
    if (n === 1 && w === WIRE_VARINT) h['cluster_id'] = r.int64(false);
    else if (n === 2 && w === WIRE_VARINT) h['member_id'] = r.int64(false);
    else if (n === 3 && w === WIRE_VARINT) h['revision'] = r.int64(true);
    else if (n === 4 && w === WIRE_VARINT) h['raft_term'] = r.int64(false);
    else r.skip(w);
  });
  return h;
}

function keyValue(r: Reader): Raw {
  const kv: Raw = { key: Buffer.alloc(0), create_revision: '0', mod_revision: '0', version: '0', value: Buffer.alloc(0),
    lease: '0' };
  r.fields((n, w) => {
    if (n === 1 && w === WIRE_LENGTH) kv['key'] = r.bytes();
    else if (n === 2 && w === WIRE_VARINT) kv['create_revision'] = r.int64(true);
    else if (n === 3 && w === WIRE_VARINT) kv['mod_revision'] = r.int64(true);
    else if (n === 4 && w === WIRE_VARINT) kv['version'] = r.int64(true);
    else if (n === 5 && w === WIRE_LENGTH) kv['value'] = r.bytes();
    else if (n === 6 && w === WIRE_VARINT) kv['lease'] = r.int64(true);
    else r.skip(w);
  });
  return kv;
}

function event(r: Reader): Raw {
  const e: Raw = { type: 0, kv: null, prev_kv: null };
  r.fields((n, w) => {
    if (n === 1 && w === WIRE_VARINT) e['type'] = r.uint32() | 0;
    else if (n === 2 && w === WIRE_LENGTH) e['kv'] = keyValue(r.sub());
    else if (n === 3 && w === WIRE_LENGTH) e['prev_kv'] = keyValue(r.sub());
    else r.skip(w);
  });
  return e;
}

function rangeResponse(r: Reader): Raw {
  const kvs: Raw[] = [];
  const out: Raw = { kvs, header: null, more: false, count: '0' };
  r.fields((n, w) => {
    if (n === 1 && w === WIRE_LENGTH) out['header'] = header(r.sub());
    else if (n === 2 && w === WIRE_LENGTH) kvs.push(keyValue(r.sub()));
    else if (n === 3 && w === WIRE_VARINT) out['more'] = r.bool();
    else if (n === 4 && w === WIRE_VARINT) out['count'] = r.int64(true);
    else r.skip(w);
  });
  return out;
}

function putResponse(r: Reader): Raw {
  const out: Raw = { header: null, prev_kv: null };
  r.fields((n, w) => {
    if (n === 1 && w === WIRE_LENGTH) out['header'] = header(r.sub());
    else if (n === 2 && w === WIRE_LENGTH) out['prev_kv'] = keyValue(r.sub());
    else r.skip(w);
  });
  return out;
}

function deleteRangeResponse(r: Reader): Raw {
  const prevKvs: Raw[] = [];
  const out: Raw = { prev_kvs: prevKvs, header: null, deleted: '0' };
  r.fields((n, w) => {
    if (n === 1 && w === WIRE_LENGTH) out['header'] = header(r.sub());
    else if (n === 2 && w === WIRE_VARINT) out['deleted'] = r.int64(true);
    else if (n === 3 && w === WIRE_LENGTH) prevKvs.push(keyValue(r.sub()));
    else r.skip(w);
  });
  return out;
}

const OP_NAMES = ['', 'response_range', 'response_put', 'response_delete_range', 'response_txn'] as const;

function responseOp(r: Reader): Raw {
  // Only the oneof member last on the wire is kept, with its name in `response` (protobufjs' oneofs).
  let name: string | undefined;
  let value: Raw | undefined;
  r.fields((n, w) => {
    if (n >= 1 && n <= 4 && w === WIRE_LENGTH) {
      const sub = r.sub();
      name = OP_NAMES[n];
      value = n === 1 ? rangeResponse(sub) : n === 2 ? putResponse(sub) : n === 3 ? deleteRangeResponse(sub)
        : txnResponse(sub);
    } else {
      r.skip(w);
    }
  });
  return name === undefined ? {} : { [name]: value, response: name };
}

function txnResponse(r: Reader): Raw {
  const responses: Raw[] = [];
  const out: Raw = { responses, header: null, succeeded: false };
  r.fields((n, w) => {
    if (n === 1 && w === WIRE_LENGTH) out['header'] = header(r.sub());
    else if (n === 2 && w === WIRE_VARINT) out['succeeded'] = r.bool();
    else if (n === 3 && w === WIRE_LENGTH) responses.push(responseOp(r.sub()));
    else r.skip(w);
  });
  return out;
}

function watchResponse(r: Reader): Raw {
  const events: Raw[] = [];
  const out: Raw = { events, header: null, watch_id: '0', created: false, canceled: false, compact_revision: '0',
    cancel_reason: '', fragment: false };
  r.fields((n, w) => {
    if (n === 1 && w === WIRE_LENGTH) out['header'] = header(r.sub());
    else if (n === 2 && w === WIRE_VARINT) out['watch_id'] = r.int64(true);
    else if (n === 3 && w === WIRE_VARINT) out['created'] = r.bool();
    else if (n === 4 && w === WIRE_VARINT) out['canceled'] = r.bool();
    else if (n === 5 && w === WIRE_VARINT) out['compact_revision'] = r.int64(true);
    else if (n === 6 && w === WIRE_LENGTH) out['cancel_reason'] = r.string();
    else if (n === 7 && w === WIRE_VARINT) out['fragment'] = r.bool();
    else if (n === 11 && w === WIRE_LENGTH) events.push(event(r.sub()));
    else r.skip(w);
  });
  return out;
}

const reader = (b: Buffer): Reader => new Reader(b, b.length);

export const decodeRangeResponse = (b: Buffer): Raw => rangeResponse(reader(b));
export const decodeTxnResponse = (b: Buffer): Raw => txnResponse(reader(b));
export const decodeWatchResponse = (b: Buffer): Raw => watchResponse(reader(b));
