import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, unlink, writeFile } from 'node:fs/promises';
import { createServer, request } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensurePki, generateCa, issueClientCert, issueServingCert, type CertKeyPair } from './pki.js';
import { Authenticator } from './authenticator.js';
import { PkiError } from './errors.js';

function hasCommand(cmd: string): boolean {
  try {
    execFileSync(cmd, ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

async function withTempDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'flotilla-pki-'));
  try {
    await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

let material: Promise<{ ca: CertKeyPair; serving: CertKeyPair; client: CertKeyPair }> | undefined;
function certs(): Promise<{ ca: CertKeyPair; serving: CertKeyPair; client: CertKeyPair }> {
  material ??= (async () => {
    const ca = await generateCa('test-ca');
    const serving = await issueServingCert(ca, { commonName: 'kube-apiserver', hosts: ['127.0.0.1', 'localhost', '::1'] });
    const client = await issueClientCert(ca, { user: 'kubernetes-admin', groups: ['system:masters', 'ops'] });
    return { ca, serving, client };
  })();
  return material;
}

test('certificates have the expected subjects, SANs, CA flag and PKCS#8 keys', async () => {
  const { ca, serving, client } = await certs();
  for (const p of [ca, serving, client]) {
    assert.match(p.keyPem, /^-----BEGIN PRIVATE KEY-----\n/);
    assert.match(p.certPem, /^-----BEGIN CERTIFICATE-----\n[\s\S]*-----END CERTIFICATE-----\n$/);
  }
  const caCert = new X509Certificate(ca.certPem);
  assert.equal(caCert.ca, true);
  assert.equal(caCert.subject, 'CN=test-ca');
  const s = new X509Certificate(serving.certPem);
  assert.equal(s.ca, false);
  assert.ok(s.checkIssued(caCert) && s.verify(caCert.publicKey));
  assert.equal(s.checkIP('127.0.0.1'), '127.0.0.1');
  assert.equal(s.checkHost('localhost', { subject: 'never' }), 'localhost');
  assert.equal(s.checkHost('example.com', { subject: 'never' }), undefined);
  assert.deepEqual(s.keyUsage, ['1.3.6.1.5.5.7.3.1']);
  const c = new X509Certificate(client.certPem);
  assert.ok(c.verify(caCert.publicKey));
  assert.match(c.subject, /O=system:masters/);
  assert.match(c.subject, /CN=kubernetes-admin/);
  assert.deepEqual(c.keyUsage, ['1.3.6.1.5.5.7.3.2']);
  assert.equal(s.publicKey.asymmetricKeyDetails?.namedCurve, 'prime256v1');
});

test('a TLS request to 127.0.0.1 with full verification both ways; the server sees CN and O', async () => {
  const { ca, serving, client } = await certs();
  const server = createServer({ key: serving.keyPem, cert: serving.certPem, ca: ca.certPem, requestCert: true,
    rejectUnauthorized: true }, (req, res) => {
    const socket = req.socket as TLSSocket;
    const peer = socket.authorized ? socket.getPeerCertificate() : null;
    const auth = new Authenticator({}).authenticate(req.headers, peer);
    res.end(JSON.stringify({ authorized: socket.authorized, subject: socket.getPeerCertificate().subject, auth }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const { port } = server.address() as AddressInfo;
    const body = await new Promise<string>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path: '/', ca: ca.certPem, cert: client.certPem, key: client.keyPem,
        rejectUnauthorized: true, agent: false }, (res) => {
        let data = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => { data += d; });
        res.on('end', () => resolve(data));
      });
      req.on('error', reject);
      req.end();
    });
    const got = JSON.parse(body) as { authorized: boolean; subject: { CN: string; O: string[] }; auth: unknown };
    assert.equal(got.authorized, true);
    assert.equal(got.subject.CN, 'kubernetes-admin');
    assert.deepEqual(got.subject.O, ['system:masters', 'ops']);
    assert.deepEqual(got.auth, { ok: true, user: { name: 'kubernetes-admin', uid: '',
      groups: ['system:masters', 'ops', 'system:authenticated'] } });
    // without the CA the client refuses the server
    await assert.rejects(new Promise((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path: '/', cert: client.certPem, key: client.keyPem,
        rejectUnauthorized: true, agent: false }, resolve);
      req.on('error', reject);
      req.end();
    }), /self[- ]signed|unable to (get|verify)/i);
  } finally {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});

test('openssl verifies the chain and the purposes', { skip: !hasCommand('openssl') && 'openssl is not installed' },
  async () => {
    const { ca, serving, client } = await certs();
    await withTempDir(async (dir) => {
      await writeFile(join(dir, 'ca.crt'), ca.certPem);
      await writeFile(join(dir, 'server.crt'), serving.certPem);
      await writeFile(join(dir, 'client.crt'), client.certPem);
      const verify = (file: string, purpose: string): string => execFileSync('openssl',
        ['verify', '-CAfile', join(dir, 'ca.crt'), '-purpose', purpose, join(dir, file)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
      assert.match(verify('server.crt', 'sslserver'), /server\.crt: OK/);
      assert.match(verify('client.crt', 'sslclient'), /client\.crt: OK/);
      assert.throws(() => verify('client.crt', 'sslserver'));
      const key = execFileSync('openssl', ['pkey', '-noout', '-text'], { input: serving.keyPem, encoding: 'utf8' });
      assert.match(key, /prime256v1|P-256/);
    });
  });

test('bad requests are PkiErrors that say what is wrong', async () => {
  const { ca } = await certs();
  const rejects = (p: Promise<unknown>, re: RegExp): Promise<void> =>
    assert.rejects(p, (e: unknown) => e instanceof PkiError && e.code === 'FLOTILLA_ERR_PKI' && re.test(e.message));
  await rejects(issueServingCert(ca, { commonName: 'x', hosts: [] }), /at least one host/);
  await rejects(issueServingCert(ca, { commonName: 'x', hosts: ['not a host'] }), /neither an IP address nor a DNS name/);
  await rejects(issueClientCert(ca, { user: 'u', groups: [], days: 0 }), /days must be an integer/);
  await rejects(issueClientCert(ca, { user: '', groups: [] }), /needs a user name/);
  await rejects(issueClientCert({ certPem: ca.certPem, keyPem: 'junk' }, { user: 'u', groups: [] }), /PEM block/);
  await rejects(issueClientCert({ certPem: 'junk', keyPem: ca.keyPem }, { user: 'u', groups: [] }), /CA certificate/);
});

test('ensurePki creates a 0700 directory and 0600 keys, reuses what exists, re-issues for new hosts', async () => {
  await withTempDir(async (dir) => {
    const certDir = join(dir, 'pki', 'nested');
    const files = await ensurePki(certDir, { hosts: ['127.0.0.1', 'localhost'] });
    assert.equal((await stat(certDir)).mode & 0o777, 0o700);
    for (const k of [files.caKeyFile, files.servingKeyFile, files.adminKeyFile]) {
      assert.equal((await stat(k)).mode & 0o777, 0o600, k);
      assert.match(await readFile(k, 'utf8'), /^-----BEGIN PRIVATE KEY-----/);
    }
    const snapshot = async (): Promise<string[]> => Promise.all(Object.values(files).map((f) => readFile(f, 'utf8')));
    const first = await snapshot();
    await ensurePki(certDir, { hosts: ['localhost', '127.0.0.1'] });
    assert.deepEqual(await snapshot(), first, 'a second run changes nothing');
    await ensurePki(certDir, { hosts: ['127.0.0.1', '10.0.0.5'] });
    const third = await snapshot();
    assert.equal(third[0], first[0], 'same CA');
    assert.notEqual(third[2], first[2], 'serving cert re-issued for the new host');
    assert.equal(third[4], first[4], 'admin cert kept');
    assert.equal(new X509Certificate(third[2] as string).checkIP('10.0.0.5'), '10.0.0.5');
    // a half-present leaf is re-issued; a half-present CA is refused
    await unlink(files.adminKeyFile);
    await ensurePki(certDir, { hosts: ['127.0.0.1'] });
    assert.notEqual(await readFile(files.adminCertFile, 'utf8'), first[4]);
    await unlink(files.caKeyFile);
    await assert.rejects(ensurePki(certDir, { hosts: ['127.0.0.1'] }),
      (e: unknown) => e instanceof PkiError && /ca\.crt exists but .*ca\.key does not/.test(e.message));
  });
});
