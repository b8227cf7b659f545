// Request bodies in Kubernetes' protobuf encoding (`application/vnd.kubernetes.protobuf`), as
// client-go's typed clients send them (kubectl create ..., drain's evictions), turned into the
// JSON object Kubernetes itself would produce for the same body. The wire format
// (k8s.io/apimachinery/pkg/runtime/serializer/protobuf): the 4 bytes "k8s\0", then a
// runtime.Unknown {1: typeMeta {1: apiVersion, 2: kind}, 2: raw, 3: contentEncoding,
// 4: contentType}, where raw is the object encoded with its generated.proto message.

import type { JsonObject } from '../../api/json.js';
import { decodeMessage, type DecodeContext } from './convert.js';
import { ProtobufDecodeError } from './errors.js';
import { PROTOBUF_LIMITS } from './limits.js';
import { KINDS, MESSAGES, supportedKinds } from './proto/registry.js';
import { WIRE_BYTES, WireReader } from './wire.js';

export { ProtobufDecodeError } from './errors.js';

export const KUBERNETES_PROTOBUF = 'application/vnd.kubernetes.protobuf';

/** "k8s\0": every Kubernetes protobuf document starts with it. */
export const KUBERNETES_PROTOBUF_MAGIC = Uint8Array.of(0x6b, 0x38, 0x73, 0x00);

export interface DecodedObject {
  apiVersion: string;
  kind: string;
  /** The object as Kubernetes' JSON, `kind` and `apiVersion` first. */
  object: Record<string, unknown>;
}

export interface DecodedObjectDetails extends DecodedObject {
  /** Fields present on the wire that our descriptors do not know (skipped), at most maxUnknownFieldNotes. */
  unknownFields: string[];
  unknownFieldCount: number;
}

interface Envelope { apiVersion: string; kind: string; raw: [number, number] | undefined }

function str(buf: Uint8Array, [s, e]: [number, number]): string {
  return Buffer.from(buf.buffer, buf.byteOffset + s, e - s).toString('utf8');
}

/** The runtime.Unknown wrapper; unknown fields in it are skipped. */
function readEnvelope(buf: Uint8Array): Envelope {
  const env: Envelope = { apiVersion: '', kind: '', raw: undefined };
  let contentEncoding = '';
  let contentType = '';
  const r = new WireReader(buf, KUBERNETES_PROTOBUF_MAGIC.length, buf.length);
  while (!r.done) {
    const [id, wire] = r.tag();
    if (id >= 1 && id <= 4 && wire !== WIRE_BYTES) {
      throw new ProtobufDecodeError(`runtime.Unknown: wrong wire type ${wire} for field ${id}`);
    }
    if (id === 1) {
      const tm = new WireReader(buf, ...r.bytesRange());
      while (!tm.done) {
        const [tid, twire] = tm.tag();
        if ((tid === 1 || tid === 2) && twire === WIRE_BYTES) {
          const v = str(buf, tm.bytesRange());
          if (tid === 1) env.apiVersion = v; else env.kind = v;
        } else {
          tm.skip(twire, PROTOBUF_LIMITS.maxNestingDepth);
        }
      }
    } else if (id === 2) {
      env.raw = r.bytesRange();
    } else if (id === 3) {
      contentEncoding = str(buf, r.bytesRange());
    } else if (id === 4) {
      contentType = str(buf, r.bytesRange());
    } else {
      r.skip(wire, PROTOBUF_LIMITS.maxNestingDepth);
    }
  }
  if (contentEncoding !== '') {
    throw new ProtobufDecodeError(`content encoding ${JSON.stringify(contentEncoding)} is not supported`);
  }
  if (contentType !== '' && contentType !== KUBERNETES_PROTOBUF) {
    throw new ProtobufDecodeError(`raw content type ${JSON.stringify(contentType)} is not ${KUBERNETES_PROTOBUF}`);
  }
  return env;
}

function checkMagic(body: Uint8Array): void {
  if (body.length > PROTOBUF_LIMITS.maxBodyBytes) {
    throw new ProtobufDecodeError(`body of ${body.length} bytes is over the ${PROTOBUF_LIMITS.maxBodyBytes}-byte limit`);
  }
  const magic = KUBERNETES_PROTOBUF_MAGIC;
  const ok = body.length >= magic.length && magic.every((b, i) => body[i] === b);
  if (!ok) {
    throw new ProtobufDecodeError('bad magic: a Kubernetes protobuf body starts with the 4 bytes "k8s\\x00" ' +
      '(6b 38 73 00)');
  }
}

/** Decodes a body and also reports the fields it skipped (the apiserver may warn about them). */
export function decodeKubernetesProtobufDetailed(body: Uint8Array): DecodedObjectDetails {
  checkMagic(body);
  const env = readEnvelope(body);
  const messageName = KINDS.get(env.apiVersion)?.get(env.kind);
  if (messageName === undefined) {
    throw new ProtobufDecodeError(`unknown kind ${JSON.stringify(env.kind)} in version ` +
      `${JSON.stringify(env.apiVersion)}: protobuf bodies are decoded for ${supportedKinds()}; ` +
      'send other kinds as JSON');
  }
  const desc = MESSAGES.get(messageName);
  if (desc === undefined) throw new Error(`no descriptor for message ${messageName}`);
  const ctx: DecodeContext = { buf: body, unknownFields: [], unknownFieldCount: 0 };
  const fields = decodeMessage(ctx, env.raw === undefined ? [] : [env.raw], desc, '', 0);
  const object: JsonObject = { kind: env.kind, apiVersion: env.apiVersion };
  for (const [k, v] of Object.entries(fields)) {
    Object.defineProperty(object, k, { value: v, writable: true, enumerable: true, configurable: true });
  }
  return { apiVersion: env.apiVersion, kind: env.kind, object, unknownFields: ctx.unknownFields,
    unknownFieldCount: ctx.unknownFieldCount };
}

/**
 * A Kubernetes protobuf request body → `{apiVersion, kind, object}` with the object in Kubernetes'
 * JSON form. Throws ProtobufDecodeError (code FLOTILLA_ERR_PROTOBUF) when the body is not one.
 */
export function decodeKubernetesProtobuf(body: Buffer): DecodedObject {
  const d = decodeKubernetesProtobufDetailed(body);
  return { apiVersion: d.apiVersion, kind: d.kind, object: d.object };
}
