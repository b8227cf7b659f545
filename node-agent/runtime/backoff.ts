// The kubelet's backoff (client-go flowcontrol.Backoff, as used for CrashLoopBackOff and
// ImagePullBackOff): the first retry is immediate; after that each retry waits twice as long
// as the previous one, from 10 s to at most 5 min; an entry not touched for twice the maximum
// (10 min) is forgotten, so a container that ran well for 10 min starts again at 10 s.
import { BACKOFF_INITIAL_SECONDS, BACKOFF_MAX_SECONDS } from './limits.js';

export interface BackoffConfig {
  initialSeconds: number;
  maxSeconds: number;
}

export const DEFAULT_BACKOFF: BackoffConfig = {
  initialSeconds: BACKOFF_INITIAL_SECONDS, maxSeconds: BACKOFF_MAX_SECONDS,
};

/** One key's backoff: the current delay and when it was last stepped (flowcontrol's backoffEntry). */
export interface BackoffEntry {
  delaySeconds: number;
  lastUpdateMs: number;
}

/** The delay before retry number `retry` (0-based, the first delayed retry is 0): 10, 20, 40 … 300 s. */
export function backoffSeconds(retry: number, config: BackoffConfig = DEFAULT_BACKOFF): number {
  if (retry < 0 || !Number.isFinite(retry)) return config.initialSeconds;
  const exponent = Math.min(retry, 62);
  return Math.min(config.maxSeconds, config.initialSeconds * 2 ** exponent);
}

function expired(entry: BackoffEntry, nowMs: number, config: BackoffConfig): boolean {
  return nowMs - entry.lastUpdateMs > 2 * config.maxSeconds * 1000;
}

/** flowcontrol.Backoff.Next: step the entry (or start it at the initial delay, if absent or expired). */
export function nextBackoff(entry: BackoffEntry | undefined, nowMs: number,
  config: BackoffConfig = DEFAULT_BACKOFF): BackoffEntry {
  if (entry === undefined || expired(entry, nowMs, config)) {
    return { delaySeconds: config.initialSeconds, lastUpdateMs: nowMs };
  }
  return { delaySeconds: Math.min(config.maxSeconds, entry.delaySeconds * 2), lastUpdateMs: nowMs };
}

/** flowcontrol.Backoff.IsInBackOffSince: is `eventMs` (the failure) less than the delay ago? */
export function inBackoffSince(entry: BackoffEntry | undefined, eventMs: number, nowMs: number,
  config: BackoffConfig = DEFAULT_BACKOFF): boolean {
  if (entry === undefined || expired(entry, nowMs, config)) return false;
  return nowMs - eventMs < entry.delaySeconds * 1000;
}

/** Go's time.Duration String for whole seconds, as the kubelet's messages print it ("10s", "5m0s", "1m20s"). */
export function formatDurationSeconds(seconds: number): string {
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h > 0 ? `${h}h${m}m${s % 60}s` : `${m}m${s % 60}s`;
}
