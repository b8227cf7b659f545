// https health checks against a backend with a certificate from a private CA (like the
// apiserver's self-signed one): verified with --health-ca, skipped with --health-insecure,
// refused against Node's default trust. The balancer itself passes TLS through untouched.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import { LoadBalancer } from './lb.js';
import { type LbOverrides, captureLogger, lbOptions, metricValue, silentLogger, startBackend, testCert }
  from './testing/backends.js';

const cleanups: (() => Promise<unknown>)[] = [];
after(async () => {
  for (const c of cleanups.reverse()) await c();
});

const cert = testCert();
const backend = await startBackend('tls-1', { key: cert.key, cert: cert.cert });
cleanups.push(() => backend.close());

async function balancer(health: LbOverrides['health'], log = silentLogger()): Promise<LoadBalancer> {
  const lb = await LoadBalancer.start(lbOptions([backend.port], { health: { scheme: 'https', intervalMs: 60_000, ...health } }),
    { log });
  cleanups.push(() => lb.stop(0));
  return lb;
}

test('https probe verified against --health-ca: healthy', async () => {
  const lb = await balancer({ caFile: cert.caFile });
  assert.equal(lb.pool.isHealthy(backend.id), true);
});

test('https probe with --health-insecure: healthy without any CA', async () => {
  const lb = await balancer({ insecure: true });
  assert.equal(lb.pool.isHealthy(backend.id), true);
});

test('https probe against the default trust store: a private CA fails, as a tls failure with the reason logged', async () => {
  const { log, lines } = captureLogger();
  const lb = await balancer({}, log);
  assert.equal(lb.pool.isHealthy(backend.id), false);
  assert.equal(await metricValue(lb.metrics.registry.metrics(), 'flotilla_lb_health_check_failures_total',
    { backend: backend.id, reason: 'tls' }), 1);
  const down = lines.find((l) => l['msg'] === 'backend down');
  assert.match(String(down?.['reason']), /^first health check failed: .*(certificate|CERT)/i);
});

test('the balancer is layer 4: a TLS client through it talks to the backend end to end', async () => {
  const lb = await balancer({ insecure: true });
  const body = await new Promise<string>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: lb.port, path: '/who', agent: false, ca: readFileSync(cert.caFile) },
      (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => resolve(text));
      });
    req.on('error', reject);
    req.end();
  });
  assert.equal(body, 'tls-1');
});

test('an unreadable --health-ca refuses to start, naming the flag', async () => {
  await assert.rejects(LoadBalancer.start(lbOptions([backend.port], {
    health: { scheme: 'https', caFile: '/nonexistent/ca.pem' } }), { log: silentLogger() }),
  { code: 'FLOTILLA_ERR_LB_CONFIG', message: /^--health-ca: cannot read \/nonexistent\/ca.pem/ });
});
