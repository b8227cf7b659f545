// Stock kubectl against a whole cluster (`flotilla up`: store, apiserver, scheduler,
// controller-manager, node agents running real processes): the commands that need
// controllers and nodes — wait, rollout status/history/restart/undo, describe with events,
// logs -f, delete --grace-period, drain, delete --cascade=foreground|background|orphan.
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { downForTest, type TestCluster, upForTest } from './testing.js';

const hasKubectl = spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8' }).status === 0;

describe('kubectl against a running cluster', { skip: hasKubectl ? false : 'kubectl is not installed' }, () => {
  let env: NodeJS.ProcessEnv;
  const k = (...args: string[]) => execFileSync('kubectl', args, { env, encoding: 'utf8', timeout: 90_000 });

  let cluster: TestCluster | undefined;
  before(() => {
    cluster = upForTest(['--masters', '1', '--workers', '2']);
    env = cluster.env;
  });
  after(() => downForTest(cluster));

  test('wait, rollout status/restart/history/undo, describe with events', () => {
    k('create', 'deployment', 'web', '--image=flotilla/hello', '--replicas=2', '--port=8080');
    assert.match(k('wait', '--for=condition=Available', 'deploy/web', '--timeout=60s'), /condition met/);
    assert.match(k('rollout', 'status', 'deploy/web', '--timeout=60s'), /successfully rolled out/);
    assert.match(k('rollout', 'restart', 'deploy/web'), /restarted/);
    assert.match(k('rollout', 'status', 'deploy/web', '--timeout=90s'), /successfully rolled out/);
    const history = k('rollout', 'history', 'deploy/web');
    assert.match(history, /REVISION\s+CHANGE-CAUSE\s+1\s+\S+\s+2\s+/);
    assert.match(k('rollout', 'undo', 'deploy/web'), /rolled back/);
    assert.match(k('rollout', 'status', 'deploy/web', '--timeout=90s'), /successfully rolled out/);
    const described = k('describe', 'deploy', 'web');
    assert.match(described, /Replicas:\s+2 desired \| 2 updated \| 2 total \| 2 available/);
    assert.match(described, /ScalingReplicaSet/);
    const pod = k('get', 'pods', '-l', 'app=web', '-o', 'jsonpath={.items[0].metadata.name}');
    assert.match(k('describe', 'pod', pod), /Status:\s+Running[\s\S]*Events:/);
  });

  test('logs -f streams, delete --grace-period, drain evicts, delete --cascade=foreground', async () => {
    const pod = k('get', 'pods', '-l', 'app=web', '-o', 'jsonpath={.items[0].metadata.name}');
    const follow = spawn('kubectl', ['logs', '-f', pod], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const firstLine = await new Promise<string>((resolve, reject) => {
      follow.stdout.on('data', (d: Buffer) => resolve(d.toString()));
      setTimeout(() => reject(new Error('no log line from kubectl logs -f within 15 s')), 15_000);
    });
    follow.kill();
    assert.match(firstLine, /listening on 127\./);
    assert.match(k('delete', 'pod', pod, '--grace-period=1'), /deleted/);
    const node = k('get', 'pods', '-l', 'app=web', '-o', 'jsonpath={.items[0].spec.nodeName}');
    const drained = k('drain', node, '--ignore-daemonsets', '--delete-emptydir-data', '--timeout=90s');
    assert.match(drained, /evicting pod default\/web-|drained/);
    assert.match(k('get', 'node', node), /SchedulingDisabled/);
    assert.equal(k('get', 'pods', '-l', 'app=web', '--field-selector', `spec.nodeName=${node}`, '-o', 'name').trim(), '');
    k('uncordon', node);
    k('delete', 'deploy', 'web', '--cascade=foreground', '--timeout=90s');
    assert.equal(k('get', 'rs,pods', '-l', 'app=web', '-o', 'name').trim(), '', 'foreground deletion took the dependents');
  });
  test('delete --cascade=background lets the garbage collector take the dependents; orphan leaves them ownerless',
    async () => {
      const until = async (what: string, f: () => boolean) => {
        const deadline = Date.now() + 90_000;
        while (!f()) {
          if (Date.now() > deadline) throw new Error(`${what}: not within 90 s`);
          await new Promise((r) => setTimeout(r, 500));
        }
      };
      const names = (sel: string, kinds = 'rs,pods') => k('get', kinds, '-l', sel, '-o', 'name').trim();
      k('create', 'deployment', 'bg', '--image=flotilla/hello', '--replicas=2', '--port=8080');
      await until('bg has a replicaset and 2 pods', () => names('app=bg').split('\n').length === 3);
      assert.match(k('delete', 'deploy', 'bg', '--cascade=background'), /deployment.apps "bg" deleted/);
      await until('the GC deleted the replicaset and pods of bg', () => names('app=bg') === '');

      k('create', 'deployment', 'orph', '--image=flotilla/hello', '--replicas=1', '--port=8080');
      await until('orph has a replicaset and a pod', () => names('app=orph').split('\n').length === 2);
      const rs = names('app=orph', 'rs').replace('replicaset.apps/', '');
      k('delete', 'deploy', 'orph', '--cascade=orphan');
      k('delete', 'rs', rs, '--cascade=orphan');
      await new Promise((r) => setTimeout(r, 3000)); // give a (wrong) GC time to act
      const pods = JSON.parse(k('get', 'pods', '-l', 'app=orph', '-o', 'json')) as
        { items: { metadata: { ownerReferences?: unknown[] } }[] };
      assert.equal(pods.items.length, 1, 'the orphaned pod is still there');
      assert.deepEqual(pods.items[0]!.metadata.ownerReferences ?? [], [], 'and no longer has an owner');
      k('delete', 'pods', '-l', 'app=orph', '--grace-period=1');
    });
});
