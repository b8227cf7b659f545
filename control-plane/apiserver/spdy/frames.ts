// SPDY/3.1 framing (the draft "SPDY Protocol - Draft 3.1", §2.2–2.6), just what kubectl's
// port-forward speaks: client-go's httpstream/spdy runs moby/spdystream over the connection, which
// opens streams with SYN_STREAM, waits for SYN_REPLY, moves bytes in DATA frames (FIN half-closes),
// pings every 10 s and says GOAWAY when it stops. spdystream implements no flow control (it never
// sends WINDOW_UPDATE), so neither do we: WINDOW_UPDATE and SETTINGS are parsed and ignored.
//
// Name/value header blocks are zlib-compressed with the SPDY/3 dictionary (§2.6.10.1), ONE
// compression context per direction for the whole connection: the peer's blocks may refer back to
// earlier ones, so they are inflated by one persistent zlib stream (asynchronous: node:zlib has no
// synchronous streaming API). Our own blocks are each compressed on their own and sync-flushed: the
// first one starts the zlib stream (header with the dictionary's id), the later ones are raw deflate
// blocks that refer only to themselves, which a continuing inflater accepts as the next part of the
// stream. Header blocks are tiny here, so the lost compression does not matter.
import zlib from 'node:zlib';

export const SPDY_VERSION = 3;

/** Control frame types (§2.6). 5 (NOOP) was SPDY/2's and 10 (CREDENTIAL) is unused by anyone here. */
export const FRAME_TYPE = {
  synStream: 1, synReply: 2, rstStream: 3, settings: 4, ping: 6, goAway: 7, headers: 8, windowUpdate: 9,
} as const;

export const FLAG_FIN = 0x01;
export const FLAG_UNIDIRECTIONAL = 0x02;

/** RST_STREAM status codes (§2.6.3). */
export const RST_STATUS = {
  protocolError: 1, invalidStream: 2, refusedStream: 3, unsupportedVersion: 4, cancel: 5, internalError: 6,
  flowControlError: 7, streamInUse: 8, streamAlreadyClosed: 9, frameTooLarge: 11,
} as const;

/** GOAWAY status codes (§2.6.6). */
export const GOAWAY_STATUS = { ok: 0, protocolError: 1, internalError: 2 } as const;

/** The largest length a frame header can carry (24 bits). */
export const FRAME_LENGTH_MAX = 0xff_ffff;
const FRAME_HEADER_BYTES = 8;

/** Header names → values (several values of one name are joined by NUL, as on the wire). */
export type SpdyHeaders = Map<string, string>;

export type Frame =
  | { type: 'data'; streamId: number; fin: boolean; data: Buffer }
  | { type: 'synStream'; streamId: number; associatedStreamId: number; priority: number; fin: boolean;
    unidirectional: boolean; headers: SpdyHeaders }
  | { type: 'synReply'; streamId: number; fin: boolean; headers: SpdyHeaders }
  | { type: 'rstStream'; streamId: number; status: number }
  | { type: 'settings'; clear: boolean; entries: { flags: number; id: number; value: number }[] }
  | { type: 'ping'; id: number }
  | { type: 'goAway'; lastGoodStreamId: number; status: number }
  | { type: 'headers'; streamId: number; fin: boolean; headers: SpdyHeaders }
  | { type: 'windowUpdate'; streamId: number; delta: number };

/** A frame as cut from the byte stream, not decoded yet (header blocks still compressed). */
export interface RawFrame {
  control: boolean;
  /** Control frames: the type; data frames: the stream id. */
  typeOrStream: number;
  flags: number;
  payload: Buffer;
}

/** The peer broke the protocol: the connection cannot go on (answer GOAWAY PROTOCOL_ERROR and close). */
export class SpdyProtocolError extends Error {
  readonly code = 'FLOTILLA_ERR_SPDY_PROTOCOL';
  constructor(message: string) {
    super(`SPDY protocol error: ${message}`);
    this.name = 'SpdyProtocolError';
  }
}

// The SPDY/3 header compression dictionary (§2.6.10.1): length-prefixed header names and common
// values, then a run of plain text. Built from its parts so each length prefix is right by construction.
const DICTIONARY_WORDS = [
  'options', 'head', 'post', 'put', 'delete', 'trace', 'accept', 'accept-charset', 'accept-encoding',
  'accept-language', 'accept-ranges', 'age', 'allow', 'authorization', 'cache-control', 'connection',
  'content-base', 'content-encoding', 'content-language', 'content-length', 'content-location', 'content-md5',
  'content-range', 'content-type', 'date', 'etag', 'expect', 'expires', 'from', 'host', 'if-match',
  'if-modified-since', 'if-none-match', 'if-range', 'if-unmodified-since', 'last-modified', 'location',
  'max-forwards', 'pragma', 'proxy-authenticate', 'proxy-authorization', 'range', 'referer', 'retry-after',
  'server', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'user-agent', 'vary', 'via', 'warning',
  'www-authenticate', 'method', 'get', 'status', '200 OK', 'version', 'HTTP/1.1', 'url', 'public', 'set-cookie',
  'keep-alive', 'origin',
];
const DICTIONARY_TAIL = '100101201202205206300302303304305306307402405406407408409410411412413414415416417502504' +
  '505203 Non-Authoritative Information204 No Content301 Moved Permanently400 Bad Request401 Unauthorized' +
  '403 Forbidden404 Not Found500 Internal Server Error501 Not Implemented503 Service UnavailableJan Feb Mar ' +
  'Apr May Jun Jul Aug Sept Oct Nov Dec 00:00:00 Mon, Tue, Wed, Thu, Fri, Sat, Sun, GMTchunked,text/html,' +
  'image/png,image/jpg,image/gif,application/xml,application/xhtml+xml,text/plain,text/javascript,public' +
  'privatemax-age=gzip,deflate,sdchcharset=utf-8charset=iso-8859-1,utf-,*,enq=0.';

export const SPDY_DICTIONARY: Buffer = Buffer.concat([
  ...DICTIONARY_WORDS.map((w) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(w.length);
    return Buffer.concat([len, Buffer.from(w, 'latin1')]);
  }),
  Buffer.from(DICTIONARY_TAIL, 'latin1'),
]);

/** The uncompressed name/value block (§2.6.10): count, then length-prefixed names and values. */
export function encodeHeaderBlock(headers: SpdyHeaders): Buffer {
  const parts: Buffer[] = [u32(headers.size)];
  for (const [name, value] of headers) {
    const n = Buffer.from(name.toLowerCase(), 'utf8');
    const v = Buffer.from(value, 'utf8');
    parts.push(u32(n.length), n, u32(v.length), v);
  }
  return Buffer.concat(parts);
}

/** Parses an uncompressed name/value block; names must be lowercase and unique (§2.6.10). */
export function decodeHeaderBlock(block: Buffer): SpdyHeaders {
  const headers: SpdyHeaders = new Map();
  let at = 0;
  const take = (what: string): Buffer => {
    if (at + 4 > block.length) throw new SpdyProtocolError(`header block ends inside the length of ${what}`);
    const len = block.readUInt32BE(at);
    at += 4;
    if (at + len > block.length) throw new SpdyProtocolError(`header block ends inside ${what} (${len} bytes)`);
    const b = block.subarray(at, at + len);
    at += len;
    return b;
  };
  if (block.length < 4) throw new SpdyProtocolError('header block is shorter than its pair count');
  const count = block.readUInt32BE(0);
  at = 4;
  // Each pair takes at least 8 bytes: a count beyond that is a lie, caught before any allocation.
  if (count * 8 > block.length - 4) throw new SpdyProtocolError(`header block claims ${count} pairs in ${block.length} bytes`);
  for (let i = 0; i < count; i++) {
    const name = take('a header name').toString('utf8');
    const value = take(`the value of header "${name}"`).toString('utf8');
    if (name === '') throw new SpdyProtocolError('empty header name');
    if (name !== name.toLowerCase()) throw new SpdyProtocolError(`header name "${name}" is not lowercase`);
    if (headers.has(name)) throw new SpdyProtocolError(`header "${name}" appears twice`);
    headers.set(name, value);
  }
  if (at !== block.length) throw new SpdyProtocolError(`${block.length - at} bytes follow the last header`);
  return headers;
}

/** The first value of a header (values are NUL-separated), or undefined. */
export function headerValue(headers: SpdyHeaders, name: string): string | undefined {
  return headers.get(name.toLowerCase())?.split('\0')[0];
}

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0);
  return b;
}

function controlFrame(type: number, flags: number, payload: Buffer): Buffer {
  if (payload.length > FRAME_LENGTH_MAX) throw new RangeError(`a SPDY frame carries at most ${FRAME_LENGTH_MAX} bytes`);
  const h = Buffer.alloc(FRAME_HEADER_BYTES);
  h.writeUInt16BE(0x8000 | SPDY_VERSION, 0);
  h.writeUInt16BE(type, 2);
  h.writeUInt32BE(((flags & 0xff) << 24 | payload.length) >>> 0, 4);
  return Buffer.concat([h, payload]);
}

function streamId31(id: number): number {
  if (!Number.isInteger(id) || id < 0 || id > 0x7fff_ffff) throw new RangeError(`stream id ${id} is not 31 bits`);
  return id;
}

/** Writes frames; holds the sending side's header compression state (one per connection). */
export class FrameEncoder {
  #started = false;

  #compress(headers: SpdyHeaders): Buffer {
    const block = encodeHeaderBlock(headers);
    const flush = { finishFlush: zlib.constants.Z_SYNC_FLUSH };
    if (!this.#started) {
      this.#started = true;
      return zlib.deflateSync(block, { ...flush, dictionary: SPDY_DICTIONARY });
    }
    return zlib.deflateRawSync(block, flush);
  }

  encode(f: Frame): Buffer {
    switch (f.type) {
      case 'data': {
        if (f.data.length > FRAME_LENGTH_MAX) throw new RangeError(`a DATA frame carries at most ${FRAME_LENGTH_MAX} bytes`);
        const h = Buffer.alloc(FRAME_HEADER_BYTES);
        h.writeUInt32BE(streamId31(f.streamId), 0);
        h.writeUInt32BE(((f.fin ? FLAG_FIN : 0) << 24 | f.data.length) >>> 0, 4);
        return Buffer.concat([h, f.data]);
      }
      case 'synStream': {
        const p = Buffer.alloc(10);
        p.writeUInt32BE(streamId31(f.streamId), 0);
        p.writeUInt32BE(streamId31(f.associatedStreamId), 4);
        p.writeUInt8((f.priority & 0x7) << 5, 8);
        const flags = (f.fin ? FLAG_FIN : 0) | (f.unidirectional ? FLAG_UNIDIRECTIONAL : 0);
        return controlFrame(FRAME_TYPE.synStream, flags, Buffer.concat([p, this.#compress(f.headers)]));
      }
      case 'synReply':
      case 'headers':
        return controlFrame(FRAME_TYPE[f.type], f.fin ? FLAG_FIN : 0,
          Buffer.concat([u32(streamId31(f.streamId)), this.#compress(f.headers)]));
      case 'rstStream':
        return controlFrame(FRAME_TYPE.rstStream, 0, Buffer.concat([u32(streamId31(f.streamId)), u32(f.status)]));
      case 'settings':
        return controlFrame(FRAME_TYPE.settings, f.clear ? 1 : 0, Buffer.concat([u32(f.entries.length),
          ...f.entries.map((e) => Buffer.concat([u32(((e.flags & 0xff) << 24) | (e.id & 0xff_ffff)), u32(e.value)]))]));
      case 'ping':
        return controlFrame(FRAME_TYPE.ping, 0, u32(f.id));
      case 'goAway':
        return controlFrame(FRAME_TYPE.goAway, 0, Buffer.concat([u32(streamId31(f.lastGoodStreamId)), u32(f.status)]));
      case 'windowUpdate':
        return controlFrame(FRAME_TYPE.windowUpdate, 0, Buffer.concat([u32(streamId31(f.streamId)), u32(f.delta)]));
    }
  }
}

/** The peer's header compression context: one zlib inflate stream over all its header blocks. */
class HeaderInflater {
  readonly #z = zlib.createInflate({ dictionary: SPDY_DICTIONARY });
  readonly #maxBytes: number;
  #out: Buffer[] = [];
  #bytes = 0;
  #error: Error | undefined;
  /** Blocks written and not answered yet: a zlib error never calls their flush callbacks. */
  readonly #waiting = new Set<(e: Error) => void>();

  constructor(maxBytes: number) {
    this.#maxBytes = maxBytes;
    this.#z.on('data', (b: Buffer) => {
      this.#bytes += b.length;
      if (this.#bytes > this.#maxBytes) {
        // Set now: the flush callback may run before the 'error' event.
        this.#error ??= new SpdyProtocolError(`a header block inflates to more than ${this.#maxBytes} bytes`);
        this.#z.destroy(this.#error);
      } else this.#out.push(b);
    });
    this.#z.on('error', (e: Error) => {
      this.#error ??= e instanceof SpdyProtocolError ? e : new SpdyProtocolError(`header block does not inflate: ${e.message}`);
      for (const fail of this.#waiting) fail(this.#error);
      this.#waiting.clear();
    });
  }

  /** Inflates one block; resolves in call order (zlib processes writes one after the other). */
  inflate(block: Buffer): Promise<Buffer> {
    if (this.#error !== undefined) return Promise.reject(this.#error);
    return new Promise((resolve, reject) => {
      this.#waiting.add(reject);
      this.#z.write(block);
      // The output of a write is pushed (and 'data' emitted) before the write's callback runs.
      this.#z.flush(zlib.constants.Z_SYNC_FLUSH, () => {
        this.#waiting.delete(reject);
        const out = Buffer.concat(this.#out);
        this.#out = [];
        this.#bytes = 0;
        if (this.#error !== undefined) reject(this.#error);
        else resolve(out);
      });
    });
  }

  close(): void {
    this.#z.destroy();
  }
}

export interface FrameDecoderOptions {
  /** Largest frame payload accepted; a longer one is a protocol error (the peer may not go on). */
  frameMaxBytes: number;
  /** Largest inflated header block. */
  headerBlockMaxBytes: number;
}

/** Reads frames: `push` cuts the byte stream into raw frames, `decode` turns each into a Frame. */
export class FrameDecoder {
  readonly #o: FrameDecoderOptions;
  readonly #inflater: HeaderInflater;
  #buffered: Buffer[] = [];
  #bufferedBytes = 0;

  constructor(o: FrameDecoderOptions) {
    this.#o = o;
    this.#inflater = new HeaderInflater(o.headerBlockMaxBytes);
  }

  /** Bytes received that do not make a whole frame yet. */
  get pendingBytes(): number {
    return this.#bufferedBytes;
  }

  /** The whole frames the bytes so far complete, in order. Throws SpdyProtocolError on a bad frame header. */
  push(chunk: Buffer): RawFrame[] {
    this.#buffered.push(chunk);
    this.#bufferedBytes += chunk.length;
    if (this.#bufferedBytes < FRAME_HEADER_BYTES) return [];
    let buf = this.#buffered.length === 1 ? this.#buffered[0]! : Buffer.concat(this.#buffered);
    const frames: RawFrame[] = [];
    while (buf.length >= FRAME_HEADER_BYTES) {
      const first = buf.readUInt32BE(0);
      const control = (first & 0x8000_0000) !== 0;
      const word = buf.readUInt32BE(4);
      const length = word & 0xff_ffff;
      if (control && ((first >>> 16) & 0x7fff) !== SPDY_VERSION) {
        throw new SpdyProtocolError(`control frame of version ${(first >>> 16) & 0x7fff}, only ${SPDY_VERSION} is spoken`);
      }
      if (length > this.#o.frameMaxBytes) {
        throw new SpdyProtocolError(`a frame of ${length} bytes is over the limit of ${this.#o.frameMaxBytes}`);
      }
      if (buf.length < FRAME_HEADER_BYTES + length) break;
      frames.push({ control, typeOrStream: control ? first & 0xffff : first & 0x7fff_ffff, flags: word >>> 24,
        payload: Buffer.from(buf.subarray(FRAME_HEADER_BYTES, FRAME_HEADER_BYTES + length)) });
      buf = buf.subarray(FRAME_HEADER_BYTES + length);
    }
    this.#buffered = buf.length > 0 ? [buf] : [];
    this.#bufferedBytes = buf.length;
    return frames;
  }

  /**
   * The frame a raw frame carries; undefined for control types SPDY/3.1 lets a receiver ignore.
   * Call in the order `push` returned the frames: header blocks share one inflate stream.
   */
  async decode(raw: RawFrame): Promise<Frame | undefined> {
    const p = raw.payload;
    const fin = (raw.flags & FLAG_FIN) !== 0;
    if (!raw.control) {
      if (raw.typeOrStream === 0) throw new SpdyProtocolError('DATA frame on stream 0');
      return { type: 'data', streamId: raw.typeOrStream, fin, data: p };
    }
    const need = (n: number, exact: boolean, name: string): void => {
      if (exact ? p.length !== n : p.length < n) {
        throw new SpdyProtocolError(`${name} frame of ${p.length} bytes (${exact ? '' : 'at least '}${n} expected)`);
      }
    };
    const sid = (at: number): number => p.readUInt32BE(at) & 0x7fff_ffff;
    switch (raw.typeOrStream) {
      case FRAME_TYPE.synStream: {
        need(10, false, 'SYN_STREAM');
        const headers = decodeHeaderBlock(await this.#inflater.inflate(p.subarray(10)));
        if (sid(0) === 0) throw new SpdyProtocolError('SYN_STREAM for stream 0');
        return { type: 'synStream', streamId: sid(0), associatedStreamId: sid(4), priority: p[8]! >>> 5, fin,
          unidirectional: (raw.flags & FLAG_UNIDIRECTIONAL) !== 0, headers };
      }
      case FRAME_TYPE.synReply:
      case FRAME_TYPE.headers: {
        const type = raw.typeOrStream === FRAME_TYPE.synReply ? 'synReply' : 'headers';
        need(4, false, type === 'synReply' ? 'SYN_REPLY' : 'HEADERS');
        const headers = decodeHeaderBlock(await this.#inflater.inflate(p.subarray(4)));
        return { type, streamId: sid(0), fin, headers };
      }
      case FRAME_TYPE.rstStream:
        need(8, true, 'RST_STREAM');
        return { type: 'rstStream', streamId: sid(0), status: p.readUInt32BE(4) };
      case FRAME_TYPE.settings: {
        need(4, false, 'SETTINGS');
        const n = p.readUInt32BE(0);
        need(4 + 8 * n, true, 'SETTINGS');
        const entries = Array.from({ length: n }, (_, i) => {
          const w = p.readUInt32BE(4 + 8 * i);
          return { flags: w >>> 24, id: w & 0xff_ffff, value: p.readUInt32BE(8 + 8 * i) };
        });
        return { type: 'settings', clear: (raw.flags & 1) !== 0, entries };
      }
      case FRAME_TYPE.ping:
        need(4, true, 'PING');
        return { type: 'ping', id: p.readUInt32BE(0) };
      case FRAME_TYPE.goAway:
        need(8, true, 'GOAWAY');
        return { type: 'goAway', lastGoodStreamId: sid(0), status: p.readUInt32BE(4) };
      case FRAME_TYPE.windowUpdate:
        need(8, true, 'WINDOW_UPDATE');
        return { type: 'windowUpdate', streamId: sid(0), delta: p.readUInt32BE(4) & 0x7fff_ffff };
      default:
        return undefined; // §2.2.1: unknown control frame types are ignored.
    }
  }

  close(): void {
    this.#inflater.close();
  }
}
