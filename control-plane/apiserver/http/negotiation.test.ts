import assert from 'node:assert/strict';
import { test } from 'node:test';
import { negotiate } from './negotiation.js';

test("kubectl's Accept header gets a Table; plain JSON otherwise; unknown types are 406", () => {
  const kubectl = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json';
  assert.deepEqual(negotiate(kubectl), { encoding: 'json', table: true, metadataOnly: false });
  assert.deepEqual(negotiate(undefined), { encoding: 'json', table: false, metadataOnly: false });
  assert.deepEqual(negotiate('application/vnd.kubernetes.protobuf, application/json'),
    { encoding: 'json', table: false, metadataOnly: false });
  assert.equal(negotiate('application/vnd.flotilla.msgpack')?.encoding, 'msgpack');
  assert.equal(negotiate('application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io')?.metadataOnly, true);
  assert.equal(negotiate('text/html'), undefined);
  assert.equal(negotiate('application/json;as=Table;g=other.io'), undefined);
});
