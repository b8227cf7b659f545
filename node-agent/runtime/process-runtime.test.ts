import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Container } from '../../control-plane/api/index.js';
import { ProcessRuntime } from './process-runtime.js';
import { processGroupExists, signalGroup } from './state-file.js';
import type { ContainerStatusInfo, ExitInfo, PodSandboxConfig } from './types.js';

async function withRuntime(nodeIndex: number, fn: (rt: ProcessRuntime, root: string) => Promise<void>): Promise<void> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'flotilla-rt-'));
  const opened: ProcessRuntime[] = [];
  const open = async (): Promise<ProcessRuntime> => {
    const rt = await ProcessRuntime.open({ rootDir: root, nodeIndex, adoptedPollMs: 50, logFollowPollMs: 20 });
    opened.push(rt);
    return rt;
  };
  const pids = new Set<number>();
  try {
    const rt = await open();
    const origStart = rt.startContainer.bind(rt);
    rt.startContainer = async (...a) => {
      const h = await origStart(...a);
      pids.add(h.pid);
      return h;
    };
    await fn(rt, root);
  } finally {
    // Every process group a test started is killed by its pgid, whatever happened.
    for (const pid of pids) signalGroup(pid, 'SIGKILL');
    for (const rt of opened) await rt.close();
    fs.rmSync(root, { recursive: true, force: true });
  }
}

async function waitFor<T>(what: string, f: () => T | undefined | false, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = f();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

async function collect(it: AsyncIterable<Buffer>): Promise<string> {
  const parts: Buffer[] = [];
  for await (const b of it) parts.push(b);
  return Buffer.concat(parts).toString();
}

function pod(name: string, extra: Partial<PodSandboxConfig> = {}): PodSandboxConfig {
  return { uid: `uid-${name}`, namespace: 'default', name, ...extra };
}

function busybox(name: string, command: string[], extra: Partial<Container> = {}): Container {
  return { name, image: 'busybox', command, ...extra };
}

function httpGet(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http.get(url, (res) => {
      let body = '';
      res.on('data', (d) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    }).on('error', reject);
  });
}

test('busybox: exit code, reason and CRI logs of stdout and stderr', async () => {
  await withRuntime(0, async (rt) => {
    const sb = await rt.startPodSandbox(pod('job'));
    assert.equal(sb.ip, '127.10.0.2');
    const exits: ContainerStatusInfo[] = [];
    rt.onContainerExit((s) => exits.push(s));
    const h = await rt.startContainer(sb, busybox('main', ['sh', '-c', 'echo hello "$POD_NAME"; echo oops >&2; exit 3']));
    const st = await waitFor('exit', () => exits.find((e) => e.id === h.id));
    assert.equal(st.state, 'terminated');
    assert.equal(st.exitCode, 3);
    assert.equal(st.reason, 'Error');
    const logs = await collect(rt.readLogs(h.id));
    assert.match(logs, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z stdout F hello job$/m);
    assert.match(logs, /^\S+ stderr F oops$/m);
    assert.equal((await collect(rt.readLogs(h.id, { tail: 1 }))).split('\n').filter(Boolean).length, 1);
  });
});

test('flotilla/hello answers on the pod IP; SIGTERM stops it gracefully with exit 0', async () => {
  await withRuntime(1, async (rt) => {
    const sb = await rt.startPodSandbox(pod('web'));
    const h = await rt.startContainer(sb, { name: 'hello', image: 'flotilla/hello:1.0', ports: [{ containerPort: 8080 }] });
    const res = await waitFor('hello up', () => undefined, 0).catch(() => undefined);
    assert.equal(res, undefined);
    let got: { status: number; body: string } | undefined;
    const deadline = Date.now() + 5000;
    while (got === undefined && Date.now() < deadline) {
      got = await httpGet(`http://${sb.ip}:8080/`).catch(() => undefined);
      if (got === undefined) await sleep(50);
    }
    assert.equal(got?.status, 200);
    assert.match(got?.body ?? '', new RegExp(`Hello from web at ${sb.ip.replaceAll('.', '\\.')}:8080`));
    assert.equal((await httpGet(`http://${sb.ip}:8080/healthz`)).status, 200);
    const exit = await rt.stopContainer(h.id, 5);
    assert.equal(exit.exitCode, 0);
    assert.equal(exit.reason, 'Completed');
    assert.equal(processGroupExists(h.pid), false);
    assert.match(await collect(rt.readLogs(h.id)), /stdout F hello: web listening on 127\.10\.1\.2:8080/);
  });
});

test('a restarted runtime adopts the running container; stopping it leaves no process group', async () => {
  await withRuntime(2, async (rt, root) => {
    const sb = await rt.startPodSandbox(pod('sleeper'));
    const h = await rt.startContainer(sb, busybox('main', ['sh', '-c', 'echo before; sleep 3600']));
    await waitFor('first log line', () => fs.readdirSync(path.join(sb.podDir, 'logs', 'main')).length > 0 &&
      fs.readFileSync(path.join(sb.podDir, 'logs', 'main', '0.log'), 'utf8').includes('before'));
    await rt.close();
    const rt2 = await ProcessRuntime.open({ rootDir: root, nodeIndex: 2, adoptedPollMs: 50 });
    try {
      const listed = rt2.listContainers();
      assert.equal(listed.length, 1);
      assert.equal(listed[0]?.state, 'running');
      assert.equal(listed[0]?.pid, h.pid);
      assert.equal(rt2.listSandboxes()[0]?.ip, sb.ip);
      const exit = await rt2.stopContainer(h.id, 5);
      assert.equal(exit.exitCode, 143, 'sleep died of SIGTERM; the init shell recorded 128 + 15');
      assert.equal(processGroupExists(h.pid), false);
      assert.equal(rt2.containerStatus(h.id)?.state, 'terminated');
      await rt2.removePodSandbox(sb.id);
      assert.equal(fs.existsSync(sb.podDir), false);
      assert.equal(rt2.ips.allocated, 0);
    } finally {
      signalGroup(h.pid, 'SIGKILL');
      await rt2.close();
    }
  });
});

test('a container that died while no runtime ran is reported terminated (ContainerStatusUnknown)', async () => {
  await withRuntime(3, async (rt, root) => {
    const sb = await rt.startPodSandbox(pod('gone'));
    const h = await rt.startContainer(sb, busybox('main', ['sleep', '3600']));
    await rt.close();
    signalGroup(h.pid, 'SIGKILL');
    await waitFor('group gone', () => !processGroupExists(h.pid));
    const rt2 = await ProcessRuntime.open({ rootDir: root, nodeIndex: 3 });
    try {
      const st = rt2.containerStatus(h.id);
      assert.equal(st?.state, 'terminated');
      assert.equal(st?.exitCode, 137);
      assert.equal(st?.reason, 'ContainerStatusUnknown');
    } finally {
      await rt2.close();
    }
  });
});

test('stopContainer sends SIGKILL after the grace period to a container ignoring SIGTERM', async () => {
  await withRuntime(4, async (rt) => {
    const sb = await rt.startPodSandbox(pod('stubborn'));
    const h = await rt.startContainer(sb, busybox('main', ['sh', '-c', 'trap "" TERM; echo ready; sleep 3600']));
    await sleep(200);
    const t0 = Date.now();
    const exit: ExitInfo = await rt.stopContainer(h.id, 0.5);
    assert.ok(Date.now() - t0 >= 450, 'waited for the grace period');
    assert.equal(exit.exitCode, 137);
    assert.equal(processGroupExists(h.pid), false);
  });
});

test('volumes: configMap files and emptyDir reachable by mountPath symlink and FLOTILLA_MOUNT_*', async () => {
  await withRuntime(5, async (rt) => {
    const sb = await rt.startPodSandbox(pod('vols', {
      volumes: [{ name: 'config', files: { 'app.yaml': { data: 'greeting: hi\n' } } }, { name: 'scratch', emptyDir: {} }],
    }));
    const exits: ContainerStatusInfo[] = [];
    rt.onContainerExit((s) => exits.push(s));
    const h = await rt.startContainer(sb, busybox('main', ['sh', '-c',
      'cat etc/config/app.yaml; cat "$FLOTILLA_MOUNT_CONFIG/app.yaml"; echo x > data/out; echo "v=$GREETING"'], {
      volumeMounts: [{ name: 'config', mountPath: '/etc/config' }, { name: 'scratch', mountPath: '/data' }],
      env: [{ name: 'GREETING', value: 'hello' }],
    }));
    const st = await waitFor('exit', () => exits.find((e) => e.id === h.id));
    assert.equal(st.exitCode, 0, await collect(rt.readLogs(h.id)));
    const logs = await collect(rt.readLogs(h.id));
    assert.equal((logs.match(/stdout F greeting: hi/g) ?? []).length, 2);
    assert.match(logs, /stdout F v=hello/);
    assert.equal(fs.readFileSync(path.join(sb.podDir, 'volumes', 'scratch', 'out'), 'utf8'), 'x\n');
    await assert.rejects(rt.startContainer(sb, busybox('bad', ['true'], {
      volumeMounts: [{ name: 'config', mountPath: '/../../etc' }] })), { code: 'FLOTILLA_ERR_RUNTIME_INVALID_SPEC' });
  });
});

test('previous logs, follow, exec, unknown image, second running instance refused', async () => {
  await withRuntime(6, async (rt) => {
    const sb = await rt.startPodSandbox(pod('multi'));
    const exits: ContainerStatusInfo[] = [];
    rt.onContainerExit((s) => exits.push(s));
    const first = await rt.startContainer(sb, busybox('main', ['echo', 'first']));
    await waitFor('first exit', () => exits.find((e) => e.id === first.id));
    const second = await rt.startContainer(sb, busybox('main', ['sh', '-c', 'echo second; sleep 0.3; echo third']));
    assert.equal(rt.containerStatus(second.id)?.attempt, 1);
    await assert.rejects(rt.startContainer(sb, busybox('main', ['true'])), { code: 'FLOTILLA_ERR_CONTAINER_RUNNING' });
    const exec = await rt.exec(second.id, ['sh', '-c', 'echo "$POD_IP" "$HOSTNAME"'], 2000);
    assert.deepEqual(exec, { exitCode: 0, output: `${sb.ip} multi\n`, timedOut: false });
    const slow = await rt.exec(second.id, ['sleep', '5'], 100);
    assert.equal(slow.timedOut, true);
    const followed = await collect(rt.readLogs(second.id, { follow: true }));
    assert.match(followed, /stdout F second\n.*stdout F third\n$/s);
    assert.match(await collect(rt.readLogs(second.id, { previous: true })), /stdout F first\n$/);
    assert.throws(() => rt.readLogs(first.id, { previous: true }), { code: 'FLOTILLA_ERR_RUNTIME_NOT_FOUND' });
    await assert.rejects(rt.startContainer(sb, { name: 'x', image: 'nginx:1.27' }),
      { code: 'FLOTILLA_ERR_IMAGE_PULL', message: /"nginx:1.27" is not in the local image catalogue/ });
  });
});
