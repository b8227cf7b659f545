// The kubelet on the process runtime against a real apiserver and store: pods run as real
// processes on their pod IPs, statuses are written like Kubernetes', logs are served, crashes
// restart, deletions are graceful and confirmed, and a restarted kubelet adopts its pods.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ConfigMap, Pod, PodCondition } from '../../control-plane/api/index.js';
import { startTestApiServer, type TestApiServer } from '../../control-plane/apiserver/testing/harness.js';
import { ApiClient } from '../../control-plane/client/index.js';
import { ImageCatalogue, nodePodRange, ProcessRuntime } from '../runtime/index.js';
import { Kubelet, KubeletServer, NODES, PODS, CONFIGMAPS, LEASES, NODE_LEASE_NAMESPACE } from './index.js';
import { eventually, getPod, httpGet, podManifest, testLogger } from './testing.js';

const NODE = 'kubelet-test-node';
const INDEX = 201;
const nodeIP = nodePodRange(INDEX).nodeIP;

interface Agent {
  runtime: ProcessRuntime;
  kubelet: Kubelet;
  server: KubeletServer;
  port: number;
}

describe('kubelet on the process runtime', { timeout: 240_000 }, () => {
  let api: TestApiServer;
  let client: ApiClient;
  let root: string;
  let agent: Agent;
  const images = new ImageCatalogue();

  async function startAgent(port = 0): Promise<Agent> {
    const runtime = await ProcessRuntime.open({ rootDir: root, nodeIndex: INDEX, images });
    const node = {
      nodeName: NODE, nodeIndex: INDEX, capacity: { cpu: '4', memory: '8Gi', pods: '110' }, kubeletPort: 0,
      containerRuntimeVersion: 'flotilla-process://0.1', role: 'worker',
    };
    const kubelet = new Kubelet({ client, runtime, node, images, log: testLogger('kubelet'),
      nodeStatusUpdateFrequencyMs: 1000, leaseDurationSeconds: 4 });
    const server = new KubeletServer(kubelet);
    node.kubeletPort = await server.listen(nodeIP, port);
    await kubelet.start();
    return { runtime, kubelet, server, port: node.kubeletPort };
  }

  async function stopAgent(a: Agent): Promise<void> {
    await a.kubelet.stop();
    await a.server.close();
    await a.runtime.close();
  }

  async function waitPhase(name: string, phase: string, timeoutMs = 20_000): Promise<Pod> {
    return eventually(`pod ${name} ${phase}`, async () => {
      const p = await getPod(client, name);
      return p?.status?.phase === phase ? p : undefined;
    }, timeoutMs);
  }

  before(async () => {
    api = await startTestApiServer();
    client = new ApiClient({ server: api.url, token: api.token, caPem: api.caPem });
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'flotilla-kubelet-'));
    agent = await startAgent();
  });

  after(async () => {
    // Leave nothing running: stop every container of the runtime (their process groups), then the apiserver.
    if (agent !== undefined) {
      for (const sb of agent.runtime.listSandboxes()) {
        await agent.runtime.removePodSandbox(sb.id).catch(() => undefined);
      }
      await stopAgent(agent);
    }
    client?.close();
    await api?.stop();
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('registers its Node Ready with addresses, capacity and kubelet endpoint, and renews its Lease', async () => {
    const node = await eventually('node', () => client.get<import('../../control-plane/api/index.js').Node>(NODES, '', NODE));
    const ready = node.status?.conditions?.find((c) => c.type === 'Ready');
    assert.equal(ready?.status, 'True');
    assert.equal(ready?.reason, 'KubeletReady');
    assert.deepEqual(node.status?.addresses?.[0], { type: 'InternalIP', address: nodeIP });
    assert.equal(node.status?.daemonEndpoints?.kubeletEndpoint?.Port, agent.port);
    assert.equal(node.status?.nodeInfo?.kubeletVersion, 'v1.32.0-flotilla');
    assert.equal(node.metadata?.labels?.['kubernetes.io/hostname'], NODE);
    assert.equal(node.metadata?.labels?.['node-role.kubernetes.io/worker'], '');
    assert.equal(node.spec?.podCIDR, nodePodRange(INDEX).cidr);
    const lease = await eventually('lease', () => client.get<import('../../control-plane/api/index.js').Lease>(LEASES,
      NODE_LEASE_NAMESPACE, NODE));
    assert.equal(lease.spec?.holderIdentity, NODE);
    const t0 = lease.spec?.renewTime;
    await eventually('lease renewed', async () => (await client.get<typeof lease>(LEASES, NODE_LEASE_NAMESPACE, NODE))
      .spec?.renewTime !== t0, 5000);
  });

  it('runs flotilla/hello: Running with a pod IP, answers on podIP:port, logs served by the kubelet', async () => {
    const started = Date.now();
    await client.create(PODS, 'default', podManifest('hello', NODE, {
      containers: [{ name: 'hello', image: 'flotilla/hello', ports: [{ containerPort: 8080 }],
        readinessProbe: { httpGet: { path: '/healthz', port: 8080 }, periodSeconds: 1 } }],
    }));
    const pod: Pod = await eventually('hello ready', async () => {
      const p = await getPod(client, 'hello');
      return p?.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True' ? p : undefined;
    });
    console.log(`  hello Running and Ready in ${Date.now() - started} ms`);
    assert.equal(pod.status?.phase, 'Running');
    const ip = pod.status?.podIP ?? '';
    assert.match(ip, /^127\.10\.201\.\d+$/);
    assert.deepEqual(pod.status?.podIPs, [{ ip }]);
    assert.equal(pod.status?.hostIP, nodeIP);
    const cs = pod.status?.containerStatuses?.[0];
    assert.equal(cs?.ready, true);
    assert.equal(cs?.started, true);
    assert.equal(cs?.restartCount, 0);
    assert.match(cs?.containerID ?? '', /^flotilla:\/\/[0-9a-f]+$/);
    assert.ok(cs?.state?.running?.startedAt);
    for (const t of ['PodScheduled', 'Initialized', 'ContainersReady', 'Ready']) {
      const c: PodCondition | undefined = pod.status?.conditions?.find((x) => x.type === t);
      assert.equal(c?.status, 'True', t);
      assert.ok(c?.lastTransitionTime, t);
    }
    const res = await httpGet(`http://${ip}:8080/`);
    assert.match(res.body, /Hello from hello at/);
    const logs = await eventually('logs', async () => {
      const r = await httpGet(`http://${nodeIP}:${agent.port}/containerLogs/default/hello/hello`);
      return r.status === 200 && r.body.includes('listening on') ? r.body : undefined;
    });
    assert.match(logs, /hello: hello listening on 127\.10\.201\.\d+:8080/);
    const ts = await httpGet(`http://${nodeIP}:${agent.port}/containerLogs/default/hello/hello?timestamps=true&tailLines=1`);
    assert.match(ts.body, /^\d{4}-\d\d-\d\dT[\d:.]+Z hello: /);
    const missing = await httpGet(`http://${nodeIP}:${agent.port}/containerLogs/default/nope/hello`);
    assert.equal(missing.status, 404);
  });

  it('restarts a container killed with SIGKILL: restartCount 1, lastState terminated 137', async () => {
    const c: { pid?: number } | undefined = agent.runtime.listContainers()
      .find((x) => x.name === 'hello' && x.state === 'running');
    assert.ok(c?.pid);
    process.kill(-c.pid, 'SIGKILL');
    const pod = await eventually('restartCount 1', async () => {
      const p = await getPod(client, 'hello');
      const s = p?.status?.containerStatuses?.[0];
      return s?.restartCount === 1 && s.state?.running !== undefined ? p : undefined;
    });
    const s = pod.status?.containerStatuses?.[0];
    assert.equal(s?.lastState?.terminated?.exitCode, 137);
    const prev = await httpGet(`http://${nodeIP}:${agent.port}/containerLogs/default/hello/hello?previous=true`);
    assert.equal(prev.status, 200);
    assert.match(prev.body, /listening on/);
  });

  it('a busybox `exit 1` with restartPolicy Never ends Failed with exitCode 1', async () => {
    await client.create(PODS, 'default', podManifest('fails', NODE, {
      restartPolicy: 'Never', containers: [{ name: 'main', image: 'busybox', command: ['sh', '-c', 'exit 1'] }],
    }));
    const pod = await waitPhase('fails', 'Failed');
    const t = pod.status?.containerStatuses?.[0]?.state?.terminated;
    assert.equal(t?.exitCode, 1);
    assert.equal(t?.reason, 'Error');
    assert.equal(pod.status?.conditions?.find((c) => c.type === 'Ready')?.reason, 'PodCompleted');
  });

  it('resolves env (fieldRef, configMapKeyRef, $(VAR)), mounts a configMap, runs init containers first', async () => {
    await client.create<ConfigMap>(CONFIGMAPS, 'default', { apiVersion: 'v1', kind: 'ConfigMap',
      metadata: { name: 'cfg', namespace: 'default' }, data: { greeting: 'hi', 'app.conf': 'mode=fast\n' } });
    await client.create(PODS, 'default', podManifest('envy', NODE, {
      restartPolicy: 'Never',
      volumes: [{ name: 'conf', configMap: { name: 'cfg' } }, { name: 'work', emptyDir: {} }],
      initContainers: [{ name: 'init', image: 'busybox', command: ['sh', '-c', 'echo from-init > "$FLOTILLA_MOUNT_WORK/x"'],
        volumeMounts: [{ name: 'work', mountPath: '/work' }] }],
      containers: [{
        name: 'main', image: 'busybox', volumeMounts: [{ name: 'conf', mountPath: '/etc/conf' },
          { name: 'work', mountPath: '/work' }],
        command: ['sh', '-c', 'echo "$ME $NS $GREETING $MSG $IP"; cat etc/conf/app.conf; cat work/x'],
        env: [
          { name: 'ME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
          { name: 'NS', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
          { name: 'IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
          { name: 'GREETING', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'greeting' } } },
          { name: 'MSG', value: '$(GREETING)-there $$(literal)' },
        ],
      }],
    }));
    const pod = await waitPhase('envy', 'Succeeded');
    assert.equal(pod.status?.initContainerStatuses?.[0]?.state?.terminated?.exitCode, 0);
    const logs = await httpGet(`http://${nodeIP}:${agent.port}/containerLogs/default/envy/main`);
    assert.match(logs.body, /^envy default hi hi-there \$\(literal\) 127\.10\.201\.\d+\nmode=fast\nfrom-init\n$/);
  });

  it('a crashing container under restartPolicy Always goes CrashLoopBackOff', async () => {
    await client.create(PODS, 'default', podManifest('crashy', NODE, {
      containers: [{ name: 'main', image: 'busybox', command: ['sh', '-c', 'echo boom; exit 3'] }],
    }));
    const s = await eventually('CrashLoopBackOff', async () => {
      const cs = (await getPod(client, 'crashy'))?.status?.containerStatuses?.[0];
      return cs?.state?.waiting?.reason === 'CrashLoopBackOff' ? cs : undefined;
    }, 10_000, 50);
    assert.equal(s.restartCount, 1);
    assert.equal(s.lastState?.terminated?.exitCode, 3);
    assert.match(s.state?.waiting?.message ?? '', /^back-off 10s restarting failed container=main pod=crashy_default/);
    assert.equal((await getPod(client, 'crashy'))?.status?.phase, 'Running');
    await client.delete(PODS, 'default', 'crashy');
    await eventually('crashy gone', async () => (await getPod(client, 'crashy')) === undefined);
  });

  it('a failing liveness probe restarts the container', async () => {
    await client.create(PODS, 'default', podManifest('unlive', NODE, {
      containers: [{ name: 'main', image: 'flotilla/hello', ports: [{ containerPort: 8080 }],
        livenessProbe: { httpGet: { path: '/nope', port: 8080 }, periodSeconds: 1, failureThreshold: 2 } }],
    }));
    const s = await eventually('restarted by liveness', async () => {
      const cs = (await getPod(client, 'unlive'))?.status?.containerStatuses?.[0];
      return (cs?.restartCount ?? 0) >= 1 ? cs : undefined;
    }, 15_000);
    assert.ok(s.lastState?.terminated, 'the killed instance is lastState');
    await client.delete(PODS, 'default', 'unlive', { gracePeriodSeconds: 1 });
    await eventually('unlive gone', async () => (await getPod(client, 'unlive')) === undefined);
  });

  it('reports ErrImagePull then ImagePullBackOff for an image not in the catalogue', async () => {
    await client.create(PODS, 'default', podManifest('noimage', NODE, {
      containers: [{ name: 'main', image: 'example.com/nope:1' }],
    }));
    const seen = new Set<string>();
    await eventually('ImagePullBackOff', async () => {
      const r = (await getPod(client, 'noimage'))?.status?.containerStatuses?.[0]?.state?.waiting?.reason;
      if (r !== undefined) seen.add(r);
      return seen.has('ImagePullBackOff');
    }, 10_000, 50);
    assert.ok(seen.has('ErrImagePull'), [...seen].join());
    assert.equal((await getPod(client, 'noimage'))?.status?.phase, 'Pending');
    await client.delete(PODS, 'default', 'noimage');
    await eventually('noimage gone', async () => (await getPod(client, 'noimage')) === undefined);
  });

  it('a restarted kubelet adopts the running pod without restarting it', async () => {
    const before = (await getPod(client, 'hello'))?.status?.containerStatuses?.[0];
    const pidBefore = agent.runtime.listContainers().find((x) => x.name === 'hello' && x.state === 'running')?.pid;
    await stopAgent(agent);
    agent = await startAgent(agent.port);
    await new Promise((r) => setTimeout(r, 1500));
    const after = (await getPod(client, 'hello'))?.status?.containerStatuses?.[0];
    assert.equal(after?.containerID, before?.containerID);
    assert.equal(after?.restartCount, before?.restartCount);
    assert.ok(after?.state?.running);
    const pidAfter = agent.runtime.listContainers().find((x) => x.name === 'hello' && x.state === 'running')?.pid;
    assert.equal(pidAfter, pidBefore);
    const ip = (await getPod(client, 'hello'))?.status?.podIP;
    assert.match((await httpGet(`http://${ip}:8080/`)).body, /Hello from hello/);
  });

  it('removes sandboxes of pods deleted while it was down (no orphans)', async () => {
    await client.create(PODS, 'default', podManifest('orphan', NODE, {
      containers: [{ name: 'main', image: 'busybox', command: ['sh', '-c', 'sleep 600'] }],
    }));
    await waitPhase('orphan', 'Running');
    const pid = agent.runtime.listContainers().find((x) => x.name === 'main' && x.state === 'running')?.pid;
    assert.ok(pid);
    await stopAgent(agent);
    // Force-delete while no kubelet runs: the object goes at once.
    await client.delete(PODS, 'default', 'orphan', { gracePeriodSeconds: 0 });
    agent = await startAgent(agent.port);
    await eventually('orphan process gone', () => !alive(pid), 10_000);
    assert.equal(agent.runtime.listSandboxes().some((s) => s.name === 'orphan'), false);
  });

  it('deletes gracefully: SIGTERM, containers gone, then the pod object is removed', async () => {
    const c = agent.runtime.listContainers().find((x) => x.name === 'hello' && x.state === 'running');
    assert.ok(c?.pid);
    const t0 = Date.now();
    await client.delete(PODS, 'default', 'hello');
    await eventually('hello removed', async () => (await getPod(client, 'hello')) === undefined);
    console.log(`  graceful delete confirmed in ${Date.now() - t0} ms`);
    assert.equal(alive(c.pid), false);
    assert.equal(agent.runtime.listSandboxes().some((s) => s.name === 'hello'), false);
  });
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
