// Real kubectl against a tiny recording server on 127.0.0.1: each `kubectl create ...` sends its
// object as Kubernetes protobuf; we decode the recorded body and compare it with what the same
// command prints with `--dry-run=client -o json` (the object client-go would have serialised).
// The comparison is exact except for one normalisation, documented in normalise() below.
// `kubectl drain` posts its policy/v1 Eviction as JSON (observed with kubectl 1.32); the test accepts
// either encoding and checks the object. Skipped when kubectl is not installed.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { apiResourceList, groupVersions } from '../../api/registry.js';
import { decodeKubernetesProtobuf, KUBERNETES_PROTOBUF } from './decode.js';

const run = promisify(execFile);

interface Recorded { method: string; url: string; contentType: string; body: Buffer }

function hasKubectl(): boolean {
  return (process.env['PATH'] ?? '').split(':').some((d) => {
    try {
      accessSync(join(d, 'kubectl'), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

function json(res: http.ServerResponse, code: number, body: unknown): void {
  res.writeHead(code, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

const NODE = { kind: 'Node', apiVersion: 'v1', metadata: { name: 'node-a', resourceVersion: '1' },
  spec: {}, status: {} };
const POD = { kind: 'Pod', apiVersion: 'v1', metadata: { name: 'p1', namespace: 'default', uid: 'u-1',
  resourceVersion: '1' }, spec: { nodeName: 'node-a', containers: [{ name: 'c', image: 'busybox' }] },
status: { phase: 'Running' } };

/** Discovery, a node and one pod for drain, and POSTs answered with the decoded object as JSON. */
function handle(req: http.IncomingMessage, res: http.ServerResponse, body: Buffer, log: Recorded[]): void {
  const url = new URL(req.url ?? '/', 'http://x');
  const path = url.pathname;
  log.push({ method: req.method ?? '', url: req.url ?? '', contentType: req.headers['content-type'] ?? '', body });
  if (req.method === 'POST') {
    if (req.headers['content-type'] !== KUBERNETES_PROTOBUF) return json(res, 201, JSON.parse(body.toString()));
    try {
      return json(res, 201, decodeKubernetesProtobuf(body).object);
    } catch (e) {
      return json(res, 400, { kind: 'Status', apiVersion: 'v1', status: 'Failure', message: String(e), code: 400 });
    }
  }
  if (path === '/version') return json(res, 200, { major: '1', minor: '32', gitVersion: 'v1.32.0' });
  if (path === '/api') return json(res, 200, { kind: 'APIVersions', versions: ['v1'] });
  if (path === '/apis') {
    const groups = groupVersions().filter((gv) => gv.group !== '').map((gv) => {
      const v = { groupVersion: `${gv.group}/${gv.version}`, version: gv.version };
      return { name: gv.group, versions: [v], preferredVersion: v };
    });
    return json(res, 200, { kind: 'APIGroupList', apiVersion: 'v1', groups });
  }
  const gv = /^\/api\/(v1)$/.exec(path) ?? /^\/apis\/([^/]+)\/([^/]+)$/.exec(path);
  if (gv !== null) {
    const group = gv.length === 2 ? '' : gv[1] as string;
    const version = gv.length === 2 ? 'v1' : gv[2] as string;
    return json(res, 200, apiResourceList({ group, version }));
  }
  if (path === '/api/v1/nodes/node-a') return json(res, 200, NODE);
  if (path === '/api/v1/pods') {
    return json(res, 200, { kind: 'PodList', apiVersion: 'v1', metadata: { resourceVersion: '1' }, items: [POD] });
  }
  json(res, 404, { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'NotFound', code: 404 });
}

/**
 * The one normalisation: none needed so far beyond key order, which deepEqual ignores. (Both sides
 * write `metadata.creationTimestamp: null`, `status: {}` and the like the same way, since both are
 * Go's encoding/json of the same struct.) Kept as a hook so a future difference is named here.
 */
function normalise(o: unknown): unknown { return o; }

const describeIf = hasKubectl() ? describe : describe.skip;

describeIf('real kubectl sends protobuf; the decoder yields what kubectl would have sent as JSON', () => {
  let server: http.Server;
  let dir: string;
  let kubeconfig: string;
  const log: Recorded[] = [];

  before(async () => {
    server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => handle(req, res, Buffer.concat(chunks), log));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    dir = mkdtempSync(join(tmpdir(), 'flotilla-pb-'));
    kubeconfig = join(dir, 'kubeconfig');
    writeFileSync(kubeconfig, [
      'apiVersion: v1', 'kind: Config', 'current-context: t',
      `clusters: [{name: c, cluster: {server: "http://127.0.0.1:${port}"}}]`,
      'users: [{name: u, user: {token: test-token}}]',
      'contexts: [{name: t, context: {cluster: c, user: u, namespace: default}}]', '',
    ].join('\n'));
    await run('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes',
      '-subj', '/CN=test', '-days', '1', '-keyout', join(dir, 'tls.key'), '-out', join(dir, 'tls.crt')]);
  });

  after(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    rmSync(dir, { recursive: true, force: true });
  });

  async function kubectl(args: string[]): Promise<string> {
    const { stdout } = await run('kubectl', ['--kubeconfig', kubeconfig, ...args], { timeout: 30_000 });
    return stdout;
  }

  const cases: Array<[string, string[]]> = [
    ['configmap', ['create', 'configmap', 'c1', '--from-literal=a=b', '--from-literal=c=d']],
    ['secret generic', ['create', 'secret', 'generic', 's1', '--from-literal=k=v', '--type=Opaque']],
    ['secret tls', ['create', 'secret', 'tls', 't1', '--cert=TLS.crt', '--key=TLS.key']],
    ['namespace', ['create', 'namespace', 'n1']],
    ['deployment', ['create', 'deployment', 'web', '--image=nginx', '--replicas=2', '--port=80', '--',
      'sleep', '10']],
    ['service clusterip', ['create', 'service', 'clusterip', 's', '--tcp=80:8080']],
    ['service nodeport', ['create', 'service', 'nodeport', 'np', '--tcp=80:http', '--node-port=30080']],
    ['serviceaccount', ['create', 'serviceaccount', 'sa']],
    ['role', ['create', 'role', 'r', '--verb=get', '--verb=list', '--resource=pods,deployments.apps']],
    ['rolebinding', ['create', 'rolebinding', 'rb', '--role=r', '--user=alice', '--serviceaccount=default:sa']],
    ['clusterrole', ['create', 'clusterrole', 'cr', '--verb=get', '--resource=pods', '--non-resource-url=/x']],
    ['clusterrolebinding', ['create', 'clusterrolebinding', 'crb', '--clusterrole=cr', '--group=devs']],
  ];

  for (const [name, rawArgs] of cases) {
    it(`kubectl create ${name}`, async () => {
      const args = rawArgs.map((a) => a.replace('TLS.', join(dir, 'tls.')));
      const sep = args.indexOf('--');
      const head = sep < 0 ? args : args.slice(0, sep);
      const tail = sep < 0 ? [] : args.slice(sep);
      const expected = JSON.parse(await kubectl([...head, '--dry-run=client', '-o', 'json', ...tail])) as unknown;
      const before = log.length;
      await kubectl(args);
      const posts = log.slice(before).filter((r) => r.method === 'POST');
      assert.equal(posts.length, 1, 'one POST');
      const post = posts[0] as Recorded;
      assert.equal(post.contentType, KUBERNETES_PROTOBUF, `${name} was sent as ${post.contentType}`);
      const decoded = decodeKubernetesProtobuf(post.body);
      assert.deepEqual(normalise(decoded.object), normalise(expected));
    });
  }

  it('kubectl drain posts a policy/v1 Eviction (JSON in kubectl 1.32; decoded if protobuf)', async () => {
    const before = log.length;
    await kubectl(['drain', 'node-a', '--force', '--timeout=5s', '--grace-period=7']).catch(() => '');
    const post = log.slice(before).find((r) => r.method === 'POST' && r.url.includes('/eviction'));
    assert.ok(post, 'an eviction was POSTed');
    const object = post.contentType === KUBERNETES_PROTOBUF ? decodeKubernetesProtobuf(post.body).object
      : JSON.parse(post.body.toString()) as unknown;
    assert.deepEqual(object, {
      kind: 'Eviction', apiVersion: 'policy/v1',
      metadata: { name: 'p1', namespace: 'default', creationTimestamp: null },
      deleteOptions: { gracePeriodSeconds: 7 },
    });
  });
});
