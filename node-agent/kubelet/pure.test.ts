// The kubelet's pure pieces: $(VAR) expansion and env/volume resolution, pod phase and
// container statuses as Kubernetes computes them, taints and labels flags.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ConfigMap, Pod, Secret } from '../../control-plane/api/index.js';
import type { ContainerStatusInfo } from '../runtime/index.js';
import { ContainerConfigError, VolumeSetupError } from './errors.js';
import { expandVars, type ObjectSource, resolveContainer, resolveVolumes } from './env.js';
import { parseLabels, parseTaints } from './node-status.js';
import { computePodStatus, containerStatusOf, type ContainerView } from './pod-status.js';

const b64 = (s: string): string => Buffer.from(s).toString('base64');

const source: ObjectSource = {
  configMap: async (_ns, name) => (name === 'cm' ? { data: { a: '1', b: '2', 'bad name': 'x' } } as ConfigMap : undefined),
  secret: async (_ns, name) => (name === 's' ? { data: { pw: b64('hunter2') } } as Secret : undefined),
};

const pod: Pod = {
  metadata: { name: 'p', namespace: 'ns', uid: 'u1', labels: { app: 'x' } },
  spec: { nodeName: 'n1', containers: [{ name: 'c', image: 'busybox' }] },
};

describe('$(VAR) expansion (expansion.Expand)', () => {
  const vars: Record<string, string> = { A: 'x', B: 'y' };
  const look = (n: string): string | undefined => vars[n];
  it('expands known references, keeps unknown ones, $$ escapes', () => {
    assert.equal(expandVars('$(A)-$(B)', look), 'x-y');
    assert.equal(expandVars('$(C)', look), '$(C)');
    assert.equal(expandVars('$$(A)', look), '$(A)');
    assert.equal(expandVars('a$b $', look), 'a$b $');
    assert.equal(expandVars('$(A', look), '$(A');
  });
});

describe('resolveContainer', () => {
  const ctx = { pod, podIP: '127.10.0.2', hostIP: '127.10.0.1', source, allocatable: { cpu: '4', memory: '1Gi' } };
  it('folds envFrom (prefixed, invalid names skipped), valueFrom and $(VAR) into values', async () => {
    const c = await resolveContainer({
      name: 'c', image: 'busybox', envFrom: [{ configMapRef: { name: 'cm' }, prefix: 'CM_' }],
      env: [
        { name: 'UID', valueFrom: { fieldRef: { fieldPath: 'metadata.uid' } } },
        { name: 'APP', valueFrom: { fieldRef: { fieldPath: "metadata.labels['app']" } } },
        { name: 'PW', valueFrom: { secretKeyRef: { name: 's', key: 'pw' } } },
        { name: 'OPT', valueFrom: { configMapKeyRef: { name: 'missing', key: 'k', optional: true } } },
        { name: 'CPU', valueFrom: { resourceFieldRef: { resource: 'limits.cpu' } } },
        { name: 'X', value: '$(CM_a)$(PW)' },
      ],
      args: ['$(UID)'],
    }, ctx);
    assert.deepEqual(Object.fromEntries((c.env ?? []).map((e) => [e.name, e.value])),
      { CM_a: '1', CM_b: '2', UID: 'u1', APP: 'x', PW: 'hunter2', CPU: '4', X: '1hunter2' });
    assert.deepEqual(c.args, ['u1']);
    assert.equal(c.envFrom, undefined);
  });
  it('a missing configMap or key is a CreateContainerConfigError', async () => {
    await assert.rejects(resolveContainer({ name: 'c', env: [{ name: 'A', valueFrom: { configMapKeyRef: { name: 'nope',
      key: 'k' } } }] }, ctx), (e) => e instanceof ContainerConfigError && /configmap "nope" not found/.test(e.message));
    await assert.rejects(resolveContainer({ name: 'c', env: [{ name: 'A', valueFrom: { configMapKeyRef: { name: 'cm',
      key: 'zz' } } }] }, ctx), /couldn't find key zz in ConfigMap ns\/cm/);
  });
  it('projects configMap items and decodes secrets; a missing source fails the mount', async () => {
    const vols = await resolveVolumes({ ...pod, spec: { ...pod.spec!, volumes: [
      { name: 'a', configMap: { name: 'cm', items: [{ key: 'a', path: 'dir/a.txt', mode: 0o600 }] } },
      { name: 'b', secret: { secretName: 's' } }, { name: 'c', emptyDir: {} },
      { name: 'd', configMap: { name: 'missing', optional: true } }] } }, source);
    assert.deepEqual(vols[0]?.files, { 'dir/a.txt': { data: '1', mode: 0o600 } });
    assert.equal(Buffer.from(vols[1]?.files?.['pw']?.data as Uint8Array).toString(), 'hunter2');
    assert.deepEqual(vols[2], { name: 'c', emptyDir: {} });
    assert.deepEqual(vols[3]?.files, {});
    await assert.rejects(resolveVolumes({ ...pod, spec: { ...pod.spec!, volumes: [{ name: 'x', secret: { secretName:
      'nope' } }] } }, source), (e) => e instanceof VolumeSetupError);
  });
});

function info(state: 'running' | 'terminated', attempt: number, exitCode?: number): ContainerStatusInfo {
  return { id: `id${attempt}`, sandboxId: 's', name: 'c', image: 'busybox', attempt, state, startedAtMs: 1000,
    ...(state === 'terminated' ? { exitCode, finishedAtMs: 2000, reason: exitCode === 0 ? 'Completed' : 'Error' } : {}) };
}

function view(o: Partial<ContainerView>): ContainerView {
  return { name: 'c', image: 'busybox', ready: true, started: true, ...o };
}

function phaseOf(policy: string, views: ContainerView[], init: ContainerView[] = []): string | undefined {
  return computePodStatus({ pod: { ...pod, spec: { ...pod.spec!, restartPolicy: policy } }, initContainers: init,
    containers: views, podIP: '127.10.0.2', hostIP: '127.10.0.1', startTimeMs: 0, sandboxReady: true, nowMs: 5000 }).phase;
}

describe('pod phase (getPhase) and container statuses', () => {
  it('Pending while a container waits, Running while one runs', () => {
    assert.equal(phaseOf('Always', [view({})]), 'Pending');
    assert.equal(phaseOf('Always', [view({ current: info('running', 0) })]), 'Running');
  });
  it('terminated containers: Succeeded/Failed under Never and OnFailure, Running under Always', () => {
    assert.equal(phaseOf('Never', [view({ current: info('terminated', 0, 1) })]), 'Failed');
    assert.equal(phaseOf('Never', [view({ current: info('terminated', 0, 0) })]), 'Succeeded');
    assert.equal(phaseOf('OnFailure', [view({ current: info('terminated', 0, 0) })]), 'Succeeded');
    assert.equal(phaseOf('Always', [view({ current: info('terminated', 0, 0) })]), 'Running');
  });
  it('CrashLoopBackOff: waiting with lastState terminated, restartCount from the attempt', () => {
    const s = containerStatusOf(view({ current: info('terminated', 2, 1), waiting: { reason: 'CrashLoopBackOff',
      message: 'back-off 20s' } }));
    assert.deepEqual(s.state, { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 20s' } });
    assert.equal(s.lastState?.terminated?.exitCode, 1);
    assert.equal(s.restartCount, 2);
    assert.equal(s.containerID, 'flotilla://id2');
    assert.equal(phaseOf('Always', [view({ current: info('terminated', 2, 1), waiting: { reason: 'CrashLoopBackOff' } })]),
      'Running');
  });
  it('init containers: Pending until all succeed; a failed one under Never fails the pod', () => {
    assert.equal(phaseOf('Always', [view({})], [view({ current: info('running', 0) })]), 'Pending');
    assert.equal(phaseOf('Never', [view({})], [view({ current: info('terminated', 0, 3) })]), 'Failed');
    assert.equal(phaseOf('Always', [view({ current: info('running', 0) })], [view({ current: info('terminated', 0, 0) })]),
      'Running');
  });
  it('conditions say which containers are not ready, and keep their transition times', () => {
    const st = computePodStatus({ pod, initContainers: [], containers: [view({ current: info('running', 0), ready: false })],
      podIP: '127.10.0.2', hostIP: '127.10.0.1', startTimeMs: 0, sandboxReady: true, nowMs: 5000 });
    const ready = st.conditions?.find((c) => c.type === 'Ready');
    assert.equal(ready?.status, 'False');
    assert.equal(ready?.message, 'containers with unready status: [c]');
    const again = computePodStatus({ pod, initContainers: [], containers: [view({ current: info('running', 0),
      ready: false })], podIP: '127.10.0.2', hostIP: '127.10.0.1', startTimeMs: 0, sandboxReady: true, nowMs: 99_000,
    previous: st });
    assert.equal(again.conditions?.find((c) => c.type === 'Ready')?.lastTransitionTime, ready?.lastTransitionTime);
    assert.equal(JSON.stringify(again), JSON.stringify(st));
  });
});

describe('flags', () => {
  it('parses --register-with-taints and --node-labels', () => {
    assert.deepEqual(parseTaints('a=b:NoSchedule,c:NoExecute'), [{ key: 'a', value: 'b', effect: 'NoSchedule' },
      { key: 'c', effect: 'NoExecute' }]);
    assert.throws(() => parseTaints('a=b'), /not key\[=value\]/);
    assert.deepEqual(parseLabels('x=1, y=2'), { x: '1', y: '2' });
  });
});
