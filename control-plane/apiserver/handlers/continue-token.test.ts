import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeContinue, encodeContinue } from './continue-token.js';

test('continue tokens round-trip within their collection and cannot escape it', () => {
  const token = encodeContinue(42, '/registry/pods/default/', '/registry/pods/default/web-1\0');
  assert.deepEqual(decodeContinue(token, '/registry/pods/default/'), { rv: 42, startKey: '/registry/pods/default/web-1\0' });
  const sneaky = Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv: 1, start: '../../secrets/x' })).toString('base64url');
  assert.equal((decodeContinue(sneaky, '/registry/pods/default/') as { code: number }).code, 400);
  assert.equal((decodeContinue('%%%', '/p/') as { code: number }).code, 400);
  const noRv = Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv: 0, start: 'a' })).toString('base64url');
  assert.equal((decodeContinue(noRv, '/p/') as { code: number }).code, 400);
});
