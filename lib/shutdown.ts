// Graceful shutdown for every long-running process: the first SIGTERM/SIGINT runs `stop`
// (which drains), a watchdog exits with 1 if that takes longer than `forceAfterMs`, and a
// second signal exits at once. Exit code 0 when the stop finished cleanly.
import type { Logger } from 'pino';

export function onShutdownSignals(log: Logger, forceAfterMs: number, stop: () => Promise<void>): void {
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    if (++signals > 1) {
      log.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    log.info({ signal, forceAfterMs }, 'shutting down');
    setTimeout(() => {
      log.error('shutdown did not finish in time: exiting');
      process.exit(1);
    }, forceAfterMs).unref();
    stop().then(() => process.exit(0), (err: Error) => {
      log.error({ err: err.message }, 'shutdown failed');
      process.exit(1);
    });
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}
