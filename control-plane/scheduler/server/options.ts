// `flotilla scheduler` flags → the process's options. Flag names are kube-scheduler's; a flag given
// on the command line wins over the --config file's clientConnection / leaderElection fields (as
// kube-scheduler's deprecated flags do), which win over the defaults.
import { readFileSync, statSync } from 'node:fs';
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import { parse as parseYaml } from 'yaml';
import {
  DEFAULT_LEASE_DURATION_MS, DEFAULT_RENEW_DEADLINE_MS, DEFAULT_RETRY_PERIOD_MS,
} from '../../client/index.js';
import { parseDurationMs } from '../../lb/duration.js';
import { defaultConfiguration, loadSchedulerConfig, type SchedulerConfiguration } from '../config.js';
import { SchedulerFlagError } from './errors.js';
import {
  DEFAULT_BIND_ADDRESS, DEFAULT_KUBE_API_BURST, DEFAULT_KUBE_API_QPS, DEFAULT_LEASE_NAME, DEFAULT_LEASE_NAMESPACE,
  DEFAULT_SECURE_PORT, MAX_CONFIG_FILE_BYTES,
} from './limits.js';

export type EventsMode = 'all' | 'failures' | 'none';
export const EVENTS_MODES: readonly EventsMode[] = ['all', 'failures', 'none'];

/** What commander hands over: strings as typed, undefined when not given. */
export interface SchedulerFlags {
  kubeconfig?: string;
  config?: string;
  leaderElect?: string | boolean;
  leaderElectLeaseDuration?: string;
  leaderElectRenewDeadline?: string;
  leaderElectRetryPeriod?: string;
  leaderElectResourceNamespace?: string;
  leaderElectResourceName?: string;
  bindAddress?: string;
  securePort?: string;
  kubeApiQps?: string;
  kubeApiBurst?: string;
  events?: string;
}

export interface SchedulerServerOptions {
  kubeconfigPath: string;
  config: SchedulerConfiguration;
  leaderElect: boolean;
  leaseDurationMs: number;
  renewDeadlineMs: number;
  retryPeriodMs: number;
  leaseNamespace: string;
  leaseName: string;
  /** Lease holder identity: hostname_uuid, as kube-scheduler. */
  identity: string;
  bindAddress: string;
  /** 0: any free port (the log says which). */
  securePort: number;
  qps: number;
  burst: number;
  events: EventsMode;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function durationFlag(text: string | undefined, fromConfig: unknown, flag: string, def: number): number {
  const v = text ?? (typeof fromConfig === 'string' ? fromConfig : undefined);
  if (v === undefined) return def;
  try {
    // Go durations ("15s", "1.5s", "250ms") as the lb parses them.
    return parseDurationMs(v, flag, 1, 3_600_000);
  } catch (e) {
    throw new SchedulerFlagError(flag, (e as Error).message.replace(/^[^:]*: /, ''));
  }
}

function boolFlag(v: string | boolean | undefined, fromConfig: unknown, flag: string, def: boolean): boolean {
  if (v === true || v === false) return v;
  if (v === undefined) return typeof fromConfig === 'boolean' ? fromConfig : def;
  if (v === 'true' || v === '1') return true;
  if (v === 'false' || v === '0') return false;
  throw new SchedulerFlagError(flag, `"${v}" is not a boolean; use --${flag.replace(/^--/, '')}=true or =false`);
}

function numberFlag(text: string | undefined, fromConfig: unknown, flag: string, def: number, min: number,
  max: number): number {
  const v = text !== undefined ? Number(text) : typeof fromConfig === 'number' ? fromConfig : def;
  if (!Number.isFinite(v) || v < min || v > max) {
    throw new SchedulerFlagError(flag, `"${text ?? String(fromConfig)}" must be a number from ${min} to ${max}`);
  }
  return v;
}

/** Reads --config: the profiles (validated by the core) plus the raw document for the process fields. */
function readConfigFile(path: string | undefined): { config: SchedulerConfiguration; doc: Obj } {
  if (path === undefined) return { config: defaultConfiguration(), doc: {} };
  let text: string;
  try {
    if (statSync(path).size > MAX_CONFIG_FILE_BYTES) {
      throw new SchedulerFlagError('--config', `${path} is larger than ${MAX_CONFIG_FILE_BYTES} bytes`);
    }
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if (e instanceof SchedulerFlagError) throw e;
    throw new SchedulerFlagError('--config', `cannot read ${path}: ${(e as Error).message}`);
  }
  const config = loadSchedulerConfig(text);
  const doc: unknown = parseYaml(text);
  return { config, doc: isObj(doc) ? doc : {} };
}

export function resolveSchedulerOptions(f: SchedulerFlags): SchedulerServerOptions {
  const { config, doc } = readConfigFile(f.config);
  const cc = isObj(doc['clientConnection']) ? doc['clientConnection'] : {};
  const le = isObj(doc['leaderElection']) ? doc['leaderElection'] : {};
  const kubeconfigPath = f.kubeconfig ?? (typeof cc['kubeconfig'] === 'string' ? cc['kubeconfig'] : '');
  if (kubeconfigPath === '') {
    throw new SchedulerFlagError('--kubeconfig', 'required (or clientConnection.kubeconfig in --config)');
  }
  const events = f.events ?? 'all';
  if (!(EVENTS_MODES as readonly string[]).includes(events)) {
    throw new SchedulerFlagError('--events', `"${events}" is not one of ${EVENTS_MODES.join(', ')}`);
  }
  const str = (flag: string | undefined, v: unknown, def: string): string =>
    flag ?? (typeof v === 'string' && v !== '' ? v : def);
  const o: SchedulerServerOptions = {
    kubeconfigPath, config,
    leaderElect: boolFlag(f.leaderElect, le['leaderElect'], '--leader-elect', true),
    leaseDurationMs: durationFlag(f.leaderElectLeaseDuration, le['leaseDuration'], '--leader-elect-lease-duration',
      DEFAULT_LEASE_DURATION_MS),
    renewDeadlineMs: durationFlag(f.leaderElectRenewDeadline, le['renewDeadline'], '--leader-elect-renew-deadline',
      DEFAULT_RENEW_DEADLINE_MS),
    retryPeriodMs: durationFlag(f.leaderElectRetryPeriod, le['retryPeriod'], '--leader-elect-retry-period',
      DEFAULT_RETRY_PERIOD_MS),
    leaseNamespace: str(f.leaderElectResourceNamespace, le['resourceNamespace'], DEFAULT_LEASE_NAMESPACE),
    leaseName: str(f.leaderElectResourceName, le['resourceName'], DEFAULT_LEASE_NAME),
    identity: `${hostname()}_${randomUUID()}`,
    bindAddress: f.bindAddress ?? DEFAULT_BIND_ADDRESS,
    securePort: numberFlag(f.securePort, undefined, '--secure-port', DEFAULT_SECURE_PORT, 0, 65_535),
    qps: numberFlag(f.kubeApiQps, cc['qps'], '--kube-api-qps', DEFAULT_KUBE_API_QPS, 1, 1_000_000),
    burst: numberFlag(f.kubeApiBurst, cc['burst'], '--kube-api-burst', DEFAULT_KUBE_API_BURST, 1, 1_000_000),
    events: events as EventsMode,
  };
  if (!Number.isInteger(o.securePort)) throw new SchedulerFlagError('--secure-port', `"${f.securePort}" is not a port`);
  if (o.leaderElect && !(o.leaseDurationMs > o.renewDeadlineMs && o.renewDeadlineMs > o.retryPeriodMs)) {
    throw new SchedulerFlagError('--leader-elect-lease-duration',
      'need lease duration > renew deadline > retry period (the holder must stop before a standby may take over)');
  }
  return o;
}
