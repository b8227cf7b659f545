// The node agent as a process: pino JSON logs on stdout, graceful SIGTERM/SIGINT (a second
// signal, or a stop that takes longer than SHUTDOWN_TIMEOUT_MS, exits at once).
import { pino } from 'pino';
import { startNodeAgent } from './agent.js';
import { SHUTDOWN_TIMEOUT_MS } from './limits.js';
import type { NodeAgentOptions } from './options.js';

export async function runNodeAgent(o: NodeAgentOptions): Promise<void> {
  const log = pino({ base: { component: 'node-agent', node: o.nodeName, pid: process.pid } });
  let agent;
  try {
    agent = await startNodeAgent(o, log);
  } catch (e) {
    const err = e as Error & { code?: string };
    log.fatal({ code: err.code, err: err.message }, 'flotilla node-agent failed to start');
    process.exit(1);
  }
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (++signals > 1) {
      log.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    log.info({ signal, cleanupOnExit: o.cleanupOnExit }, o.cleanupOnExit ? 'shutting down; stopping every pod' :
      'shutting down; containers keep running and a restarted agent adopts them');
    setTimeout(() => {
      log.error('shutdown did not finish in time: exiting');
      process.exit(1);
    }, SHUTDOWN_TIMEOUT_MS + (o.cleanupOnExit ? 60_000 : 0)).unref();
    agent.stop().then(() => process.exit(0), (e: Error) => {
      log.error({ err: e.message }, 'shutdown failed');
      process.exit(1);
    });
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}
