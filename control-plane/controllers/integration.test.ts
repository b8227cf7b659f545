// Real processes: a store + apiserver (the harness), two controller-managers as child processes in
// their own process groups, stock kubectl. Pods are made Running/Ready by a fake kubelet loop here
// (there is no node agent in this test).
import assert from 'node:assert/strict';
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { Deployment, Lease, Pod, ReplicaSet } from '../api/index.js';
import { startTestApiServer, type TestApiServer } from '../apiserver/testing/harness.js';
import { ApiClient, isNotFound, LEASES } from '../client/index.js';
import { R } from './types.js';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../../../', import.meta.url)); // /work/main (the repo)
const BIN = join(ROOT, 'bin', 'flotilla.js');
const LOCAL_MAIN = fileURLToPath(new URL('./testing/cm-main.js', import.meta.url));
const NS = 'it';

function command(): string[] {
  const main = join(ROOT, 'dist', 'cli', 'main.js');
  const wired = existsSync(main) && readFileSync(main, 'utf8').includes('registerControllerManager');
  return wired ? [BIN, 'controller-manager'] : [LOCAL_MAIN];
}

let h: TestApiServer;
let api: ApiClient;
const cms: { child: ChildProcess; log: string }[] = [];
let kubelet: ReturnType<typeof setInterval> | undefined;

function startCm(i: number): { child: ChildProcess; log: string } {
  const log = join(h.dir, `cm-${i}.log`);
  const fd = openSync(log, 'a');
  const child = spawn(process.execPath, [...command(), '--kubeconfig', h.kubeconfigPath, '--secure-port', '0',
    '--leader-elect=true', '--controllers', '*'], { detached: true, stdio: ['ignore', fd, fd] });
  const entry = { child, log };
  cms.push(entry);
  return entry;
}

function killGroup(c: ChildProcess, sig: NodeJS.Signals): void {
  if (c.pid === undefined || c.exitCode !== null || c.signalCode !== null) return;
  try { process.kill(-c.pid, sig); } catch { /* gone */ }
}

async function until<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined) return v;
    } catch { /* retry */ }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The kubelet's part, faked: every pod of the namespace becomes Running and Ready with an IP. */
async function fakeKubelet(): Promise<void> {
  const { items } = await api.listAll<Pod>(R.pods, { namespace: NS });
  let ip = 10;
  for (const p of items) {
    ip++;
    if (p.metadata?.deletionTimestamp !== undefined || p.status?.conditions?.some((c) => c.type === 'Ready')) continue;
    const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    await api.patch(R.pods, NS, p.metadata!.name!, 'merge', { status: { phase: 'Running', podIP: `127.0.1.${ip % 250}`,
      startTime: now, conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: now }] } },
    { subresource: 'status' }).catch(() => undefined);
  }
}

async function kubectl(...args: string[]): Promise<{ stdout: string; code: number }> {
  try {
    const r = await run('kubectl', args, { env: { ...process.env, KUBECONFIG: h.kubeconfigPath }, timeout: 90_000 });
    return { stdout: r.stdout, code: 0 };
  } catch (e) {
    const x = e as { stdout?: string; stderr?: string; code?: number };
    return { stdout: `${x.stdout ?? ''}${x.stderr ?? ''}`, code: x.code ?? 1 };
  }
}

before(async () => {
  h = await startTestApiServer();
  api = new ApiClient({ server: h.url, token: h.token, caPem: h.caPem });
  startCm(0);
  startCm(1);
  kubelet = setInterval(() => { fakeKubelet().catch(() => undefined); }, 200);
});

after(async () => {
  if (kubelet !== undefined) clearInterval(kubelet);
  for (const c of cms) {
    const exited = c.child.exitCode !== null || c.child.signalCode !== null ? Promise.resolve()
      : new Promise((r) => c.child.once('exit', r));
    killGroup(c.child, 'SIGTERM');
    const t = setTimeout(() => killGroup(c.child, 'SIGKILL'), 5000);
    await exited;
    clearTimeout(t);
  }
  api?.close();
  await h?.stop();
});

async function rs(): Promise<ReplicaSet[]> {
  return (await api.listAll<ReplicaSet>(R.replicaSets, { namespace: NS })).items;
}

test('a Deployment rolls out, kubectl rollout status succeeds, an image update rolls to a new ReplicaSet', async () => {
  await api.create(R.namespaces, '', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
  const d: Deployment = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: NS },
    spec: { replicas: 5, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } },
      spec: { containers: [{ name: 'web', image: 'nginx:1.25' }] } } } };
  await api.create(R.deployments, NS, d);
  await until('deployment available', async () => {
    const cur = await api.get<Deployment>(R.deployments, NS, 'web');
    return cur.status?.availableReplicas === 5 ? cur : undefined;
  });
  const st = await kubectl('rollout', 'status', 'deploy/web', '-n', NS, '--timeout=60s');
  assert.equal(st.code, 0, st.stdout);
  assert.match(st.stdout, /successfully rolled out/);
  const first = await rs();
  assert.equal(first.length, 1);
  assert.match(first[0]!.metadata!.name!, /^web-[bcdfghjklmnpqrstvwxz2456789]+$/);
  assert.equal(first[0]!.metadata!.annotations!['deployment.kubernetes.io/revision'], '1');

  await api.patch(R.deployments, NS, 'web', 'strategic', { spec: { template: { spec: { containers: [
    { name: 'web', image: 'nginx:1.26' }] } } } });
  const st2 = await kubectl('rollout', 'status', 'deploy/web', '-n', NS, '--timeout=90s');
  assert.equal(st2.code, 0, st2.stdout);
  const after2 = await rs();
  assert.equal(after2.length, 2);
  const byRev = new Map(after2.map((x) => [x.metadata!.annotations!['deployment.kubernetes.io/revision'], x]));
  assert.equal(byRev.get('1')!.spec!.replicas, 0);
  assert.equal(byRev.get('2')!.spec!.replicas, 5);
  const hist = await kubectl('rollout', 'history', 'deploy/web', '-n', NS);
  assert.equal(hist.code, 0, hist.stdout);
  assert.match(hist.stdout, /^1\s/m);
  assert.match(hist.stdout, /^2\s/m);
  const undo = await kubectl('rollout', 'undo', 'deploy/web', '-n', NS);
  assert.equal(undo.code, 0, undo.stdout);
  const st3 = await kubectl('rollout', 'status', 'deploy/web', '-n', NS, '--timeout=90s');
  assert.equal(st3.code, 0, st3.stdout);
  const img = (await api.get<Deployment>(R.deployments, NS, 'web')).spec!.template.spec!.containers[0]!.image;
  assert.equal(img, 'nginx:1.25');
});

test('kill -9 the active controller-manager: the standby takes over (measured) and keeps reconciling', async () => {
  const holder = await until('a leader', async () => {
    const l = await api.get<Lease>(LEASES, 'kube-system', 'kube-controller-manager');
    return l.spec?.holderIdentity ? l.spec.holderIdentity : undefined;
  });
  const leader = cms.find((c) => holder.includes(`_${c.child.pid}_`));
  assert.ok(leader, `leader ${holder} is one of ours`);
  const t0 = performance.now();
  killGroup(leader.child, 'SIGKILL');
  const next = await until('a new leader', async () => {
    const l = await api.get<Lease>(LEASES, 'kube-system', 'kube-controller-manager');
    const id = l.spec?.holderIdentity;
    return id && id !== holder ? id : undefined;
  }, 15_000);
  const failoverMs = Math.round(performance.now() - t0);
  process.stdout.write(`# controller-manager failover after kill -9: ${failoverMs} ms (new leader ${next})\n`);
  assert.ok(failoverMs < 5000, `failover took ${failoverMs} ms`);
  await api.patch(R.deployments, NS, 'web', 'merge', { spec: { replicas: 2 } });
  await until('scaled to 2 by the new leader', async () => {
    const pods = (await api.listAll<Pod>(R.pods, { namespace: NS })).items
      .filter((p) => p.metadata?.deletionTimestamp === undefined);
    const d = await api.get<Deployment>(R.deployments, NS, 'web');
    return pods.length === 2 && d.status?.replicas === 2 ? true : undefined;
  }, 30_000);
});

test('deleting the namespace empties it, finalizes it and removes it', async () => {
  await api.delete(R.namespaces, '', NS);
  await until('namespace gone', async () => {
    try {
      await api.get(R.namespaces, '', NS);
      return undefined;
    } catch (e) {
      return isNotFound(e) ? true : undefined;
    }
  }, 60_000);
  assert.equal((await api.listAll(R.pods, { namespace: NS })).items.length, 0);
  assert.equal((await api.listAll(R.replicaSets, { namespace: NS })).items.length, 0);
});
