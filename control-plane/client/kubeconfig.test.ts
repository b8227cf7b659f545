import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadKubeconfig, parseKubeconfig } from './kubeconfig.js';
import { KubeconfigError } from './errors.js';
import { ApiClient } from './rest-client.js';

const CA = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
const b64 = (s: string): string => Buffer.from(s).toString('base64');

function kubeconfig(extra: { cluster?: string; user?: string; context?: string; current?: string } = {}): string {
  return `apiVersion: v1
kind: Config
current-context: ${extra.current ?? 'flotilla'}
clusters:
- name: local
  cluster:
    server: https://127.0.0.1:6443/
${extra.cluster ?? `    certificate-authority-data: ${b64(CA)}`}
users:
- name: admin
  user:
${extra.user ?? '    token: secret-token'}
contexts:
- name: flotilla
  context:
    cluster: local
    user: admin
${extra.context ?? ''}
- name: other
  context:
    cluster: local
    user: admin
    namespace: kube-system
`;
}

test('kubeconfig: current context gives server, CA data, token and namespace "default"', () => {
  const c = parseKubeconfig(kubeconfig(), '/x/config');
  assert.equal(c.server, 'https://127.0.0.1:6443');
  assert.equal(c.caPem, CA);
  assert.equal(c.token, 'secret-token');
  assert.equal(c.namespace, 'default');
  assert.equal(c.contextName, 'flotilla');
  assert.equal(c.insecureSkipTlsVerify, false);
  const other = parseKubeconfig(kubeconfig(), '/x/config', { context: 'other' });
  assert.equal(other.namespace, 'kube-system');
});

test('kubeconfig: file paths resolve relative to the kubeconfig; client cert/key data', () => {
  const dir = mkdtempSync(join(tmpdir(), 'flotilla-kubeconfig-'));
  try {
    writeFileSync(join(dir, 'ca.crt'), CA);
    writeFileSync(join(dir, 'token'), 'file-token\n');
    const path = join(dir, 'config');
    writeFileSync(path, kubeconfig({
      cluster: '    certificate-authority: ca.crt\n    tls-server-name: apiserver.local',
      user: `    tokenFile: token\n    client-certificate-data: ${b64('CERT')}\n    client-key-data: ${b64('KEY')}`,
    }));
    const c = loadKubeconfig(path);
    assert.equal(c.caPem, CA);
    assert.equal(c.token, 'file-token');
    assert.equal(c.clientCertPem, 'CERT');
    assert.equal(c.clientKeyPem, 'KEY');
    assert.equal(c.tlsServerName, 'apiserver.local');
    const client = ApiClient.fromKubeconfig(path, { qps: 5, burst: 7 });
    assert.equal(client.server.href, 'https://127.0.0.1:6443/');
    assert.equal(client.rateLimiter.qps, 5);
    assert.equal(client.rateLimiter.burst, 7);
    client.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

function refused(text: string, pattern: RegExp, o: { context?: string } = {}): void {
  assert.throws(() => parseKubeconfig(text, '/k/config', o),
    (e: unknown) => e instanceof KubeconfigError && e.code === 'FLOTILLA_ERR_KUBECONFIG' && pattern.test(e.message),
    `expected ${pattern}`);
}

test('kubeconfig: errors name the file and the missing field', () => {
  refused(kubeconfig({ current: '""' }), /kubeconfig \/k\/config: no "current-context"/);
  refused(kubeconfig(), /context "nope" not found in "contexts"/, { context: 'nope' });
  refused(kubeconfig().replace('    server: https://127.0.0.1:6443/\n', ''), /cluster "local" has no "server"/);
  refused(kubeconfig().replace('    cluster: local\n    user: admin\n\n', '    user: admin\n'), /context "flotilla" has no "cluster"/);
  refused(kubeconfig({ user: `    client-certificate-data: ${b64('C')}` }), /user "admin" has "client-certificate" but no "client-key"/);
  refused(kubeconfig({ cluster: '    certificate-authority: /does/not/exist.crt' }), /cannot read "certificate-authority"/);
  refused(kubeconfig({ cluster: `    certificate-authority-data: ${b64(CA)}\n    insecure-skip-tls-verify: true` }),
    /cannot both be set/);
  refused('- a list', /not a mapping/);
  refused('a: [', /not valid YAML/);
  refused(kubeconfig().replace(/users:[\s\S]*?contexts:/, 'contexts:'), /no "users" list/);
  assert.throws(() => loadKubeconfig('/does/not/exist/config'), /cannot read kubeconfig \/does\/not\/exist\/config/);
});

test('kubeconfig: insecure-skip-tls-verify without a CA', () => {
  const c = parseKubeconfig(kubeconfig({ cluster: '    insecure-skip-tls-verify: true' }), '/k/config');
  assert.equal(c.insecureSkipTlsVerify, true);
  assert.equal(c.caPem, undefined);
});
