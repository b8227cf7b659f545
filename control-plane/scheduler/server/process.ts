// `flotilla scheduler` as a process: pino JSON logs, the SchedulerServer, and signals. SIGTERM or
// SIGINT: stop scheduling, let binds in flight finish (SHUTDOWN_BIND_WAIT_MS), release the lease,
// exit 0; a second signal, or a shutdown longer than SHUTDOWN_TIMEOUT_MS, exits at once.
import { pino } from 'pino';
import { SHUTDOWN_TIMEOUT_MS } from './limits.js';
import type { SchedulerServerOptions } from './options.js';
import { SchedulerServer } from './server.js';

export async function runScheduler(o: SchedulerServerOptions): Promise<SchedulerServer> {
  const log = pino({ base: { component: 'scheduler', pid: process.pid } });
  const server = new SchedulerServer(o, log);
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (++signals > 1) {
      log.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    log.info({ signal }, 'shutting down');
    setTimeout(() => {
      log.error({}, 'shutdown did not finish in time: exiting');
      process.exit(1);
    }, SHUTDOWN_TIMEOUT_MS).unref();
    server.stop().then(() => process.exit(0), (e: Error) => {
      log.error({ err: e.message }, 'shutdown failed');
      process.exit(1);
    });
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  log.info({ identity: o.identity, leaderElect: o.leaderElect, profiles: o.config.profiles.map((p) => p.schedulerName),
    events: o.events, qps: o.qps, burst: o.burst }, 'flotilla scheduler starting');
  try {
    await server.start();
  } catch (e) {
    const err = e as Error & { code?: string };
    log.fatal({ code: err.code, err: err.message }, 'flotilla scheduler failed to start');
    await server.stop().catch(() => undefined);
    process.exit(1);
  }
  return server;
}
