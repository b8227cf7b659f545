// The logging surface the transport needs: the subset of pino's API it calls, so the member
// process passes its pino logger unchanged and tests pass a recorder.

type LogFn = (fields: Record<string, unknown>, message: string) => void;

export interface TransportLogger {
  debug: LogFn;
  info: LogFn;
  warn: LogFn;
  error: LogFn;
}

/**
 * Without a logger, warnings and errors still reach stderr as JSON lines: a rejected
 * handshake or a corrupt snapshot must never be silent. Debug and info are dropped.
 */
export function defaultLogger(): TransportLogger {
  const write = (level: string) => (fields: Record<string, unknown>, message: string) => {
    const err = fields['err'] instanceof Error
      ? { ...fields, err: { code: (fields['err'] as { code?: unknown }).code, message: fields['err'].message } }
      : fields;
    process.stderr.write(JSON.stringify({ level, time: Date.now(), component: 'peer-transport', ...err, msg: message }) + '\n');
  };
  const drop: LogFn = () => {};
  return { debug: drop, info: drop, warn: write('warn'), error: write('error') };
}

export { RepeatLimiter } from '../../lib/repeat-limiter.js';
