// `flotilla up` end to end with real processes and the real kubectl: 3 masters (store member,
// apiserver, scheduler, controller-manager each), the load balancer and 3 process-runtime
// workers. A Deployment of the hello image runs, is reachable through its Service's cluster IP,
// logs, restarts a killed container, survives the death of a node agent, scales, and
// `flotilla down` leaves no process behind.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { readState, isOurs } from './state.js';

const BIN = fileURLToPath(new URL('../../bin/flotilla.js', import.meta.url));
const hasKubectl = spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8' }).status === 0;

function httpGet(url: string, timeoutMs = 2000): Promise<string> {
  return new Promise((resolve, reject) => {
    // A fresh connection each time (no keep-alive), so the proxy's round robin spreads the requests.
    const req = request(url, { timeout: timeoutMs, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve(body));
    });
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error(`GET ${url}: timeout`)));
    req.end();
  });
}

async function eventually<T>(what: string, timeoutMs: number,
  fn: () => T | undefined | Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined && v !== false) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms${last ? ` (${String(last)})` : ''}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Pids of processes whose environment says they are the container of this pod (only our own processes carry it). */
function containerPids(podName: string): number[] {
  const out: number[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const env = readFileSync(`/proc/${d}/environ`, 'utf8').split('\0');
      if (env.includes(`POD_NAME=${podName}`) && env.some((e) => e.startsWith('FLOTILLA_POD_DIR='))) out.push(Number(d));
    } catch {
      // gone, or not ours to read
    }
  }
  return out;
}

describe('flotilla up: an HA cluster running real pods', { skip: hasKubectl ? false : 'kubectl is not installed' }, () => {
  const stateDir = mkdtempSync(join(tmpdir(), 'flotilla-up-'));
  let env: NodeJS.ProcessEnv;
  const k = (...args: string[]) => execFileSync('kubectl', args, { env, encoding: 'utf8', timeout: 60_000 });
  const pods = () => JSON.parse(k('get', 'pods', '-l', 'app=hello', '-o', 'json')).items as {
    metadata: { name: string; deletionTimestamp?: string }; spec: { nodeName?: string };
    status: { phase?: string; podIP?: string; containerStatuses?: { restartCount: number; ready: boolean }[] } }[];

  before(async () => {
    const t0 = Date.now();
    const r = spawnSync(process.execPath, [BIN, 'up', '--masters', '3', '--workers', '3', '--state-dir', stateDir,
      '--base-port', 'auto', '--port', 'auto', '--fast-node-lifecycle', '--timeout', '120'],
    { encoding: 'utf8', timeout: 180_000 });
    console.log(r.stdout, r.stderr);
    assert.equal(r.status, 0, `flotilla up failed: ${r.stderr}`);
    console.log(`flotilla up: all ready in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    env = { ...process.env, KUBECONFIG: join(stateDir, 'kubeconfig') };
  });

  after(() => {
    const r = spawnSync(process.execPath, [BIN, 'down', '--state-dir', stateDir], { encoding: 'utf8', timeout: 120_000 });
    const s = readState(stateDir);
    const left = s?.processes.filter((p) => isOurs(p, stateDir)) ?? [];
    rmSync(stateDir, { recursive: true, force: true });
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(left.map((p) => p.id), [], 'flotilla down leaves nothing running');
  });

  test('a Deployment runs on three nodes, serves through its cluster IP, logs, restarts, leaves a node whose agent died', async () => {
    writeFileSync(join(stateDir, 'hello.yaml'), `apiVersion: apps/v1
kind: Deployment
metadata: {name: hello}
spec:
  replicas: 3
  selector: {matchLabels: {app: hello}}
  template:
    metadata: {labels: {app: hello}}
    spec:
      terminationGracePeriodSeconds: 2
      topologySpreadConstraints:
        - {maxSkew: 1, topologyKey: kubernetes.io/hostname, whenUnsatisfiable: DoNotSchedule,
           labelSelector: {matchLabels: {app: hello}}}
      containers:
        - name: hello
          image: flotilla/hello
          ports: [{containerPort: 8080}]
          readinessProbe: {httpGet: {path: /healthz, port: 8080}, periodSeconds: 1}
`);
    k('apply', '-f', join(stateDir, 'hello.yaml'));
    k('rollout', 'status', 'deploy/hello', '--timeout=90s');
    const running = await eventually('3 Running pods', 60_000, () => {
      const p = pods().filter((x) => x.status.phase === 'Running' && !x.metadata.deletionTimestamp);
      return p.length === 3 ? p : undefined;
    });
    assert.equal(new Set(running.map((p) => p.spec.nodeName)).size, 3, 'one pod per node');
    assert.equal(new Set(running.map((p) => p.status.podIP)).size, 3, 'distinct pod IPs');
    k('expose', 'deploy/hello', '--port', '80', '--target-port', '8080');
    const clusterIP = k('get', 'svc', 'hello', '-o', 'jsonpath={.spec.clusterIP}');
    const answered = await eventually('every pod answers through the cluster IP', 30_000, async () => {
      const seen = new Set<string>();
      for (let i = 0; i < 30; i++) seen.add(await httpGet(`http://${clusterIP}:80/`));
      return running.every((p) => [...seen].some((s) => s.includes(p.metadata.name))) ? seen : undefined;
    });
    assert.ok(answered.size >= 3);
    const victim = running[0]!;
    assert.ok(k('logs', victim.metadata.name).length > 0, 'kubectl logs shows the server output');
    const pids = containerPids(victim.metadata.name);
    assert.ok(pids.length > 0, 'found the container process');
    for (const pid of pids) process.kill(pid, 'SIGKILL');
    await eventually('restartCount 1 after kill -9', 30_000, () =>
      pods().find((p) => p.metadata.name === victim.metadata.name)?.status.containerStatuses?.[0]?.restartCount === 1);
    // kill -9 the node agent only (its containers live on, as a real node's would without its kubelet).
    const deadNode = running[1]!.spec.nodeName!;
    const agent = readState(stateDir)!.processes.find((p) => p.id === `${deadNode}/node-agent`)!;
    process.kill(-agent.pid!, 'SIGKILL');
    await eventually('pods replaced off the dead node and serving', 90_000, () => {
      const p = pods().filter((x) => x.status.phase === 'Running' && !x.metadata.deletionTimestamp
        && x.spec.nodeName !== deadNode && x.status.containerStatuses?.[0]?.ready);
      return p.length >= 3 ? p : undefined;
    });
    execFileSync(process.execPath, [BIN, 'start', `${deadNode}`, '--state-dir', stateDir]);
    k('scale', 'deploy/hello', '--replicas=6');
    k('rollout', 'status', 'deploy/hello', '--timeout=90s');
    k('delete', 'deploy/hello');
    await eventually('pods gone after delete', 60_000, () => pods().length === 0);
  });
});
