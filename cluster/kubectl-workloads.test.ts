// Stock kubectl against a whole cluster for the kinds `kubectl apply --prune` expects and the
// controllers behind them: prune with kubectl's default allowlist (which names PVCs, PVs, Jobs,
// CronJobs, Ingresses and StatefulSets, so every one must be served), `kubectl create job` +
// `kubectl wait --for=condition=complete`, a CronJob firing on the real clock, and a StatefulSet
// (ordered pods web-0..N-1, `kubectl get all`, `kubectl rollout status`, `kubectl scale`).
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { downForTest, type TestCluster, upForTest } from './testing.js';

const hasKubectl = spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8' }).status === 0;

describe('kubectl workloads against a running cluster', { skip: hasKubectl ? false : 'kubectl is not installed' }, () => {
  let env: NodeJS.ProcessEnv;
  const k = (...args: string[]) => execFileSync('kubectl', args, { env, encoding: 'utf8', timeout: 120_000 });
  const until = async (what: string, f: () => boolean, timeoutMs = 90_000) => {
    const deadline = Date.now() + timeoutMs;
    while (!f()) {
      if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs / 1000} s`);
      await new Promise((r) => setTimeout(r, 500));
    }
  };

  let cluster: TestCluster | undefined;
  let stateDir = ''; // also where the test writes its manifests
  before(() => {
    cluster = upForTest(['--masters', '1', '--workers', '2']);
    env = cluster.env;
    stateDir = cluster.stateDir;
  });
  after(() => downForTest(cluster));

  test('apply --prune -l with the default allowlist prunes what left the file', () => {
    const cm = (name: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n  labels: {app: prune}\ndata: {k: v}\n`;
    const pvc = 'apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata:\n  name: claim\n  labels: {app: prune}\n' +
      'spec:\n  accessModes: [ReadWriteOnce]\n  resources: {requests: {storage: 1Gi}}\n';
    const file = join(stateDir, 'prune.yaml');
    writeFileSync(file, [cm('keep'), cm('drop'), pvc].join('---\n'));
    k('apply', '-f', file, '--prune', '-l', 'app=prune');
    assert.match(k('get', 'pvc', 'claim'), /claim\s+Pending\s+/);
    writeFileSync(file, cm('keep'));
    const out = k('apply', '-f', file, '--prune', '-l', 'app=prune');
    assert.match(out, /configmap\/drop pruned/);
    assert.match(out, /persistentvolumeclaim\/claim pruned/);
    assert.equal(k('get', 'cm,pvc', '-l', 'app=prune', '-o', 'name').trim(), 'configmap/keep');
  });

  test('explain and strict field validation come from the OpenAPI v3 documents of the new kinds', () => {
    assert.match(k('explain', 'cronjob.spec.schedule'), /FIELD: schedule <string>/);
    assert.match(k('explain', 'sts.spec.volumeClaimTemplates'), /FIELD: volumeClaimTemplates <\[\]PersistentVolumeClaim>/);
    const file = join(stateDir, 'bad-ingress.yaml');
    writeFileSync(file, 'apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: bad}\nspec:\n  colour: blue\n' +
      '  rules: [{http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}]}}]\n');
    const r = spawnSync('kubectl', ['apply', '-f', file], { env, encoding: 'utf8', timeout: 60_000 });
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /unknown field "spec.colour"/);
    const pv = join(stateDir, 'pv.yaml');
    writeFileSync(pv, 'apiVersion: v1\nkind: PersistentVolume\nmetadata: {name: vol}\nspec:\n  capacity: {storage: 1Gi}\n' +
      '  accessModes: [ReadWriteOnce]\n  hostPath: {path: /tmp/vol}\n');
    k('apply', '-f', pv);
    assert.match(k('get', 'pv'), /NAME\s+CAPACITY\s+ACCESS MODES\s+RECLAIM POLICY\s+STATUS\s+CLAIM\s+STORAGECLASS\s+VOLUMEATTRIBUTESCLASS\s+REASON\s+AGE\s+vol\s+1Gi\s+RWO\s+Retain\s+Pending/);
    k('delete', 'pv', 'vol');
  });

  test('create job + wait --for=condition=complete; get jobs columns; a failing job ends BackoffLimitExceeded', () => {
    k('create', 'job', 'ok', '--image=busybox', '--', 'sh', '-c', 'exit 0');
    assert.match(k('wait', '--for=condition=complete', 'job/ok', '--timeout=90s'), /condition met/);
    assert.match(k('get', 'jobs', 'ok'), /NAME\s+STATUS\s+COMPLETIONS\s+DURATION\s+AGE\s+ok\s+Complete\s+1\/1\s+/);
    const job = JSON.parse(k('get', 'job', 'ok', '-o', 'json')) as { spec: { selector: { matchLabels: Record<string, string> } } };
    assert.ok(job.spec.selector.matchLabels['batch.kubernetes.io/controller-uid'], 'the apiserver generated the selector');
    assert.match(k('get', 'pods', '-l', 'batch.kubernetes.io/job-name=ok'), /Completed/);
    k('create', 'job', 'bad', '--image=busybox', '--', 'sh', '-c', 'exit 1');
    k('patch', 'job', 'bad', '--type=merge', '-p', '{"spec":{"backoffLimit":0}}');
    assert.match(k('wait', '--for=condition=failed', 'job/bad', '--timeout=90s'), /condition met/);
    assert.match(k('get', 'job', 'bad', '-o', 'jsonpath={.status.conditions[?(@.type=="Failed")].reason}'), /BackoffLimitExceeded/);
    k('delete', 'job', 'ok', 'bad');
  });

  test('a CronJob "* * * * *" creates a Job within ~70 s', async () => {
    k('create', 'cronjob', 'tick', '--image=busybox', '--schedule=* * * * *', '--', 'sh', '-c', 'exit 0');
    assert.match(k('get', 'cj', 'tick'), /NAME\s+SCHEDULE\s+TIMEZONE\s+SUSPEND\s+ACTIVE\s+LAST SCHEDULE\s+AGE\s+tick\s+\* \* \* \* \*\s+<none>\s+False/);
    const jobs = () => (JSON.parse(k('get', 'jobs', '-o', 'json')) as { items: { metadata: { name: string;
      ownerReferences?: { kind: string }[] } }[] }).items.filter((j) => j.metadata.ownerReferences?.[0]?.kind === 'CronJob');
    await until('the cronjob created a job', () => jobs().length > 0, 75_000);
    assert.match(jobs()[0]!.metadata.name, /^tick-\d+$/);
    // The status is written right after the Job is created: give that write a moment to land.
    await until('lastScheduleTime is recorded', () => k('get', 'cj', 'tick', '-o', 'jsonpath={.status.lastScheduleTime}') !== '', 15_000)
      .catch((e: Error) => { throw new Error(`${e.message}\n${k('get', 'cj', 'tick', '-o', 'yaml')}\n${k('get', 'events')}`); });
    k('delete', 'cronjob', 'tick');
  });

  test('a StatefulSet: web-0 and web-1 in order, get all, rollout status, scale to 3 adds web-2', async () => {
    const file = join(stateDir, 'sts.yaml');
    writeFileSync(file, 'apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: web}\nspec:\n  replicas: 2\n  serviceName: web\n' +
      '  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n' +
      '    spec: {containers: [{name: hello, image: flotilla/hello, ports: [{containerPort: 8080}]}]}\n');
    k('apply', '-f', file);
    assert.match(k('rollout', 'status', 'sts/web', '--timeout=120s'), /partitioned roll out complete|rolling update complete|roll out complete/);
    assert.equal(k('get', 'pods', '-l', 'app=web', '-o', 'name').trim().split('\n').sort().join(','), 'pod/web-0,pod/web-1');
    assert.match(k('get', 'all'), /statefulset\.apps\/web\s+2\/2/);
    k('scale', 'sts/web', '--replicas=3');
    assert.match(k('rollout', 'status', 'sts/web', '--timeout=120s'), /complete/);
    await until('web-2 exists', () => k('get', 'pods', '-l', 'app=web', '-o', 'name').includes('pod/web-2'));
    assert.match(k('get', 'sts', 'web'), /NAME\s+READY\s+AGE\s+web\s+3\/3/);
    k('delete', 'sts', 'web');
    await until('the GC took the pods of web', () => k('get', 'pods', '-l', 'app=web', '-o', 'name').trim() === '');
  });
});
