// `flotilla apiserver` settings: kube-apiserver's flag names where they exist, checked and
// typed. Every refusal names the flag.
import { parseDurationMs } from '../lb/duration.js';
import { APISERVER_LIMITS } from './limits.js';

export class ApiServerConfigError extends Error {
  readonly code = 'FLOTILLA_ERR_APISERVER_CONFIG';
}

export interface ApiServerOptions {
  etcdServers: string[];
  etcdPrefix: string;
  bindAddress: string;
  securePort: number;
  advertiseAddress: string;
  /** Serving certificate; undefined only with --insecure-serve-http (tests and debugging). */
  tls: { certFile: string; keyFile: string } | undefined;
  certDir: string;
  clientCaFile: string | undefined;
  tokenAuthFile: string | undefined;
  anonymousAuth: boolean;
  authorizationMode: 'RBAC' | 'AlwaysAllow';
  serviceClusterIpRange: string;
  serviceNodePortRange: string;
  shutdownDelayMs: number;
  /** Events each resource's watch cache keeps (kube-apiserver --default-watch-cache-size). */
  watchCacheSize: number;
}

/** As commander hands them over (camelCase of the long names). */
export interface ApiServerFlags {
  etcdServers: string;
  etcdPrefix: string;
  bindAddress: string;
  securePort: string;
  advertiseAddress?: string;
  tlsCertFile?: string;
  tlsPrivateKeyFile?: string;
  certDir: string;
  clientCaFile?: string;
  tokenAuthFile?: string;
  anonymousAuth: string;
  authorizationMode: string;
  serviceClusterIpRange: string;
  serviceNodePortRange: string;
  shutdownDelayDuration: string;
  defaultWatchCacheSize: string;
  insecureServeHttp?: boolean;
}

export const APISERVER_FLAG_DEFAULTS = {
  etcdPrefix: '/registry',
  bindAddress: '127.0.0.1',
  securePort: '6443',
  certDir: './apiserver.local.config/certificates',
  anonymousAuth: 'false',
  authorizationMode: 'RBAC',
  // Loopback, so that kube-proxy can serve every cluster IP on this machine (see node-agent/proxy).
  serviceClusterIpRange: '127.96.0.0/16',
  serviceNodePortRange: '30000-32767',
  shutdownDelayDuration: '1s',
  defaultWatchCacheSize: String(APISERVER_LIMITS.watchCacheEventsPerResource),
} as const;

export function resolveApiServerOptions(f: ApiServerFlags): ApiServerOptions {
  const etcdServers = f.etcdServers.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (etcdServers.length === 0) throw new ApiServerConfigError('--etcd-servers: at least one store endpoint (http://127.0.0.1:2379) is required');
  for (const s of etcdServers) {
    if (!/^(https?:\/\/)?[^/\s]+:\d+$/.test(s)) throw new ApiServerConfigError(`--etcd-servers: ${JSON.stringify(s)} is not a URL like http://127.0.0.1:2379`);
    if (s.startsWith('https://')) throw new ApiServerConfigError('--etcd-servers: https store endpoints are not supported yet; use http://');
  }
  const port = Number(f.securePort);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ApiServerConfigError(`--secure-port: ${JSON.stringify(f.securePort)} is not a port (0-65535; 0 picks a free one)`);
  const watchCacheSize = Number(f.defaultWatchCacheSize);
  if (!Number.isInteger(watchCacheSize) || watchCacheSize < 1 || watchCacheSize > 1_000_000) {
    throw new ApiServerConfigError(`--default-watch-cache-size: ${JSON.stringify(f.defaultWatchCacheSize)} must be an integer from 1 to 1000000`);
  }
  if (f.anonymousAuth !== 'true' && f.anonymousAuth !== 'false') throw new ApiServerConfigError('--anonymous-auth: must be true or false');
  if (f.authorizationMode !== 'RBAC' && f.authorizationMode !== 'AlwaysAllow') {
    throw new ApiServerConfigError(`--authorization-mode: ${JSON.stringify(f.authorizationMode)} is not supported (RBAC or AlwaysAllow)`);
  }
  if ((f.tlsCertFile === undefined) !== (f.tlsPrivateKeyFile === undefined)) {
    throw new ApiServerConfigError('--tls-cert-file and --tls-private-key-file go together');
  }
  const tls = f.insecureServeHttp === true ? undefined
    : f.tlsCertFile ? { certFile: f.tlsCertFile, keyFile: f.tlsPrivateKeyFile! } : { certFile: '', keyFile: '' };
  return {
    etcdServers, etcdPrefix: f.etcdPrefix, bindAddress: f.bindAddress, securePort: port,
    advertiseAddress: f.advertiseAddress ?? f.bindAddress, tls, certDir: f.certDir, clientCaFile: f.clientCaFile,
    tokenAuthFile: f.tokenAuthFile, anonymousAuth: f.anonymousAuth === 'true',
    authorizationMode: f.authorizationMode, serviceClusterIpRange: f.serviceClusterIpRange,
    serviceNodePortRange: f.serviceNodePortRange,
    shutdownDelayMs: parseDurationMs(f.shutdownDelayDuration, '--shutdown-delay-duration', 0, 600_000),
    watchCacheSize,
  };
}
