// Hand-built protobuf bodies (encoded with protobufjs' Writer) → the JSON Kubernetes would write;
// and every refusal a ProtobufDecodeError with a message that says what was wrong.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import protobuf from 'protobufjs';
import {
  decodeKubernetesProtobuf, decodeKubernetesProtobufDetailed, KUBERNETES_PROTOBUF_MAGIC, ProtobufDecodeError,
} from './decode.js';
import { PROTOBUF_LIMITS } from './limits.js';

type Build = (w: protobuf.Writer) => void;

function msg(build: Build): Uint8Array {
  const w = protobuf.Writer.create();
  build(w);
  return w.finish();
}

/** Tag of a length-delimited field n, and of a varint field n. */
const lenTag = (n: number): number => n * 8 + 2;
const varTag = (n: number): number => n * 8;

function sub(w: protobuf.Writer, field: number, build: Build): void { w.uint32(lenTag(field)).bytes(msg(build)); }
function s(w: protobuf.Writer, field: number, v: string): void { w.uint32(lenTag(field)).string(v); }
function mapEntry(w: protobuf.Writer, field: number, key: string, value: string): void {
  sub(w, field, (e) => { s(e, 1, key); s(e, 2, value); });
}

function rawBody(apiVersion: string, kind: string, raw: Uint8Array): Buffer {
  const unknown = msg((w) => {
    sub(w, 1, (tm) => { s(tm, 1, apiVersion); s(tm, 2, kind); });
    w.uint32(lenTag(2)).bytes(raw);
  });
  return Buffer.concat([KUBERNETES_PROTOBUF_MAGIC, unknown]);
}

function body(apiVersion: string, kind: string, raw: Build): Buffer { return rawBody(apiVersion, kind, msg(raw)); }

function throwsDecode(fn: () => unknown, re: RegExp): void {
  assert.throws(fn, (e: unknown) => e instanceof ProtobufDecodeError && e.code === 'FLOTILLA_ERR_PROTOBUF' &&
    re.test(e.message));
}

describe('decodeKubernetesProtobuf: objects', () => {
  it('Eviction: pointer fields keep explicit zeros; kind and apiVersion come first', () => {
    const d = decodeKubernetesProtobuf(body('policy/v1', 'Eviction', (w) => {
      sub(w, 1, (m) => { s(m, 1, 'p1'); s(m, 3, 'default'); });
      sub(w, 2, (o) => { o.uint32(varTag(1)).int64(0); sub(o, 2, (p) => s(p, 1, 'uid-1')); s(o, 5, 'All'); });
    }));
    assert.deepEqual(Object.keys(d.object).slice(0, 2), ['kind', 'apiVersion']);
    assert.deepEqual(d.object, {
      kind: 'Eviction', apiVersion: 'policy/v1',
      metadata: { name: 'p1', namespace: 'default', creationTimestamp: null },
      deleteOptions: { gracePeriodSeconds: 0, preconditions: { uid: 'uid-1' }, dryRun: ['All'] },
    });
  });

  it('Lease: MicroTime in microseconds, Time in seconds, both RFC 3339 UTC', () => {
    const d = decodeKubernetesProtobuf(body('coordination.k8s.io/v1', 'Lease', (w) => {
      sub(w, 1, (m) => { s(m, 1, 'l'); sub(m, 8, (t) => t.uint32(varTag(1)).int64(1_700_000_000)); });
      sub(w, 2, (sp) => {
        s(sp, 1, 'me'); sp.uint32(varTag(2)).int32(0);
        sub(sp, 4, (t) => { t.uint32(varTag(1)).int64(1_700_000_000); t.uint32(varTag(2)).int32(123_456_789); });
      });
    }));
    assert.deepEqual(d.object, {
      kind: 'Lease', apiVersion: 'coordination.k8s.io/v1',
      metadata: { name: 'l', creationTimestamp: '2023-11-14T22:13:20Z' },
      spec: { holderIdentity: 'me', leaseDurationSeconds: 0, renewTime: '2023-11-14T22:13:20.123456Z' },
    });
  });

  it('Secret: bytes as base64, map keys sorted, a "__proto__" key kept as data', () => {
    const d = decodeKubernetesProtobuf(body('v1', 'Secret', (w) => {
      sub(w, 1, (m) => { s(m, 1, 's'); mapEntry(m, 12, 'z', '1'); mapEntry(m, 12, '__proto__', '2'); });
      sub(w, 2, (e) => { s(e, 1, 'bin'); e.uint32(lenTag(2)).bytes(Uint8Array.of(0, 255, 1)); });
      s(w, 3, 'Opaque');
    }));
    const meta = d.object['metadata'] as Record<string, unknown>;
    const annotations = meta['annotations'] as Record<string, unknown>;
    assert.deepEqual(Object.keys(annotations), ['__proto__', 'z']);
    assert.equal(Object.getPrototypeOf(annotations), Object.prototype);
    assert.deepEqual(d.object['data'], { bin: 'AP8B' });
    assert.equal(d.object['type'], 'Opaque');
  });

  it('Service: IntOrString as string or number, negative int32 from a 10-byte varint', () => {
    const d = decodeKubernetesProtobuf(body('v1', 'Service', (w) => {
      sub(w, 2, (sp) => {
        sub(sp, 1, (p) => { p.uint32(varTag(3)).int32(80); sub(p, 4, (io) => {
          io.uint32(varTag(1)).int64(1); s(io, 3, 'http');
        }); });
        sub(sp, 1, (p) => { p.uint32(varTag(3)).int32(-1); });
      });
    }));
    const spec = d.object['spec'] as Record<string, unknown>;
    assert.deepEqual(spec['ports'], [{ port: 80, targetPort: 'http' }, { port: -1, targetPort: 0 }]);
    assert.deepEqual(d.object['status'], { loadBalancer: {} });
  });

  it('Deployment: pointer IntOrString, a missing selector is null, quantities canonical', () => {
    const d = decodeKubernetesProtobuf(body('apps/v1', 'Deployment', (w) => {
      sub(w, 2, (sp) => {
        sub(sp, 4, (st) => { s(st, 1, 'RollingUpdate'); sub(st, 2, (ru) => sub(ru, 2, (io) => {
          io.uint32(varTag(1)).int64(1); s(io, 3, '25%');
        })); });
        sub(sp, 3, (t) => sub(t, 2, (ps) => sub(ps, 2, (c) => {
          s(c, 1, 'c'); sub(c, 8, (r) => sub(r, 1, (e) => { s(e, 1, 'memory'); sub(e, 2, (q) => s(q, 1, '1024Mi')); }));
        })));
      });
    }));
    const spec = d.object['spec'] as Record<string, unknown>;
    assert.equal(spec['selector'], null);
    assert.deepEqual(spec['strategy'], { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%' } });
    assert.deepEqual(spec['template'], { metadata: { creationTimestamp: null }, spec: {
      containers: [{ name: 'c', resources: { limits: { memory: '1Gi' } } }] } });
  });

  it('notes unknown fields (skipped, as Go does) in the detailed form', () => {
    const d = decodeKubernetesProtobufDetailed(body('v1', 'ConfigMap', (w) => {
      sub(w, 1, (m) => { s(m, 1, 'c'); s(m, 99, 'future'); });
      w.uint32(varTag(50)).uint32(7);
    }));
    assert.deepEqual(d.object, { kind: 'ConfigMap', apiVersion: 'v1', metadata: { name: 'c', creationTimestamp: null } });
    assert.equal(d.unknownFieldCount, 2);
    assert.deepEqual(d.unknownFields, ['<object>: field 50 (wire type 0) of ConfigMap',
      'metadata: field 99 (wire type 2) of ObjectMeta']);
  });
});

describe('decodeKubernetesProtobuf: refusals are ProtobufDecodeError', () => {
  const ok = body('v1', 'ConfigMap', (w) => sub(w, 1, (m) => s(m, 1, 'c')));

  it('bad magic', () => {
    throwsDecode(() => decodeKubernetesProtobuf(Buffer.from('{"kind":"ConfigMap"}')), /bad magic/);
    throwsDecode(() => decodeKubernetesProtobuf(Buffer.alloc(0)), /bad magic/);
  });

  it('unknown kind names the kind, the version and what is supported', () => {
    throwsDecode(() => decodeKubernetesProtobuf(body('networking.k8s.io/v1', 'Ingress', () => undefined)),
      /unknown kind "Ingress" in version "networking.k8s.io\/v1".*v1: ConfigMap, Secret.*apps\/v1: Deployment/);
  });

  it('truncated message (a cut between two fields is a shorter valid message, as in protobuf)', () => {
    for (let cut = 4; cut < ok.length; cut++) {
      try {
        decodeKubernetesProtobuf(ok.subarray(0, cut));
      } catch (e) {
        assert.ok(e instanceof ProtobufDecodeError, `cut at ${cut}: ${String(e)}`);
      }
    }
    throwsDecode(() => decodeKubernetesProtobuf(ok.subarray(0, ok.length - 1)), /truncated message/);
  });

  it('wrong wire types, bad quantities, bad IntOrString types, unsafe int64, oversize bodies', () => {
    throwsDecode(() => decodeKubernetesProtobuf(body('v1', 'ConfigMap', (w) => sub(w, 1, (m) => m.uint32(varTag(1)).uint32(3)))),
      /metadata\.name: wrong wire type 0/);
    throwsDecode(() => decodeKubernetesProtobuf(body('v1', 'Pod', (w) => sub(w, 2, (sp) => sub(sp, 32, (e) => {
      s(e, 1, 'cpu'); sub(e, 2, (q) => s(q, 1, 'lots'));
    })))), /spec\.overhead\["cpu"\]: quantity "lots"/);
    throwsDecode(() => decodeKubernetesProtobuf(body('v1', 'Service', (w) => sub(w, 2, (sp) => sub(sp, 1, (p) =>
      sub(p, 4, (io) => io.uint32(varTag(1)).int64(2)))))), /IntOrString type 2/);
    throwsDecode(() => decodeKubernetesProtobuf(body('v1', 'ConfigMap', (w) => sub(w, 1, (m) =>
      m.uint32(varTag(7)).int64('9007199254740993')))), /metadata\.generation: int64 value 9007199254740993/);
    throwsDecode(() => decodeKubernetesProtobuf(Buffer.alloc(PROTOBUF_LIMITS.maxBodyBytes + 1)), /over the/);
  });

  it('deeply nested groups end in an error, not a stack overflow', () => {
    const groups = Buffer.alloc(100_000, varTag(15) + 3); // 100 000 nested start-group tags
    throwsDecode(() => decodeKubernetesProtobuf(rawBody('v1', 'ConfigMap', groups)), /groups nested deeper than/);
  });
});
