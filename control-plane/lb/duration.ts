// Durations on the command line: `250ms`, `1s`, `1.5s`, `2m`, `1h`, or a plain number of
// milliseconds. The result is a whole number of milliseconds; anything else is refused
// with an error that names the flag.
import { LbConfigError } from './errors.js';
import { DURATION_TEXT_MAX_CHARS } from './limits.js';

const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/;
const EXAMPLES = 'use a duration like 250ms, 1s, 1.5s, 2m or a plain number of milliseconds';

/** Parse `text` as a duration in milliseconds within [minMs, maxMs]; errors name `flag`. */
export function parseDurationMs(text: string, flag: string, minMs = 0, maxMs = Number.MAX_SAFE_INTEGER): number {
  const trimmed = text.trim();
  if (trimmed.length > DURATION_TEXT_MAX_CHARS) {
    throw new LbConfigError(flag, `"${trimmed.slice(0, DURATION_TEXT_MAX_CHARS)}..." is too long to be a duration`);
  }
  const m = DURATION.exec(trimmed);
  if (m === null) throw new LbConfigError(flag, `"${text}" is not a duration; ${EXAMPLES}`);
  const ms = Number(m[1]) * (UNIT_MS[m[2] ?? 'ms'] ?? 1);
  // Decimal arithmetic: 1.1s is 1100.0000000000002 in binary floating point.
  const rounded = Math.round(ms);
  if (Math.abs(ms - rounded) > 1e-6 || !Number.isSafeInteger(rounded)) {
    throw new LbConfigError(flag, `"${text}" is not a whole number of milliseconds; ${EXAMPLES}`);
  }
  if (rounded < minMs || rounded > maxMs) {
    throw new LbConfigError(flag, `"${text}" is out of range: must be from ${formatDuration(minMs)} to ${formatDuration(maxMs)}`);
  }
  return rounded;
}

/** The shortest exact spelling of `ms` in the largest whole unit (HAProxy reads the same units). */
export function formatDuration(ms: number): string {
  if (ms > 0) {
    for (const unit of ['h', 'm', 's'] as const) {
      const size = UNIT_MS[unit]!;
      if (ms % size === 0) return `${ms / size}${unit}`;
    }
  }
  return `${ms}ms`;
}
