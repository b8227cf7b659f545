// The real `flotilla node-agent` process (process runtime + kube-proxy): a pod runs and is
// reachable through its Service's cluster IP, /metrics and /readyz answer, SIGTERM leaves the
// container running and the next agent adopts it, --cleanup-on-exit stops it.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import type { Endpoints, Pod, Service } from '../../control-plane/api/index.js';
import { startTestApiServer, type TestApiServer } from '../../control-plane/apiserver/testing/harness.js';
import { ApiClient } from '../../control-plane/client/index.js';
import { ENDPOINTS, PODS, SERVICES } from '../kubelet/index.js';
import { eventually, getPod, httpGet, podManifest } from '../kubelet/testing.js';

const MAIN = fileURLToPath(new URL('./testing-main.js', import.meta.url));
const NODE = 'agent-test-node';
const INDEX = 202;

interface Proc {
  child: ChildProcess;
  exited: Promise<number | null>;
  started: Promise<{ metricsPort: number; kubeletPort: number }>;
}

function stopGroup(child: ChildProcess, sig: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, sig);
  } catch {
    // gone
  }
}

describe('flotilla node-agent process', { timeout: 180_000 }, () => {
  let api: TestApiServer;
  let client: ApiClient;
  let root: string;
  const procs: ChildProcess[] = [];

  function startAgent(extra: string[] = []): Proc {
    const child = spawn(process.execPath, [MAIN, 'node-agent', '--kubeconfig', api.kubeconfigPath, '--node-name', NODE,
      '--node-index', String(INDEX), '--runtime', 'process', '--root-dir', root, '--kube-proxy', '--kubelet-port', '0',
      '--metrics-port', '0', '--fast-heartbeat', ...extra], { detached: true, stdio: ['ignore', 'pipe', 'inherit'] });
    procs.push(child);
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    const started = new Promise<{ metricsPort: number; kubeletPort: number }>((resolve, reject) => {
      const rl = readline.createInterface({ input: child.stdout! });
      rl.on('line', (line) => {
        if (process.env['FLOTILLA_TEST_LOG'] !== undefined) console.log(line);
        try {
          const j = JSON.parse(line) as { msg?: string; metricsPort?: number; kubeletPort?: number };
          if (j.msg === 'node agent started') resolve({ metricsPort: j.metricsPort!, kubeletPort: j.kubeletPort! });
        } catch {
          // not JSON
        }
      });
      void exited.then((code) => reject(new Error(`agent exited with ${code} before starting`)));
    });
    return { child, exited, started };
  }

  before(async () => {
    api = await startTestApiServer();
    client = new ApiClient({ server: api.url, token: api.token, caPem: api.caPem });
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'flotilla-agent-'));
  });

  after(async () => {
    for (const c of procs) stopGroup(c, 'SIGKILL');
    // Containers run in process groups of their own: kill whatever the runtime's state still lists.
    try {
      const state = JSON.parse(fs.readFileSync(path.join(root, 'state.json'), 'utf8')) as
        { containers: { pgid: number; state: string }[] };
      for (const c of state.containers) {
        if (c.state !== 'running' || c.pgid <= 1) continue;
        try {
          process.kill(-c.pgid, 'SIGKILL');
        } catch {
          // gone
        }
      }
    } catch {
      // no state
    }
    client?.close();
    await api?.stop();
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('runs a pod reachable on its Service cluster IP; SIGTERM keeps it; the next agent adopts it', async () => {
    let agent = startAgent();
    const { metricsPort } = await agent.started;
    await client.create(PODS, 'default', podManifest('web', NODE, {
      containers: [{ name: 'web', image: 'flotilla/hello', ports: [{ containerPort: 8080, name: 'http' }] }],
    }, { app: 'web' }));
    const pod: Pod = await eventually('web Running', async () => {
      const p = await getPod(client, 'web');
      return p?.status?.phase === 'Running' && p.status.containerStatuses?.[0]?.ready ? p : undefined;
    });
    const ip = pod.status?.podIP ?? '';
    const svc = await client.create<Service>(SERVICES, 'default', { apiVersion: 'v1', kind: 'Service',
      metadata: { name: 'web', namespace: 'default' },
      spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 8080 }] } });
    // No endpoints controller runs here: write the Endpoints it would.
    await client.create<Endpoints>(ENDPOINTS, 'default', { apiVersion: 'v1', kind: 'Endpoints',
      metadata: { name: 'web', namespace: 'default' },
      subsets: [{ addresses: [{ ip, nodeName: NODE }], ports: [{ name: 'http', port: 8080 }] }] });
    const clusterIP = svc.spec?.clusterIP ?? '';
    assert.match(clusterIP, /^127\.96\./);
    const viaService = await eventually('service answers', async () => {
      const r = await httpGet(`http://${clusterIP}:80/`).catch(() => undefined);
      return r?.status === 200 ? r.body : undefined;
    });
    assert.match(viaService, /Hello from web/);
    const metrics = await httpGet(`http://127.0.0.1:${metricsPort}/metrics`);
    assert.match(metrics.body, /kubelet_running_pods 1/);
    assert.match(metrics.body, /flotilla_kubeproxy_listeners [1-9]/);
    assert.equal((await httpGet(`http://127.0.0.1:${metricsPort}/readyz`)).status, 200);

    const before = pod.status?.containerStatuses?.[0];
    stopGroup(agent.child, 'SIGTERM');
    assert.equal(await agent.exited, 0);
    assert.match((await httpGet(`http://${ip}:8080/`)).body, /Hello from web/, 'the container outlives the agent');

    agent = startAgent(['--cleanup-on-exit']);
    await agent.started;
    await new Promise((r) => setTimeout(r, 1500));
    const adopted = (await getPod(client, 'web'))?.status?.containerStatuses?.[0];
    assert.equal(adopted?.containerID, before?.containerID);
    assert.equal(adopted?.restartCount, 0);
    assert.match((await eventually('service answers again', async () => {
      const r = await httpGet(`http://${clusterIP}:80/`).catch(() => undefined);
      return r?.status === 200 ? r.body : undefined;
    })), /Hello from web/);

    stopGroup(agent.child, 'SIGTERM');
    assert.equal(await agent.exited, 0);
    await assert.rejects(httpGet(`http://${ip}:8080/`, 1000), '--cleanup-on-exit stopped the container');
  });
});
