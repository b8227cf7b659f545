// Random bytes never crash the decoder: it returns an object or throws ProtobufDecodeError only.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { params, seed } from '../../api/testing/fc.js';
import { decodeKubernetesProtobuf, KUBERNETES_PROTOBUF_MAGIC, ProtobufDecodeError } from './decode.js';

console.log(`protobuf fuzz: FC_SEED=${seed}`);

function decodesOrRefuses(bytes: Uint8Array): void {
  try {
    const d = decodeKubernetesProtobuf(Buffer.from(bytes));
    assert.equal(typeof d.kind, 'string');
    JSON.stringify(d.object);
  } catch (e) {
    if (!(e instanceof ProtobufDecodeError)) throw e;
  }
}

/** A valid Deployment body kubectl sent (kubectl create deployment web --image=nginx --replicas=2 --port=80). */
const DEPLOYMENT = Buffer.from([
  '6b3873000a150a07617070732f7631120a4465706c6f796d656e7412c3010a1f0a0377656212001a0022002a00320038',
  '0042005a0a0a0361707012037765621291010802120c0a0a0a0361707012037765621a770a1c0a0012001a0022002a00',
  '3200380042005a0a0a036170701203776562125712390a056e67696e7812056e67696e781a05736c6565701a0231302a',
  '00320a0a001000185022002a0042006a007200800100880100900100a201001a00320042004a00520058006000680082',
  '01008a01009a0100c2010022020a00280038001a0c0800100018002000280038001a002200',
].join(''), 'hex');

describe('fuzz: the protobuf decoder never crashes', () => {
  it('random bytes, with and without the magic prefix', () => {
    fc.assert(fc.property(fc.boolean(), fc.uint8Array({ maxLength: 512 }), (magic, tail) => {
      decodesOrRefuses(magic ? Buffer.concat([KUBERNETES_PROTOBUF_MAGIC, tail]) : tail);
    }), params(2000));
  });

  it('random mutations of a valid body', () => {
    fc.assert(fc.property(fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 8 }),
      fc.nat(), (edits, cut) => {
        const b = Buffer.from(DEPLOYMENT);
        for (const [at, v] of edits) b[4 + (at % (b.length - 4))] = v;
        decodesOrRefuses(b.subarray(0, 4 + (cut % (b.length - 3))));
      }), params(3000));
  });
});
