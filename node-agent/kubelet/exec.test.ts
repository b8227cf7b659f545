// `kubectl exec` end to end with the stock kubectl: the real apiserver (harness) proxies the
// WebSocket (v5.channel.k8s.io) to this kubelet, which runs the command in the container's
// context on the process runtime. Output, exit codes, stdin, -c, and the errors kubectl prints.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { findResource, type Pod } from '../../control-plane/api/index.js';
import { NOBODY_TOKEN, startTestApiServer, type TestApiServer } from '../../control-plane/apiserver/testing/harness.js';
import { ApiClient, type KubeObject } from '../../control-plane/client/index.js';
import { ImageCatalogue, nodePodRange, ProcessRuntime } from '../runtime/index.js';
import { Kubelet, KubeletServer, PODS } from './index.js';
import { eventually, getPod, podManifest, testLogger } from './testing.js';

const NODE = 'exec-test-node';
const INDEX = 204;
const KUBECTL_TIMEOUT_MS = 30_000;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

describe('kubectl exec through the apiserver to the kubelet', { timeout: 180_000 }, () => {
  let api: TestApiServer;
  let client: ApiClient;
  let root: string;
  let runtime: ProcessRuntime;
  let kubelet: Kubelet;
  let server: KubeletServer;
  const started = new Set<number>();

  /** Runs kubectl in its own process group (killed at the timeout and in after()). */
  function kubectl(args: string[], input?: string): Promise<Run> {
    return new Promise((resolve, reject) => {
      const child = spawn('kubectl', ['--kubeconfig', api.kubeconfigPath, ...args],
        { detached: true, stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
      if (child.pid !== undefined) started.add(child.pid);
      let stdout = '';
      let stderr = '';
      child.stdout?.setEncoding('utf8').on('data', (d: string) => (stdout += d));
      child.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr += d));
      child.stdin?.end(input);
      const timer = setTimeout(() => killGroup(child.pid), KUBECTL_TIMEOUT_MS);
      child.once('error', reject);
      child.once('close', (code) => {
        clearTimeout(timer);
        if (child.pid !== undefined) started.delete(child.pid);
        resolve({ code, stdout, stderr });
      });
    });
  }

  function killGroup(pgid: number | undefined): void {
    if (pgid === undefined) return;
    try {
      process.kill(-pgid, 'SIGKILL');
    } catch {
      // already gone
    }
  }

  async function runningPod(name: string, containers: NonNullable<Pod['spec']>['containers']): Promise<void> {
    await client.create(PODS, 'default', podManifest(name, NODE, { containers }));
    await eventually(`pod ${name} Running`, async () => (await getPod(client, name))?.status?.phase === 'Running');
  }

  before(async () => {
    api = await startTestApiServer();
    client = new ApiClient({ server: api.url, token: api.token, caPem: api.caPem });
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'flotilla-exec-'));
    const images = new ImageCatalogue();
    runtime = await ProcessRuntime.open({ rootDir: root, nodeIndex: INDEX, images });
    const node = { nodeName: NODE, nodeIndex: INDEX, capacity: { cpu: '4', memory: '8Gi', pods: '110' }, kubeletPort: 0,
      containerRuntimeVersion: 'flotilla-process://0.1', role: 'worker' };
    kubelet = new Kubelet({ client, runtime, node, images, log: testLogger('kubelet'),
      nodeStatusUpdateFrequencyMs: 1000, leaseDurationSeconds: 4 });
    server = new KubeletServer(kubelet);
    node.kubeletPort = await server.listen(nodePodRange(INDEX).nodeIP, 0);
    await kubelet.start();
    await runningPod('box', [{ name: 'box', image: 'busybox', command: ['sleep', '3600'],
      env: [{ name: 'GREETING', value: 'hi from the pod' }] }]);
    await runningPod('two', [{ name: 'first', image: 'busybox', command: ['sleep', '3600'] },
      { name: 'second', image: 'busybox', command: ['sleep', '3600'], env: [{ name: 'WHO', value: 'second' }] }]);
  });

  after(async () => {
    for (const pgid of started) killGroup(pgid);
    // The kubelet first (it would restart containers removed under it), then every container's process group.
    await kubelet?.stop();
    await server?.close();
    if (runtime !== undefined) {
      for (const sb of runtime.listSandboxes()) await runtime.removePodSandbox(sb.id).catch(() => undefined);
      await runtime.close();
    }
    client?.close();
    await api?.stop();
    if (root !== undefined) fs.rmSync(root, { recursive: true, force: true });
  });

  it('prints the output of a command', async () => {
    const r = await kubectl(['exec', 'box', '--', 'echo', 'hello']);
    assert.equal(r.stdout, 'hello\n', r.stderr);
    assert.equal(r.code, 0);
  });

  it('runs in the container context: its env and its root as the working directory', async () => {
    const r = await kubectl(['exec', 'box', '--', 'sh', '-c', 'echo "$GREETING"; pwd']);
    assert.equal(r.code, 0, r.stderr);
    const [greeting, cwd] = r.stdout.trim().split('\n');
    assert.equal(greeting, 'hi from the pod');
    assert.match(cwd ?? '', /containers\/box\/root$/);
  });

  it('passes stderr and the exit code through', async () => {
    const r = await kubectl(['exec', 'box', '--', 'sh', '-c', 'echo out; echo err >&2; exit 3']);
    assert.equal(r.code, 3);
    assert.equal(r.stdout, 'out\n');
    assert.match(r.stderr, /^err\n/);
    assert.match(r.stderr, /command terminated with exit code 3/);
  });

  it('streams stdin with -i until EOF', async () => {
    const data = `data\n${'x'.repeat(200_000)}\nend\n`;
    const r = await kubectl(['exec', '-i', 'box', '--', 'cat'], data);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, data);
  });

  it('streams large output with back-pressure', async () => {
    const r = await kubectl(['exec', 'box', '--', 'sh', '-c', 'head -c 8000000 /dev/zero | tr "\\0" a']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.length, 8_000_000);
    assert.match(r.stdout, /^a+$/);
  });

  it('kills the command when the client goes away', async () => {
    const marker = 'sleep 301.25';
    const child = spawn('kubectl', ['--kubeconfig', api.kubeconfigPath, 'exec', 'box', '--', 'sh', '-c',
      `echo started; ${marker}`], { detached: true, stdio: ['ignore', 'pipe', 'ignore'] });
    if (child.pid !== undefined) started.add(child.pid);
    await new Promise((resolve) => child.stdout?.once('data', resolve));
    const running = (): boolean => execFileSync('ps', ['-eo', 'args']).toString().split('\n').some((l) => l === marker);
    assert.ok(running());
    killGroup(child.pid);
    await eventually('the exec command is gone', () => !running(), 10_000);
  });

  it('picks the container with -c', async () => {
    const r = await kubectl(['exec', 'two', '-c', 'second', '--', 'sh', '-c', 'echo $WHO']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'second\n');
  });

  it('refuses an unknown container, an unknown pod and a missing command binary', async () => {
    const noContainer = await kubectl(['exec', 'box', '-c', 'nosuch', '--', 'true']);
    assert.notEqual(noContainer.code, 0);
    assert.match(noContainer.stderr, /container nosuch/);
    const noPod = await kubectl(['exec', 'ghost', '--', 'true']);
    assert.notEqual(noPod.code, 0);
    assert.match(noPod.stderr, /pods "ghost" not found/);
    const noBinary = await kubectl(['exec', 'box', '--', 'no-such-binary-here']);
    assert.notEqual(noBinary.code, 0);
    assert.match(noBinary.stderr, /no-such-binary-here/);
  });

  it('authorizes the upgrade as create on pods/exec', async () => {
    // "nobody" may read pods (kubectl GETs the pod first) but not exec into them.
    const rbac = (plural: string) => findResource('rbac.authorization.k8s.io', plural)!;
    await client.create<KubeObject>(rbac('roles'), 'default', { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role',
      metadata: { name: 'pod-reader' }, rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }] } as KubeObject);
    await client.create<KubeObject>(rbac('rolebindings'), 'default', { apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding', metadata: { name: 'nobody-reads-pods' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'pod-reader' },
      subjects: [{ kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: 'nobody' }] } as KubeObject);
    const r = await eventually('nobody can get pods', async () => {
      const run = await kubectl(['--token', NOBODY_TOKEN, 'exec', 'box', '--', 'true']);
      return /cannot get resource/.test(run.stderr) ? undefined : run;
    });
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /cannot create resource "pods\/exec" in API group "" in the namespace "default"/);
  });
});
