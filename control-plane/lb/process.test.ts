// Process level: `flotilla lb` as a child process in its own process group. It serves
// /metrics, /livez and /readyz, proxies, logs JSON, and on SIGTERM drains its active
// connection and exits 0. Until cli/main.ts registers `lb`, the same command runs from a
// one-command entry (testing/cli-entry.ts); the test says which one it used.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { renderHaproxyConfig } from './haproxy.js';
import { resolveLbOptions } from './options.js';
import { get, sleep, startBackend, waitFor } from './testing/backends.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const MAIN = `${ROOT}dist/cli/main.js`;
const WIRED = existsSync(MAIN) && readFileSync(MAIN, 'utf8').includes('registerLb');
const ENTRY = WIRED ? `${ROOT}bin/flotilla.js` : `${ROOT}dist/control-plane/lb/testing/cli-entry.js`;

const children = new Set<ChildProcess>();
const killGroup = (c: ChildProcess, sig: NodeJS.Signals) => {
  if (c.pid === undefined || c.exitCode !== null || c.signalCode !== null) return;
  try {
    process.kill(-c.pid, sig);
  } catch {
    // Already gone.
  }
};
after(() => {
  for (const c of children) killGroup(c, 'SIGKILL');
});

interface Run {
  child: ChildProcess;
  lines: Record<string, unknown>[];
  stderr(): string;
  exited: Promise<number | null>;
}

function flotilla(args: string[]): Run {
  const child = spawn(process.execPath, [ENTRY, ...args], { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  const lines: Record<string, unknown>[] = [];
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => {
    out += d.toString();
    const parts = out.split('\n');
    out = parts.pop() ?? '';
    for (const p of parts) lines.push(p.startsWith('{') ? JSON.parse(p) as Record<string, unknown> : { text: p });
  });
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => {
    if (out !== '') lines.push(out.startsWith('{') ? JSON.parse(out) as Record<string, unknown> : { text: out });
    children.delete(child);
    resolve(code);
  }));
  return { child, lines, stderr: () => err, exited };
}

const portOf = (address: unknown) => Number(String(address).split(':').pop());

test('flotilla lb: serves /readyz, /livez, /metrics, proxies, and exits 0 on SIGTERM after draining', async (t) => {
  t.diagnostic(`running ${WIRED ? 'bin/flotilla.js lb' : 'testing/cli-entry.js lb (cli/main.ts does not register lb yet)'}`);
  const backend = await startBackend('b1');
  try {
    const run = flotilla(['lb', '--listen', '127.0.0.1:0', '--backends', backend.id, '--metrics-listen', '127.0.0.1:0',
      '--interval', '100ms', '--grace-period', '5s']);
    await waitFor(() => run.lines.some((l) => l['msg'] === 'lb started'), 10_000, `lb to start: ${run.stderr()}`, 20);
    const started = run.lines.find((l) => l['msg'] === 'lb started')!;
    const port = portOf(started['listen']);
    const admin = `http://127.0.0.1:${portOf(started['metrics'])}`;
    assert.equal(started['component'], 'lb');

    assert.equal((await fetch(`${admin}/livez`)).status, 200);
    const ready = await fetch(`${admin}/readyz`);
    assert.equal(ready.status, 200);
    assert.match(await ready.text(), /^ok: 1\/1 backends healthy/);
    assert.deepEqual(await get(port, '/who'), { status: 200, body: 'b1' });
    const metrics = await (await fetch(`${admin}/metrics`)).text();
    assert.match(metrics, new RegExp(`^flotilla_lb_backend_healthy\\{backend="${backend.id}"\\} 1$`, 'm'));
    assert.match(metrics, /^flotilla_lb_connections_accepted_total 1$/m);
    assert.match(metrics, /^flotilla_lb_process_cpu_seconds_total /m, 'process metrics too');

    // An unfinished request holds a connection open across the SIGTERM.
    const held = connect(port, '127.0.0.1');
    let response = '';
    held.on('data', (d: Buffer) => (response += d.toString()));
    held.write('GET /who HTTP/1.1\r\nhost: x\r\nconnection: close\r\n');
    const scrape = async () => (await fetch(`${admin}/metrics`)).text();
    const heldAt = performance.now();
    while (!/^flotilla_lb_backend_connections_total\{[^}]*\} 2$/m.test(await scrape())) {
      assert.ok(performance.now() - heldAt < 2000, 'the held connection reaches the backend');
      await sleep(10);
    }
    killGroup(run.child, 'SIGTERM');
    await waitFor(() => run.lines.some((l) => l['msg'] === 'lb stopping'), 2000, 'the drain to begin');
    assert.equal((await fetch(`${admin}/readyz`)).status, 503, 'not ready while draining');
    await sleep(200);
    assert.equal(run.child.exitCode, null, 'still draining the held connection');
    held.write('\r\n');
    assert.equal(await run.exited, 0);
    assert.match(response, /\r\n\r\n2\r\nb1\r\n0\r\n\r\n$/, 'the held request completed during the drain');
    const stopped = run.lines.find((l) => l['msg'] === 'lb stopped');
    assert.equal(stopped?.['forcedCloses'], 0);
    for (const l of run.lines) assert.equal(typeof l['level'], 'number', `JSON log line: ${JSON.stringify(l)}`);
    held.destroy();
  } finally {
    await backend.close();
  }
});

test('flotilla lb --haproxy-config prints the configuration and exits 0', async () => {
  const flags = ['--listen', '127.0.0.1:6443', '--backends', '127.0.0.1:7001,127.0.0.1:7002', '--health-scheme', 'https',
    '--health-insecure'];
  const run = flotilla(['lb', '--haproxy-config', ...flags]);
  assert.equal(await run.exited, 0);
  const text = run.lines.map((l) => l['text']).join('\n') + '\n';
  assert.equal(text, renderHaproxyConfig(resolveLbOptions({ listen: '127.0.0.1:6443',
    backends: '127.0.0.1:7001,127.0.0.1:7002', healthScheme: 'https', healthInsecure: true })));
});

test('flotilla lb: a bad flag exits 2 naming it; a taken port exits 1 with a JSON error', async () => {
  const bad = flotilla(['lb', '--listen', '127.0.0.1:0', '--backends', '127.0.0.1:1', '--fall', 'never']);
  assert.equal(await bad.exited, 2);
  assert.match(bad.stderr(), /error: --fall: "never" must be a whole number from 1 to 100/);
  const taken = createServer();
  await new Promise<void>((r) => taken.listen(0, '127.0.0.1', r));
  const port = (taken.address() as { port: number }).port;
  try {
    const run = flotilla(['lb', '--listen', `127.0.0.1:${port}`, '--backends', '127.0.0.1:1', '--metrics-listen',
      '127.0.0.1:0']);
    assert.equal(await run.exited, 1);
    const fatal = run.lines.find((l) => l['msg'] === 'flotilla lb failed to start');
    assert.equal(fatal?.['code'], 'FLOTILLA_ERR_LB_LISTEN');
    assert.match(String(fatal?.['err']), /EADDRINUSE/);
  } finally {
    await new Promise((r) => taken.close(r));
  }
});
