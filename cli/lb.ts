// `flotilla lb`: the TCP load balancer in front of the apiserver replicas, with active
// HTTP(S) health checks (see control-plane/lb/README.md). `--haproxy-config` prints the
// equivalent HAProxy configuration instead of running.
import type { Command } from 'commander';
import { pino } from 'pino';
import { onShutdownSignals } from '../lib/shutdown.js';
import { LbError } from '../control-plane/lb/errors.js';
import { renderHaproxyConfig } from '../control-plane/lb/haproxy.js';
import { LoadBalancer } from '../control-plane/lb/lb.js';
import { SHUTDOWN_FORCE_EXIT_AFTER_GRACE_MS } from '../control-plane/lb/limits.js';
import { FLAG_DEFAULTS, type LbFlags, type LbOptions, resolveLbOptions } from '../control-plane/lb/options.js';

interface LbCliFlags extends LbFlags {
  haproxyConfig?: boolean;
}

async function run(o: LbOptions): Promise<void> {
  const log = pino({ base: { component: 'lb', pid: process.pid } });
  let lb: LoadBalancer;
  try {
    lb = await LoadBalancer.start(o, { log, processMetrics: true });
  } catch (e) {
    const err = e as Error & { code?: string };
    log.fatal({ code: err.code, err: err.message }, 'flotilla lb failed to start');
    process.exit(1);
  }
  // No new connections, then active ones drain for the grace period.
  onShutdownSignals(log, o.gracePeriodMs + SHUTDOWN_FORCE_EXIT_AFTER_GRACE_MS, async () => {
    await lb.stop();
  });
}

export function registerLb(program: Command): void {
  const d = FLAG_DEFAULTS;
  program
    .command('lb')
    .description('TCP load balancer in front of the apiservers: round robin over backends that pass HTTP(S) health checks')
    .requiredOption('--listen <addr>', 'host:port to accept client connections on (port 0: any free port)')
    .requiredOption('--backends <list>', 'comma-separated host:port of the backends (apiservers)')
    .option('--health-path <path>', 'path of the HTTP GET health check', d.healthPath)
    .option('--health-scheme <scheme>', 'http or https for the health check', d.healthScheme)
    .option('--health-insecure', 'https health checks: do not verify the backend certificate')
    .option('--health-ca <file>', 'https health checks: verify the backend certificate against this CA (PEM)')
    .option('--interval <duration>', 'time between health checks of one backend (250ms, 1s, or ms)', d.interval)
    .option('--timeout <duration>', 'a health check without a response after this long fails', d.timeout)
    .option('--fall <n>', 'consecutive failed checks that take a backend out of rotation', d.fall)
    .option('--rise <n>', 'consecutive passed checks that bring a backend back', d.rise)
    .option('--passive-check', 'also take a backend out of rotation at once when a client connect to it fails')
    .option('--max-connections <n>', 'client connections proxied at once; more are closed at once', d.maxConnections)
    .option('--connect-timeout <duration>', 'a backend connect slower than this is retried on the next backend',
      d.connectTimeout)
    .option('--grace-period <duration>', 'on SIGTERM, how long active connections may finish before being closed',
      d.gracePeriod)
    .option('--metrics-listen <addr>', 'host:port for /metrics, /livez, /readyz (default: --listen port + 1)')
    .option('--haproxy-config', 'print the equivalent HAProxy configuration and exit')
    .action(async function (this: Command, flags: LbCliFlags) {
      let o: LbOptions;
      try {
        o = resolveLbOptions(flags);
      } catch (e) {
        if (e instanceof LbError) this.error(`error: ${e.message}`, { code: e.code, exitCode: 2 });
        throw e;
      }
      if (flags.haproxyConfig === true) {
        process.stdout.write(renderHaproxyConfig(o));
        return;
      }
      await run(o);
    });
}
