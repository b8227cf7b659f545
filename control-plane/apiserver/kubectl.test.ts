// Stock kubectl (the one on the machine, 1.32) against a real apiserver, unmodified and
// without --validate=false: the commands that need only the API (the ones that need
// controllers or node agents live with those). Skipped when kubectl is not installed.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { NOBODY_TOKEN, startTestApiServer, type TestApiServer } from './testing/harness.js';

const hasKubectl = spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8' }).status === 0;

describe('kubectl against the apiserver', { skip: hasKubectl ? false : 'kubectl is not installed' }, () => {
  let h: TestApiServer;
  const k = (...args: string[]) => {
    const r = spawnSync('kubectl', ['--kubeconfig', h.kubeconfigPath, ...args], { encoding: 'utf8', timeout: 30_000 });
    return { code: r.status, out: r.stdout, err: r.stderr };
  };
  const ok = (...args: string[]) => {
    const r = k(...args);
    assert.equal(r.code, 0, `kubectl ${args.join(' ')} failed: ${r.err}`);
    return r.out;
  };
  const file = (name: string, text: string) => {
    const p = join(h.dir, name);
    writeFileSync(p, text);
    return p;
  };
  before(async () => {
    h = await startTestApiServer({ backend: 'flotilla' });
  });
  after(async () => {
    await h?.stop();
  });

  test('discovery: api-resources with short names, version, explain', () => {
    const res = ok('api-resources');
    for (const line of ['pods  *po', 'deployments  *deploy', 'services  *svc', 'namespaces  *ns']) {
      assert.match(res, new RegExp(line.replace(/ +\*/, '\\s+')), line);
    }
    assert.match(ok('version'), /Server Version: v1\.32/);
    assert.match(ok('explain', 'pod.spec.containers'), /FIELD: containers <\[\]Container>/);
  });

  test('create with typed generators (protobuf bodies) and from files; get in every output format', () => {
    ok('create', 'namespace', 'team-a');
    ok('create', 'configmap', 'settings', '-n', 'team-a', '--from-literal=color=blue');
    ok('create', 'secret', 'generic', 'creds', '-n', 'team-a', '--from-literal=password=s3cret');
    ok('create', 'deployment', 'web', '-n', 'team-a', '--image=flotilla/hello', '--replicas=2', '--port=8080');
    ok('create', 'service', 'clusterip', 'web', '-n', 'team-a', '--tcp=80:8080');
    assert.match(ok('get', 'deploy', 'web', '-n', 'team-a', '-o', 'wide'), /web\s+0\/2\s+0\s+0\s+\S+\s+flotilla-hello|web\s+0\/2/);
    assert.equal(ok('get', 'cm', 'settings', '-n', 'team-a', '-o', 'jsonpath={.data.color}'), 'blue');
    assert.equal(JSON.parse(ok('get', 'secret', 'creds', '-n', 'team-a', '-o', 'json')).data.password,
      Buffer.from('s3cret').toString('base64'));
    assert.match(ok('get', 'svc', 'web', '-n', 'team-a', '-o', 'yaml'), /clusterIP: 127\.96\./);
    assert.match(ok('get', 'all', '-n', 'team-a'), /service\/web[\s\S]*deployment\.apps\/web/);
    assert.match(ok('get', 'cm', '-A'), /team-a\s+settings/);
  });

  test('apply twice says unchanged; a changed file is patched (strategic merge) keeping server-set fields', () => {
    const manifest = (replicas: number, image: string) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
  labels: {app: api}
spec:
  replicas: ${replicas}
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec:
      containers:
      - name: api
        image: ${image}
        env: [{name: MODE, value: fast}]
        ports: [{containerPort: 8080}]
      - name: sidecar
        image: busybox
`;
    const f = file('api.yaml', manifest(2, 'flotilla/hello'));
    assert.match(ok('apply', '-f', f), /deployment.apps\/api created/);
    assert.match(ok('apply', '-f', f), /deployment.apps\/api unchanged/);
    writeFileSync(f, manifest(3, 'flotilla/hello:v2'));
    assert.match(ok('apply', '-f', f), /deployment.apps\/api configured/);
    const d = JSON.parse(ok('get', 'deploy', 'api', '-o', 'json'));
    assert.equal(d.spec.replicas, 3);
    assert.equal(d.spec.template.spec.containers[0].image, 'flotilla/hello:v2');
    assert.equal(d.spec.template.spec.containers[1].name, 'sidecar', 'containers merged by name, order kept');
    assert.equal(d.metadata.generation, 2);
    assert.equal(d.spec.strategy.type, 'RollingUpdate', 'defaults kept');
  });

  test('apply --server-side: field ownership, conflicts with another manager, --force-conflicts', () => {
    const f = file('ssa.yaml', `apiVersion: apps/v1
kind: Deployment
metadata: {name: ssa}
spec:
  replicas: 2
  selector: {matchLabels: {app: ssa}}
  template:
    metadata: {labels: {app: ssa}}
    spec:
      containers: [{name: c, image: flotilla/hello}]
`);
    assert.match(ok('apply', '--server-side', '-f', f), /deployment.apps\/ssa serverside-applied/);
    assert.match(ok('apply', '--server-side', '-f', f), /serverside-applied/);
    ok('scale', 'deploy', 'ssa', '--replicas=4');
    const conflict = k('apply', '--server-side', '-f', f);
    assert.notEqual(conflict.code, 0);
    const expected = new RegExp('Apply failed with 1 conflict: conflict with "kubectl" with subresource "scale" ' +
      'using apps/v1: \\.spec\\.replicas');
    assert.match(conflict.err, expected);
    ok('apply', '--server-side', '--force-conflicts', '-f', f);
    const d = JSON.parse(ok('get', 'deploy', 'ssa', '-o', 'json', '--show-managed-fields'));
    assert.equal(d.spec.replicas, 2);
    const applyEntry = d.metadata.managedFields.find((m: { operation: string }) => m.operation === 'Apply');
    assert.equal(applyEntry.manager, 'kubectl');
    assert.ok(applyEntry.fieldsV1['f:spec']['f:replicas']);
  });

  test('replace, patch (strategic, merge, json), label, annotate, scale', () => {
    ok('create', 'configmap', 'p1', '--from-literal=a=1');
    const cm = JSON.parse(ok('get', 'cm', 'p1', '-o', 'json'));
    cm.data.b = '2';
    ok('replace', '-f', file('p1.json', JSON.stringify(cm)));
    assert.equal(ok('get', 'cm', 'p1', '-o', 'jsonpath={.data.b}'), '2');
    const stale = k('replace', '-f', file('p1-stale.json', JSON.stringify(cm)));
    assert.notEqual(stale.code, 0);
    assert.match(stale.err, /the object has been modified/);
    ok('patch', 'cm', 'p1', '-p', '{"data":{"c":"3"}}');
    ok('patch', 'cm', 'p1', '--type=merge', '-p', '{"data":{"a":null}}');
    ok('patch', 'cm', 'p1', '--type=json', '-p', '[{"op":"add","path":"/data/d","value":"4"}]');
    assert.deepEqual(JSON.parse(ok('get', 'cm', 'p1', '-o', 'jsonpath={.data}')), { b: '2', c: '3', d: '4' });
    ok('label', 'cm', 'p1', 'tier=gold');
    ok('annotate', 'cm', 'p1', 'owner=team-b');
    assert.match(ok('get', 'cm', '-l', 'tier=gold'), /p1/);
    assert.match(ok('get', 'cm', '--field-selector', 'metadata.name=p1', '-o', 'name'), /configmap\/p1/);
    ok('label', 'cm', 'p1', 'tier-');
    assert.equal(ok('get', 'cm', '-l', 'tier=gold', '-o', 'name'), '');
    ok('scale', 'deploy', 'web', '-n', 'team-a', '--replicas=5');
    assert.equal(ok('get', 'deploy', 'web', '-n', 'team-a', '-o', 'jsonpath={.spec.replicas}'), '5');
  });

  test('errors print like Kubernetes: not found, invalid, unknown field (server-side validation)', () => {
    assert.match(k('get', 'pod', 'nope').err, /Error from server \(NotFound\): pods "nope" not found/);
    const bad = k('create', '-f', file('bad.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: Bad_Name}\n'));
    assert.match(bad.err, /is invalid: metadata.name: Invalid value: "Bad_Name"/);
    const unknown = k('create', '-f', file('unknown.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: u1}\nbogus: 1\n'));
    assert.match(unknown.err, /strict decoding error: unknown field "bogus"/);
  });

  test('get -w streams changes as table rows', async () => {
    const watch = spawn('kubectl', ['--kubeconfig', h.kubeconfigPath, 'get', 'cm', '-w', '--request-timeout=20s'],
      { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    watch.stdout.on('data', (d: Buffer) => (out += d.toString()));
    await new Promise((r) => setTimeout(r, 1500));
    ok('create', 'configmap', 'watched', '--from-literal=x=1');
    ok('patch', 'cm', 'watched', '-p', '{"data":{"y":"2"}}');
    const deadline = Date.now() + 10_000;
    while (!/watched\s+2/.test(out) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    watch.kill();
    assert.match(out, /NAME\s+DATA\s+AGE/);
    assert.match(out, /watched\s+1/);
    assert.match(out, /watched\s+2/);
  });

  test('auth can-i, api-versions, cluster-info, proxy', async () => {
    assert.equal(ok('auth', 'can-i', 'create', 'pods').trim(), 'yes');
    assert.equal(ok('auth', 'can-i', '*', '*', '--all-namespaces').trim(), 'yes');
    const denied = k('auth', 'can-i', 'list', 'secrets', '--token', NOBODY_TOKEN);
    assert.equal(denied.out.trim(), 'no');
    assert.equal(denied.code, 1);
    assert.equal(k('auth', 'can-i', 'get', '/version', '--token', NOBODY_TOKEN).out.trim(), 'yes', 'public info');
    const versions = ok('api-versions').split('\n');
    for (const v of ['v1', 'apps/v1', 'coordination.k8s.io/v1', 'rbac.authorization.k8s.io/v1']) assert.ok(versions.includes(v), v);
    assert.match(ok('cluster-info'), /Kubernetes control plane.* is running at https:\/\/127\.0\.0\.1:\d+/);
    const proxy = spawn('kubectl', ['--kubeconfig', h.kubeconfigPath, 'proxy', '--port=0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const port = await new Promise<number>((resolve, reject) => {
        proxy.stdout.on('data', (d: Buffer) => {
          const m = /Starting to serve on 127\.0\.0\.1:(\d+)/.exec(d.toString());
          if (m) resolve(Number(m[1]));
        });
        proxy.on('exit', () => reject(new Error('kubectl proxy exited')));
      });
      const r = await fetch(`http://127.0.0.1:${port}/api/v1/namespaces/default`);
      assert.equal(r.status, 200);
      assert.equal(((await r.json()) as { metadata: { name: string } }).metadata.name, 'default');
    } finally {
      proxy.kill();
    }
  });

  test('cordon, uncordon and delete', () => {
    ok('create', '-f', file('node.yaml', 'apiVersion: v1\nkind: Node\nmetadata: {name: n1}\n'));
    assert.match(ok('cordon', 'n1'), /node\/n1 cordoned/);
    assert.match(ok('get', 'nodes'), /n1\s+\S*SchedulingDisabled/);
    assert.match(ok('uncordon', 'n1'), /node\/n1 uncordoned/);
    assert.match(ok('delete', 'cm', 'p1'), /configmap "p1" deleted/);
    // Orphaning needs the garbage collector (controller-manager) to finish: here, only the API's part.
    assert.match(ok('delete', 'deploy', 'api', '--cascade=orphan', '--wait=false'), /deployment.apps "api" deleted/);
    const d = JSON.parse(ok('get', 'deploy', 'api', '-o', 'json'));
    assert.ok(d.metadata.deletionTimestamp);
    assert.deepEqual(d.metadata.finalizers, ['orphan']);
  });
});
