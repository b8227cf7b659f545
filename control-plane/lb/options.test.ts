import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Command } from 'commander';
import { registerLb } from '../../cli/lb.js';
import { formatHostPort, parseHostPort } from './address.js';
import { LbConfigError } from './errors.js';
import { type LbFlags, resolveLbOptions } from './options.js';

const base: LbFlags = { listen: '127.0.0.1:6443', backends: '127.0.0.1:7001,127.0.0.1:7002' };

function refuses(flags: LbFlags, flag: string, message: RegExp): void {
  assert.throws(() => resolveLbOptions({ ...base, ...flags }), (e: unknown) => {
    assert.ok(e instanceof LbConfigError, String(e));
    assert.equal(e.flag, flag);
    assert.match(e.message, message);
    return true;
  });
}

test('options: defaults are the brief\'s: /readyz over http every 250 ms, timeout 200 ms, fall 2, rise 2', () => {
  const o = resolveLbOptions(base);
  assert.deepEqual(o.listen, { host: '127.0.0.1', port: 6443 });
  assert.deepEqual(o.backends, [{ host: '127.0.0.1', port: 7001 }, { host: '127.0.0.1', port: 7002 }]);
  assert.deepEqual(o.health, { path: '/readyz', scheme: 'http', insecure: false, intervalMs: 250, timeoutMs: 200,
    fall: 2, rise: 2 });
  assert.equal(o.passiveCheck, false);
  assert.equal(o.maxConnections, 4096);
  assert.equal(o.connectTimeoutMs, 1000);
  assert.equal(o.gracePeriodMs, 10_000);
  assert.deepEqual(o.metricsListen, { host: '127.0.0.1', port: 6444 });
});

test('options: every flag is read', () => {
  const o = resolveLbOptions({ listen: ':0', backends: ' [::1]:7001 , localhost:7002,', healthPath: '/healthz',
    healthScheme: 'https', healthCa: '/etc/ca.pem', interval: '1s', timeout: '300', fall: '3', rise: '4',
    passiveCheck: true, maxConnections: '10', connectTimeout: '2s', gracePeriod: '0', metricsListen: '127.0.0.2:9000' });
  assert.deepEqual(o.listen, { host: '127.0.0.1', port: 0 });
  assert.deepEqual(o.backends.map(formatHostPort), ['[::1]:7001', 'localhost:7002']);
  assert.deepEqual(o.health, { path: '/healthz', scheme: 'https', insecure: false, caFile: '/etc/ca.pem',
    intervalMs: 1000, timeoutMs: 300, fall: 3, rise: 4 });
  assert.deepEqual([o.passiveCheck, o.maxConnections, o.connectTimeoutMs, o.gracePeriodMs], [true, 10, 2000, 0]);
  assert.deepEqual(o.metricsListen, { host: '127.0.0.2', port: 9000 });
  assert.deepEqual(resolveLbOptions({ ...base, listen: '127.0.0.1:0' }).metricsListen, { host: '127.0.0.1', port: 0 });
});

test('options: bad values are refused naming the flag', () => {
  refuses({ listen: undefined }, '--listen', /required/);
  refuses({ listen: 'http://127.0.0.1:80' }, '--listen', /is a URL/);
  refuses({ listen: '127.0.0.1' }, '--listen', /not host:port/);
  refuses({ listen: '127.0.0.1:70000' }, '--listen', /must be from 0 to 65535/);
  refuses({ listen: '[nothost]:80' }, '--listen', /not an IPv6 address/);
  refuses({ listen: 'bad_host:80' }, '--listen', /not a valid host name/);
  refuses({ backends: '' }, '--backends', /at least one backend/);
  refuses({ backends: '127.0.0.1:0' }, '--backends', /must be from 1 to 65535/);
  refuses({ backends: '127.0.0.1:1,127.0.0.1:1' }, '--backends', /listed twice/);
  refuses({ backends: Array.from({ length: 65 }, (_, i) => `127.0.0.1:${i + 1}`).join(',') }, '--backends', /at most 64/);
  refuses({ healthPath: 'readyz' }, '--health-path', /must start with \//);
  refuses({ healthPath: '/ready z' }, '--health-path', /spaces/);
  refuses({ healthScheme: 'ftp' }, '--health-scheme', /http or https/);
  refuses({ healthInsecure: true }, '--health-insecure', /only applies with --health-scheme https/);
  refuses({ healthCa: 'ca.pem' }, '--health-ca', /only applies with --health-scheme https/);
  refuses({ healthScheme: 'https', healthInsecure: true, healthCa: 'ca.pem' }, '--health-ca', /conflicts/);
  refuses({ interval: 'fast' }, '--interval', /not a duration/);
  refuses({ interval: '5ms' }, '--interval', /out of range/);
  refuses({ timeout: '0' }, '--timeout', /out of range/);
  refuses({ fall: '0' }, '--fall', /from 1 to 100/);
  refuses({ rise: 'two' }, '--rise', /from 1 to 100/);
  refuses({ rise: '2.5' }, '--rise', /whole number/);
  refuses({ maxConnections: '0' }, '--max-connections', /from 1 to 65536/);
  refuses({ connectTimeout: '2h' }, '--connect-timeout', /out of range/);
  refuses({ gracePeriod: '-1s' }, '--grace-period', /not a duration/);
  refuses({ metricsListen: 'x' }, '--metrics-listen', /not host:port/);
  refuses({ listen: '127.0.0.1:65535' }, '--metrics-listen', /give it/);
  refuses({ listen: '127.0.0.1:7000' }, '--metrics-listen', /127.0.0.1:7001 is a backend/);
});

test('addresses: IPv6 in brackets, host names, :port means loopback; format reads back', () => {
  const cases = [['[::1]:80', '[::1]:80'], ['example.com:443', 'example.com:443'], [':8080', '127.0.0.1:8080'],
    ['10.0.0.1:1', '10.0.0.1:1']] as const;
  for (const [text, want] of cases) {
    assert.equal(formatHostPort(parseHostPort(text, '--x', false)), want);
    assert.deepEqual(parseHostPort(formatHostPort(parseHostPort(text, '--x', false)), '--x', false),
      parseHostPort(text, '--x', false));
  }
});

/** Run `flotilla lb ARGS` through commander without exiting; returns what it wrote to stderr. */
async function cli(args: string[]): Promise<{ err: string; code: number | undefined }> {
  const program = new Command().name('flotilla').exitOverride();
  let err = '';
  program.configureOutput({ writeErr: (s) => (err += s), writeOut: () => {} });
  registerLb(program);
  for (const c of program.commands) {
    c.exitOverride().configureOutput({ writeErr: (s) => (err += s), writeOut: () => {} });
  }
  try {
    await program.parseAsync(['node', 'flotilla', 'lb', ...args]);
    return { err, code: undefined };
  } catch (e) {
    return { err, code: (e as { exitCode?: number }).exitCode };
  }
}

test('cli: invalid flags give a clear error naming the flag and exit 2', async () => {
  const r = await cli(['--listen', '127.0.0.1:0', '--backends', '127.0.0.1:1', '--interval', 'soon']);
  assert.equal(r.code, 2);
  assert.match(r.err, /error: --interval: "soon" is not a duration; use a duration like 250ms, 1s/);
  const missing = await cli(['--backends', '127.0.0.1:1']);
  assert.equal(missing.code, 1);
  assert.match(missing.err, /required option '--listen <addr>' not specified/);
  const unknown = await cli(['--listen', ':0', '--backends', '127.0.0.1:1', '--intervall', '1s']);
  assert.match(unknown.err, /unknown option '--intervall'/);
});
