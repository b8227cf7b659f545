import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Authenticator } from './authenticator.js';
import type { UserInfo } from './token-file.js';

const tokens = new Map<string, UserInfo>([
  ['good', { name: 'alice', uid: '1', groups: ['dev'] }],
  ['unauth', { name: 'weird', uid: '2', groups: ['system:unauthenticated'] }],
  ['already', { name: 'bob', uid: '3', groups: ['system:authenticated', 'ops'] }],
]);

test('a bearer token maps to its user, with system:authenticated added', () => {
  const a = new Authenticator({ tokens });
  for (const scheme of ['Bearer', 'bearer', 'BEARER', 'bEaReR']) {
    assert.deepEqual(a.authenticate({ authorization: `${scheme} good` }),
      { ok: true, user: { name: 'alice', uid: '1', groups: ['dev', 'system:authenticated'] } });
  }
  assert.deepEqual(a.authenticate({ authorization: '  Bearer good  ' }).ok, true);
  // the token file's user object is not mutated
  assert.deepEqual(tokens.get('good')?.groups, ['dev']);
});

test('system:authenticated is not added twice, nor to a user already in system:unauthenticated', () => {
  const a = new Authenticator({ tokens });
  assert.deepEqual(a.authenticate({ authorization: 'Bearer already' }),
    { ok: true, user: { name: 'bob', uid: '3', groups: ['system:authenticated', 'ops'] } });
  assert.deepEqual(a.authenticate({ authorization: 'Bearer unauth' }),
    { ok: true, user: { name: 'weird', uid: '2', groups: ['system:unauthenticated'] } });
});

test('an invalid token fails even when anonymous is enabled (FailOnError)', () => {
  for (const anonymous of [false, true]) {
    const a = new Authenticator({ tokens, anonymous });
    assert.deepEqual(a.authenticate({ authorization: 'Bearer nope' }), { ok: false, reason: 'invalid bearer token' });
    assert.deepEqual(a.authenticate({ authorization: `Bearer ${'x'.repeat(20_000)}` }).ok, false);
  }
});

test('no credentials: anonymous when enabled, a failure otherwise', () => {
  const on = new Authenticator({ tokens, anonymous: true });
  const anon = { ok: true, user: { name: 'system:anonymous', uid: '', groups: ['system:unauthenticated'] } };
  assert.deepEqual(on.authenticate({}), anon);
  // another scheme, a missing or empty token: no opinion, so anonymous applies
  assert.deepEqual(on.authenticate({ authorization: 'Basic YWxpY2U6cHc=' }), anon);
  assert.deepEqual(on.authenticate({ authorization: 'Bearer' }), anon);
  assert.deepEqual(on.authenticate({ authorization: 'Bearer  good' }), anon);
  const off = new Authenticator({ tokens });
  const r = off.authenticate({});
  assert.equal(r.ok, false);
  assert.match(r.ok ? '' : r.reason, /no credentials/);
  assert.equal(new Authenticator({}).authenticate({ authorization: 'Bearer good' }).ok, false);
});

test('a verified client certificate: CN is the user, O the groups', () => {
  const a = new Authenticator({ tokens });
  assert.deepEqual(a.authenticate({}, { subject: { CN: 'system:kube-scheduler' } }),
    { ok: true, user: { name: 'system:kube-scheduler', uid: '', groups: ['system:authenticated'] } });
  assert.deepEqual(a.authenticate({}, { subject: { CN: 'admin', O: 'system:masters' } }),
    { ok: true, user: { name: 'admin', uid: '', groups: ['system:masters', 'system:authenticated'] } });
  assert.deepEqual(a.authenticate({}, { subject: { CN: 'n1', O: ['system:nodes', 'x'] } }),
    { ok: true, user: { name: 'n1', uid: '', groups: ['system:nodes', 'x', 'system:authenticated'] } });
});

test('the certificate comes first in the chain, as in Kubernetes; a CN-less one is no opinion', () => {
  const a = new Authenticator({ tokens, anonymous: true });
  const both = a.authenticate({ authorization: 'Bearer good' }, { subject: { CN: 'certuser' } });
  assert.equal(both.ok && both.user.name, 'certuser');
  const blankCn = a.authenticate({ authorization: 'Bearer good' }, { subject: { CN: '', O: 'g' } });
  assert.equal(blankCn.ok && blankCn.user.name, 'alice');
  assert.equal(a.authenticate({}, {}).ok && a.authenticate({}, {}).ok, true); // getPeerCertificate() of no cert is {}
  assert.equal(a.authenticate({}, null).ok, true);
  const twoCn = a.authenticate({}, { subject: { CN: ['first', 'last'] } });
  assert.equal(twoCn.ok && twoCn.user.name, 'last');
});
