// The load balancer's settings: the flags as commander hands them over (strings and
// booleans), and their checked, typed form. Every refusal names the flag.
import { type HostPort, formatHostPort, parseHostPort } from './address.js';
import { formatDuration, parseDurationMs } from './duration.js';
import { LbConfigError } from './errors.js';
import * as L from './limits.js';

export type HealthScheme = 'http' | 'https';

export interface HealthCheckOptions {
  /** Path of the HTTP GET probe, e.g. /readyz. */
  path: string;
  scheme: HealthScheme;
  /** https only: accept any certificate (--health-insecure). */
  insecure: boolean;
  /** https only: trust this CA file instead of Node's default bundle (--health-ca). */
  caFile?: string;
  /** https only: the CA as PEM text; wins over caFile (for embedding and tests). */
  caPem?: string;
  intervalMs: number;
  timeoutMs: number;
  fall: number;
  rise: number;
}

export interface LbOptions {
  listen: HostPort;
  backends: HostPort[];
  health: HealthCheckOptions;
  /** Take a backend out of rotation at its first connect error, before the health checks notice. */
  passiveCheck: boolean;
  maxConnections: number;
  connectTimeoutMs: number;
  gracePeriodMs: number;
  /** Where /metrics, /livez and /readyz are served; null: nowhere (embedded use only). */
  metricsListen: HostPort | null;
}

/** The flags of `flotilla lb`, as commander parses them (camelCase of the long names). */
export interface LbFlags {
  listen?: string;
  backends?: string;
  healthPath?: string;
  healthScheme?: string;
  healthInsecure?: boolean;
  healthCa?: string;
  interval?: string;
  timeout?: string;
  fall?: string;
  rise?: string;
  passiveCheck?: boolean;
  maxConnections?: string;
  connectTimeout?: string;
  gracePeriod?: string;
  metricsListen?: string;
}

/** Flag defaults as text, shown by --help and used when a flag is absent. */
export const FLAG_DEFAULTS = Object.freeze({
  healthPath: '/readyz',
  healthScheme: 'http',
  interval: formatDuration(L.HEALTH_INTERVAL_MS_DEFAULT),
  timeout: formatDuration(L.HEALTH_TIMEOUT_MS_DEFAULT),
  fall: String(L.HEALTH_FALL_DEFAULT),
  rise: String(L.HEALTH_RISE_DEFAULT),
  maxConnections: String(L.CONNECTIONS_MAX_DEFAULT),
  connectTimeout: formatDuration(L.CONNECT_TIMEOUT_MS_DEFAULT),
  gracePeriod: formatDuration(L.SHUTDOWN_GRACE_MS_DEFAULT),
});

export function parseIntFlag(text: string, flag: string, min: number, max: number): number {
  const s = text.trim();
  const n = /^\d{1,9}$/.test(s) ? Number(s) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw new LbConfigError(flag, `"${text}" must be a whole number from ${min} to ${max}`);
  }
  return n;
}

export function parseBackends(text: string | undefined): HostPort[] {
  const flag = '--backends';
  const items = (text ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (items.length === 0) throw new LbConfigError(flag, 'give at least one backend as host:port[,host:port...]');
  if (items.length > L.BACKENDS_MAX) {
    throw new LbConfigError(flag, `${items.length} backends given; at most ${L.BACKENDS_MAX} are supported`);
  }
  const backends = items.map((s) => parseHostPort(s, flag, false));
  const seen = new Set<string>();
  for (const b of backends) {
    const key = formatHostPort(b);
    if (seen.has(key)) throw new LbConfigError(flag, `${key} is listed twice`);
    seen.add(key);
  }
  return backends;
}

export function parseHealthPath(text: string): string {
  const flag = '--health-path';
  if (!text.startsWith('/')) throw new LbConfigError(flag, `"${text}" must start with /`);
  if (text.length > L.HEALTH_PATH_MAX_CHARS) {
    throw new LbConfigError(flag, `must be at most ${L.HEALTH_PATH_MAX_CHARS} characters`);
  }
  // Printable ASCII without spaces: anything else would break the request line.
  if (!/^[\x21-\x7e]+$/.test(text)) throw new LbConfigError(flag, `"${text}" must not contain spaces or control characters`);
  return text;
}

function resolveHealth(f: LbFlags): HealthCheckOptions {
  const scheme = f.healthScheme ?? FLAG_DEFAULTS.healthScheme;
  if (scheme !== 'http' && scheme !== 'https') {
    throw new LbConfigError('--health-scheme', `"${scheme}" must be http or https`);
  }
  const insecure = f.healthInsecure === true;
  if (scheme === 'http' && insecure) throw new LbConfigError('--health-insecure', 'only applies with --health-scheme https');
  if (scheme === 'http' && f.healthCa !== undefined) {
    throw new LbConfigError('--health-ca', 'only applies with --health-scheme https');
  }
  if (insecure && f.healthCa !== undefined) {
    throw new LbConfigError('--health-ca', 'conflicts with --health-insecure: verify against a CA, or skip verification');
  }
  const health: HealthCheckOptions = {
    path: parseHealthPath(f.healthPath ?? FLAG_DEFAULTS.healthPath),
    scheme,
    insecure,
    intervalMs: parseDurationMs(f.interval ?? FLAG_DEFAULTS.interval, '--interval',
      L.HEALTH_INTERVAL_MS_MIN, L.HEALTH_INTERVAL_MS_MAX),
    timeoutMs: parseDurationMs(f.timeout ?? FLAG_DEFAULTS.timeout, '--timeout',
      L.HEALTH_TIMEOUT_MS_MIN, L.HEALTH_TIMEOUT_MS_MAX),
    fall: parseIntFlag(f.fall ?? FLAG_DEFAULTS.fall, '--fall', 1, L.HEALTH_THRESHOLD_MAX),
    rise: parseIntFlag(f.rise ?? FLAG_DEFAULTS.rise, '--rise', 1, L.HEALTH_THRESHOLD_MAX),
  };
  if (f.healthCa !== undefined) {
    if (f.healthCa.trim() === '') throw new LbConfigError('--health-ca', 'needs a file name');
    health.caFile = f.healthCa;
  }
  return health;
}

/** The metrics address when --metrics-listen is absent: the --listen host, port + 1 (0 stays 0). */
export function defaultMetricsListen(listen: HostPort, backends: readonly HostPort[]): HostPort {
  const flag = '--metrics-listen';
  if (listen.port === 65_535) throw new LbConfigError(flag, 'cannot default to --listen port + 1 (65536); give it');
  const metrics = { host: listen.host, port: listen.port === 0 ? 0 : listen.port + 1 };
  const clash = backends.find((b) => b.port === metrics.port && b.host === metrics.host);
  if (clash !== undefined) {
    throw new LbConfigError(flag, `the default (--listen port + 1) ${formatHostPort(clash)} is a backend; give it`);
  }
  return metrics;
}

/** Check and type the flags. Throws LbConfigError naming the first bad flag. */
export function resolveLbOptions(f: LbFlags): LbOptions {
  if (f.listen === undefined) throw new LbConfigError('--listen', 'required: the address to accept connections on');
  const listen = parseHostPort(f.listen, '--listen', true);
  const backends = parseBackends(f.backends);
  return {
    listen,
    backends,
    health: resolveHealth(f),
    passiveCheck: f.passiveCheck === true,
    maxConnections: parseIntFlag(f.maxConnections ?? FLAG_DEFAULTS.maxConnections, '--max-connections',
      1, L.CONNECTIONS_MAX_LIMIT),
    connectTimeoutMs: parseDurationMs(f.connectTimeout ?? FLAG_DEFAULTS.connectTimeout, '--connect-timeout',
      1, L.CONNECT_TIMEOUT_MS_MAX),
    gracePeriodMs: parseDurationMs(f.gracePeriod ?? FLAG_DEFAULTS.gracePeriod, '--grace-period',
      0, L.SHUTDOWN_GRACE_MS_MAX),
    metricsListen: f.metricsListen === undefined
      ? defaultMetricsListen(listen, backends)
      : parseHostPort(f.metricsListen, '--metrics-listen', true),
  };
}
