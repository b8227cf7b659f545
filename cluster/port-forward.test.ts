// Stock `kubectl port-forward` (1.32: SPDY/3.1 tunnelled through a WebSocket, no extra flags) against
// a whole cluster (`flotilla up`, one real worker and one simulated node): through the apiserver (which
// ends SPDY) and the kubelet's relay to the process of a `flotilla/hello` pod, by pod, Service and
// Deployment; two connections at once through one forward; 8 MiB echoed intact with a half-close;
// the plain SPDY upgrade kubectl falls back to; a closed port and a simulated pod reported clearly.
import assert from 'node:assert/strict';
import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { after, before, describe, test } from 'node:test';
import { downForTest, type TestCluster, upForTest } from './testing.js';
import { freePorts } from '../store/server/testing/process-cluster.js';

const hasKubectl = spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8' }).status === 0;

interface Forward {
  proc: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
  stop: () => void;
}

/** One HTTP/1.1 exchange on its own connection; resolves with the whole answer (the server closes). */
function rawGet(port: number, hold?: Promise<void>): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1');
    let answer = '';
    s.setEncoding('utf8');
    s.on('data', (c: string) => (answer += c));
    s.on('end', () => resolve(answer));
    s.on('close', () => resolve(answer));
    s.on('error', reject);
    s.setTimeout(20_000, () => s.destroy(new Error(`no answer through 127.0.0.1:${port} within 20 s`)));
    s.once('connect', () => {
      // The request in two parts: with `hold`, the connection stays open, half-sent, until it resolves.
      s.write('GET / HTTP/1.1\r\nHost: pod\r\n');
      void (hold ?? Promise.resolve()).then(() => s.write('Connection: close\r\n\r\n'));
    });
  });
}

describe('kubectl port-forward against a running cluster', { skip: hasKubectl ? false : 'kubectl is not installed' }, () => {
  const forwards: Forward[] = [];
  let env: NodeJS.ProcessEnv;
  let pod = '';
  const k = (...args: string[]) => execFileSync('kubectl', args, { env, encoding: 'utf8', timeout: 90_000 });

  /** Starts `kubectl port-forward ARGS` in its own process group; resolves once it listens (-v=4 logs the dialer). */
  async function forward(args: string[], extraEnv: NodeJS.ProcessEnv = {}): Promise<Forward> {
    const proc = spawn('kubectl', ['port-forward', '-v=4', ...args], { env: { ...env, ...extraEnv },
      stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let out = '';
    let err = '';
    proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    proc.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
    const f: Forward = { proc, stdout: () => out, stderr: () => err, exited, stop: () => {
      // kubectl is its own process group leader (detached): end the group, nothing else.
      try {
        process.kill(-proc.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
    } };
    forwards.push(f);
    const deadline = Date.now() + 30_000;
    while (!/Forwarding from 127\.0\.0\.1:\d+/.test(out)) {
      if (proc.exitCode !== null || Date.now() > deadline) {
        assert.fail(`kubectl port-forward ${args.join(' ')} did not start: ${out}${err}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    return f;
  }

  let cluster: TestCluster | undefined;
  before(async () => {
    cluster = upForTest(['--masters', '1', '--workers', '1', '--simulated-nodes', '1']);
    env = cluster.env;
    // Real pods go to the real worker, not to the simulated node.
    const worker = k('get', 'nodes', '-l', 'type!=kwok', '-o', 'jsonpath={.items[0].metadata.name}');
    const onWorker = JSON.stringify({ spec: { nodeSelector: { 'kubernetes.io/hostname': worker } } });
    const web = JSON.parse(k('create', 'deployment', 'web', '--image=flotilla/hello', '--port=8080', '--dry-run=client', '-o', 'json'));
    web.spec.template.spec.nodeSelector = { 'kubernetes.io/hostname': worker };
    execFileSync('kubectl', ['apply', '-f', '-'], { env, input: JSON.stringify(web), encoding: 'utf8' });
    k('expose', 'deployment', 'web', '--port=80', '--target-port=8080');
    // An echo server (host `node` in the pod's context, on its pod IP) that keeps half-closed connections open.
    k('run', 'echo', '--image=flotilla/busybox', `--overrides=${onWorker}`, '--command', '--', process.execPath, '-e',
      "require('net').createServer({ allowHalfOpen: true }, (s) => s.pipe(s)).listen(7000, process.env.POD_IP)");
    k('run', 'sim', '--image=flotilla/hello', `--overrides=${JSON.stringify({ spec: { nodeSelector: { type: 'kwok' } } })}`);
    assert.match(k('wait', '--for=condition=Available', 'deploy/web', '--timeout=90s'), /condition met/);
    assert.match(k('wait', '--for=condition=Ready', 'pod/echo', 'pod/sim', '--timeout=90s'), /condition met/);
    pod = k('get', 'pods', '-l', 'app=web', '-o', 'jsonpath={.items[0].metadata.name}');
  });

  after(() => {
    for (const f of forwards) f.stop();
    downForTest(cluster);
  });

  test('pod/NAME: a GET through the local port reaches the pod; two connections at once', async () => {
    const [local] = await freePorts(1) as [number];
    const f = await forward([`pod/${pod}`, `${local}:8080`]);
    const first = await rawGet(local);
    assert.match(first, /^HTTP\/1\.1 200 OK/);
    assert.match(first, new RegExp(`Hello from ${pod} at 127\\.`));
    // Connection A stays open half-sent while B goes all the way through: two data streams at once.
    let letGo!: () => void;
    const held = new Promise<void>((r) => (letGo = r));
    const a = rawGet(local, held);
    const b = await rawGet(local);
    assert.match(b, new RegExp(`Hello from ${pod}`));
    letGo();
    assert.match(await a, new RegExp(`Hello from ${pod}`));
    // Many in a row on the same forward (streams are opened and finished cleanly each time).
    const more = await Promise.all(Array.from({ length: 8 }, () => rawGet(local)));
    for (const m of more) assert.match(m, new RegExp(`Hello from ${pod}`));
    assert.equal(f.proc.exitCode, null, `kubectl port-forward exited: ${f.stderr()}`);
    assert.match(f.stdout(), /Handling connection for/);
    // The WebSocket tunnel was used (kubectl 1.32's default), not the SPDY upgrade it falls back to.
    assert.match(f.stderr(), /negotiated protocol: portforward\.k8s\.io/);
    assert.doesNotMatch(f.stderr(), /fallback to secondary dialer/);
    f.stop();
  });

  test('8 MiB echoed intact through one forwarded connection, with a half-close', async () => {
    const [local] = await freePorts(1) as [number];
    const f = await forward(['pod/echo', `${local}:7000`]);
    const sent = randomBytes(8 * 1024 * 1024);
    const got = await new Promise<Buffer>((resolve, reject) => {
      const s = net.connect(local, '127.0.0.1', () => s.end(sent)); // end: FIN after the bytes
      const chunks: Buffer[] = [];
      s.on('data', (c: Buffer) => chunks.push(c));
      s.on('end', () => resolve(Buffer.concat(chunks)));
      s.on('error', reject);
      s.setTimeout(60_000, () => s.destroy(new Error('echo not complete within 60 s')));
    });
    assert.equal(got.length, sent.length);
    assert.ok(got.equals(sent), 'the echoed bytes differ');
    f.stop();
  });

  test('the plain SPDY/3.1 upgrade (kubectl with the WebSocket tunnel turned off) forwards too', async () => {
    const [local] = await freePorts(1) as [number];
    const f = await forward([`pod/${pod}`, `${local}:8080`], { KUBECTL_PORT_FORWARD_WEBSOCKETS: 'false' });
    assert.match(await rawGet(local), new RegExp(`Hello from ${pod}`));
    assert.doesNotMatch(f.stderr(), /Before WebSocket Upgrade/);
    f.stop();
  });

  test('svc/NAME and deploy/NAME resolve to the pod and forward the same way', async () => {
    const [l1, l2] = await freePorts(2) as [number, number];
    const svc = await forward(['svc/web', `${l1}:80`]);
    const deploy = await forward(['deploy/web', `${l2}:8080`]);
    assert.match(await rawGet(l1), new RegExp(`Hello from ${pod}`));
    assert.match(await rawGet(l2), new RegExp(`Hello from ${pod}`));
    svc.stop();
    deploy.stop();
  });

  test('a port nothing listens on: kubectl reports the error from the pod side and stops', async () => {
    const [local] = await freePorts(1) as [number];
    const f = await forward([`pod/${pod}`, `${local}:9999`]);
    const answer = await rawGet(local).catch((e: Error) => `(connection error: ${e.message})`);
    assert.doesNotMatch(answer, /Hello/);
    const code = await Promise.race([f.exited, new Promise<'running'>((r) => setTimeout(() => r('running'), 20_000))]);
    assert.match(f.stderr(), new RegExp(`error forwarding port 9999 to pod default/${pod}, uid [0-9a-f-]+: ` +
      'connect ECONNREFUSED 127\\.'));
    assert.notEqual(code, 'running', 'kubectl 1.32 stops forwarding after an error on the error stream');
    assert.match(f.stderr(), /lost connection to pod/);
  });

  test('a pod on a simulated node: refused before the upgrade with a clear error', () => {
    const r = spawnSync('kubectl', ['port-forward', 'pod/sim', '0:8080'], { env, encoding: 'utf8', timeout: 30_000 });
    assert.notEqual(r.status, 0);
    assert.match(r.stderr,
      /error upgrading connection: pod sim runs on simulated node \S+: simulated pods have no process/);
  });
});
