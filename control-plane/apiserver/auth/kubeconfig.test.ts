import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { kubeconfigYaml, writeKubeconfig, type KubeconfigOptions } from './kubeconfig.js';
import { KubeconfigError } from './errors.js';

const CA = '-----BEGIN CERTIFICATE-----\nQ0E=\n-----END CERTIFICATE-----\n';
const CERT = '-----BEGIN CERTIFICATE-----\nY2VydA==\n-----END CERTIFICATE-----\n';
const KEY = '-----BEGIN PRIVATE KEY-----\na2V5\n-----END PRIVATE KEY-----\n';
const opts: KubeconfigOptions = { clusterName: 'flotilla', server: 'https://127.0.0.1:6443', caPem: CA,
  clientCertPem: CERT, clientKeyPem: KEY, user: 'kubernetes-admin', namespace: 'team' };

function hasKubectl(): boolean {
  try {
    execFileSync('kubectl', ['version', '--client'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

test('the YAML has kubeadm\'s shape with base64-embedded certificates', () => {
  const doc = parse(kubeconfigYaml(opts)) as Record<string, unknown>;
  assert.deepEqual(doc, {
    apiVersion: 'v1', kind: 'Config',
    clusters: [{ name: 'flotilla', cluster: { server: 'https://127.0.0.1:6443',
      'certificate-authority-data': Buffer.from(CA).toString('base64') } }],
    users: [{ name: 'kubernetes-admin', user: { 'client-certificate-data': Buffer.from(CERT).toString('base64'),
      'client-key-data': Buffer.from(KEY).toString('base64') } }],
    contexts: [{ name: 'kubernetes-admin@flotilla', context: { cluster: 'flotilla', user: 'kubernetes-admin',
      namespace: 'team' } }],
    'current-context': 'kubernetes-admin@flotilla',
    preferences: {},
  });
  const tokenOnly = parse(kubeconfigYaml({ clusterName: 'c', server: 'https://10.0.0.1:6443', token: 'abc', user: 'u' }));
  assert.deepEqual(tokenOnly.users, [{ name: 'u', user: { token: 'abc' } }]);
  assert.deepEqual(tokenOnly.contexts[0].context, { cluster: 'c', user: 'u' });
});

test('inconsistent options are KubeconfigErrors', () => {
  const refuses = (o: KubeconfigOptions, re: RegExp): void => assert.throws(() => kubeconfigYaml(o),
    (e: unknown) => e instanceof KubeconfigError && e.code === 'FLOTILLA_ERR_KUBECONFIG' && re.test(e.message));
  refuses({ ...opts, server: '127.0.0.1:6443' }, /must be an http\(s\) URL|is not a URL/);
  refuses({ ...opts, server: 'nope' }, /is not a URL/);
  refuses({ ...opts, clientKeyPem: undefined }, /go together/);
  refuses({ ...opts, user: '' }, /user must not be empty/);
  refuses({ ...opts, clusterName: '' }, /clusterName must not be empty/);
});

test('writeKubeconfig writes 0600, and kubectl reads it back', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'flotilla-kubeconfig-'));
  try {
    const file = join(dir, 'admin.conf');
    await writeKubeconfig(file, { ...opts, token: 'secret-token' });
    assert.equal((await stat(file)).mode & 0o777, 0o600);
    if (!hasKubectl()) return;
    const out = execFileSync('kubectl', ['config', 'view', '--kubeconfig', file, '--raw', '-o', 'json'],
      { encoding: 'utf8', env: { ...process.env, KUBECONFIG: '' } });
    const view = JSON.parse(out) as {
      clusters: Array<{ name: string; cluster: Record<string, string> }>;
      users: Array<{ name: string; user: Record<string, string> }>;
      contexts: Array<{ name: string; context: Record<string, string> }>;
      'current-context': string;
    };
    assert.equal(view['current-context'], 'kubernetes-admin@flotilla');
    assert.equal(view.clusters[0]?.name, 'flotilla');
    assert.equal(view.clusters[0]?.cluster['server'], 'https://127.0.0.1:6443');
    assert.equal(view.clusters[0]?.cluster['certificate-authority-data'], Buffer.from(CA).toString('base64'));
    assert.equal(view.users[0]?.name, 'kubernetes-admin');
    assert.equal(view.users[0]?.user['client-certificate-data'], Buffer.from(CERT).toString('base64'));
    assert.equal(view.users[0]?.user['client-key-data'], Buffer.from(KEY).toString('base64'));
    assert.equal(view.users[0]?.user['token'], 'secret-token');
    assert.deepEqual(view.contexts[0], { name: 'kubernetes-admin@flotilla',
      context: { cluster: 'flotilla', user: 'kubernetes-admin', namespace: 'team' } });
    // without --raw kubectl redacts the credentials, which shows it parsed them as such
    const redacted = JSON.parse(execFileSync('kubectl', ['config', 'view', '--kubeconfig', file, '-o', 'json'],
      { encoding: 'utf8' })) as { users: Array<{ user: Record<string, string> }> };
    assert.equal(redacted.users[0]?.user['client-key-data'], 'DATA+OMITTED');
    assert.equal(redacted.users[0]?.user['token'], 'REDACTED');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
