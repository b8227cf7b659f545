// `host:port` addresses on the command line: `127.0.0.1:6443`, `[::1]:6443`, `localhost:6443`,
// or `:6443` (loopback). URLs are refused with a hint, since the balancer works at layer 4.
import { isIPv6 } from 'node:net';
import { LbConfigError } from './errors.js';

export interface HostPort {
  host: string;
  port: number;
}

/** The host used when an address gives only `:port`: loopback, never every interface by accident. */
export const DEFAULT_HOST = '127.0.0.1';
const HOST_MAX_CHARS = 253;
const HOSTNAME = /^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$/;

/** Parse one address; port 0 (pick a free port) only when `allowPortZero` (listeners). */
export function parseHostPort(text: string, flag: string, allowPortZero: boolean): HostPort {
  const s = text.trim();
  if (s.includes('://')) {
    throw new LbConfigError(flag, `"${text}" is a URL; give host:port (the load balancer forwards TCP, not HTTP)`);
  }
  const m = /^(?:\[([^\]]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(s);
  if (m === null) throw new LbConfigError(flag, `"${text}" is not host:port (e.g. 127.0.0.1:6443 or [::1]:6443)`);
  const host = m[1] ?? (m[2] === '' || m[2] === undefined ? DEFAULT_HOST : m[2]);
  if (m[1] !== undefined && !isIPv6(host)) throw new LbConfigError(flag, `"${host}" in brackets is not an IPv6 address`);
  if (m[1] === undefined && (host.length > HOST_MAX_CHARS || !HOSTNAME.test(host))) {
    throw new LbConfigError(flag, `"${host}" is not a valid host name or IPv4 address`);
  }
  const port = Number(m[3]);
  if (port > 65_535 || (port === 0 && !allowPortZero)) {
    throw new LbConfigError(flag, `port ${m[3]} in "${text}" must be from ${allowPortZero ? 0 : 1} to 65535`);
  }
  return { host, port };
}

/** `host:port`, with brackets around IPv6 hosts (the form parseHostPort reads back). */
export function formatHostPort(a: HostPort): string {
  return isIPv6(a.host) ? `[${a.host}]:${a.port}` : `${a.host}:${a.port}`;
}
