// Standard 5-field cron schedules as Kubernetes' CronJob reads them (robfig/cron/v3
// ParseStandard): "minute hour day-of-month month day-of-week"; `*` and `?`, lists `a,b`,
// ranges `a-b`, steps `*/n`, `a/n` (a to max) and `a-b/n`; month names JAN-DEC and weekday
// names SUN-SAT (case-insensitive); weekdays 0-6; the descriptors @yearly/@annually, @monthly,
// @weekly, @daily/@midnight, @hourly. Day-of-month and day-of-week are ANDed when either
// starts with `*` or `?` (without a step above 1), else ORed — robfig's star-bit rule.
// Times are wall-clock times in an IANA time zone, found without clocks of our own: callers
// pass "now". Pure: no I/O.
import { CRON_SEARCH_YEARS_MAX, MAX_CRON_SCHEDULE_CHARS } from './limits.js';
import { err, ok, type Result } from './errors.js';

interface Bounds { readonly min: number; readonly max: number; readonly names?: Readonly<Record<string, number>> }

const MINUTES: Bounds = { min: 0, max: 59 };
const HOURS: Bounds = { min: 0, max: 23 };
const DOM: Bounds = { min: 1, max: 31 };
const MONTH_NAMES = { jan: 1, feb: 2, mar: 3, apr: 4, may: 5, jun: 6, jul: 7, aug: 8, sep: 9, oct: 10, nov: 11,
  dec: 12 };
const MONTHS: Bounds = { min: 1, max: 12, names: MONTH_NAMES };
const DOW: Bounds = { min: 0, max: 6, names: { sun: 0, mon: 1, tue: 2, wed: 3, thu: 4, fri: 5, sat: 6 } };

const DESCRIPTORS: Readonly<Record<string, string>> = {
  '@yearly': '0 0 1 1 *', '@annually': '0 0 1 1 *', '@monthly': '0 0 1 * *', '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *', '@midnight': '0 0 * * *', '@hourly': '0 * * * *',
};

interface Field { readonly allowed: ReadonlySet<number>; readonly star: boolean }

export interface CronSchedule {
  readonly minutes: ReadonlySet<number>;
  readonly hours: ReadonlySet<number>;
  readonly daysOfMonth: ReadonlySet<number>;
  readonly months: ReadonlySet<number>;
  readonly daysOfWeek: ReadonlySet<number>;
  /** Day-of-month or day-of-week was `*`/`?`: the two are ANDed, else ORed. */
  readonly dayStar: boolean;
}

function parseInt10(s: string, expr: string): Result<number, string> {
  if (!/^[0-9]+$/.test(s)) return err(`failed to parse int from ${s}: strconv.Atoi: parsing "${s}": invalid syntax`);
  const n = Number(s);
  return Number.isSafeInteger(n) ? ok(n) : err(`failed to parse int from ${s}: value out of range in ${expr}`);
}

function value(s: string, b: Bounds, expr: string): Result<number, string> {
  const named = b.names?.[s.toLowerCase()];
  return named !== undefined ? ok(named) : parseInt10(s, expr);
}

/** One comma-separated term of a field (robfig getRange). */
function parseRange(expr: string, b: Bounds, into: Set<number>): Result<boolean, string> {
  const [rangePart = '', stepPart, extra] = expr.split('/');
  if (extra !== undefined) return err(`too many slashes: ${expr}`);
  const lowHigh = rangePart.split('-');
  let start: number; let end: number; let star = false;
  if (lowHigh[0] === '*' || lowHigh[0] === '?') {
    if (lowHigh.length > 1) return err(`failed to parse int from ${rangePart}`);
    start = b.min; end = b.max; star = true;
  } else {
    if (lowHigh.length > 2) return err(`too many hyphens: ${expr}`);
    const lo = value(lowHigh[0] ?? '', b, expr);
    if (!lo.ok) return lo;
    start = lo.value;
    if (lowHigh.length === 2) {
      const hi = value(lowHigh[1] ?? '', b, expr);
      if (!hi.ok) return hi;
      end = hi.value;
    } else {
      end = start;
    }
  }
  let step = 1;
  if (stepPart !== undefined) {
    const st = parseInt10(stepPart, expr);
    if (!st.ok) return st;
    step = st.value;
    if (step <= 0) return err(`step of range should be a positive number: ${expr}`);
    // "N/step" means N to the maximum.
    if (lowHigh.length === 1 && !star) end = b.max;
    if (step > 1) star = false;
  }
  if (start < b.min) return err(`beginning of range (${start}) below minimum (${b.min}): ${expr}`);
  if (end > b.max) return err(`end of range (${end}) above maximum (${b.max}): ${expr}`);
  if (start > end) return err(`beginning of range (${start}) beyond end of range (${end}): ${expr}`);
  for (let v = start; v <= end; v += step) into.add(v);
  return ok(star);
}

function parseField(text: string, b: Bounds): Result<Field, string> {
  const allowed = new Set<number>();
  let star = false;
  for (const term of text.split(',')) {
    const r = parseRange(term, b, allowed);
    if (!r.ok) return r;
    star ||= r.value;
  }
  return ok({ allowed, star });
}

/** Parses a schedule; the error text follows robfig/cron's wording, as kubectl shows it in a 422. */
export function parseCronSchedule(text: string): Result<CronSchedule, string> {
  if (text.length > MAX_CRON_SCHEDULE_CHARS) return err(`must be no more than ${MAX_CRON_SCHEDULE_CHARS} characters`);
  const trimmed = text.trim();
  if (trimmed === '') return err('empty spec string');
  let spec = trimmed;
  if (spec.startsWith('@')) {
    const d = DESCRIPTORS[spec.toLowerCase()];
    if (d === undefined) return err(`unrecognized descriptor: ${spec}`);
    spec = d;
  }
  const fields = spec.split(/\s+/);
  if (fields.length !== 5) return err(`expected exactly 5 fields, found ${fields.length}: [${fields.join(' ')}]`);
  const parts: Field[] = [];
  for (const [i, b] of [MINUTES, HOURS, DOM, MONTHS, DOW].entries()) {
    const f = parseField(fields[i] ?? '', b);
    if (!f.ok) return f;
    parts.push(f.value);
  }
  const [mi, h, dom, mo, dow] = parts as [Field, Field, Field, Field, Field];
  return ok({ minutes: mi.allowed, hours: h.allowed, daysOfMonth: dom.allowed, months: mo.allowed,
    daysOfWeek: dow.allowed, dayStar: dom.star || dow.star });
}

// ---- time zones --------------------------------------------------------------------------

const formatters = new Map<string, Intl.DateTimeFormat>();

/** True when the IANA name is one this runtime knows (Kubernetes checks against its tzdata). */
export function isValidTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return tz.trim() !== '' && tz !== 'Local';
  } catch {
    return false;
  }
}

function formatter(tz: string | undefined): Intl.DateTimeFormat {
  const key = tz ?? '';
  let f = formatters.get(key);
  if (f === undefined) {
    f = new Intl.DateTimeFormat('en-US', { timeZone: tz, hourCycle: 'h23', year: 'numeric', month: '2-digit',
      day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
    formatters.set(key, f);
  }
  return f;
}

/** The zone's offset from UTC at an instant, in ms (wall clock = utc + offset). */
function offsetMs(utcMs: number, tz: string | undefined): number {
  if (tz === 'UTC' || tz === 'Etc/UTC') return 0;
  const p: Record<string, number> = {};
  for (const part of formatter(tz).formatToParts(new Date(utcMs))) {
    if (part.type !== 'literal') p[part.type] = Number(part.value);
  }
  const wall = Date.UTC(p['year'] ?? 1970, (p['month'] ?? 1) - 1, p['day'] ?? 1, p['hour'] ?? 0, p['minute'] ?? 0, p['second'] ?? 0);
  return wall - (Math.floor(utcMs / 1000) * 1000);
}

function dayMatches(s: CronSchedule, d: Date): boolean {
  const dom = s.daysOfMonth.has(d.getUTCDate());
  const dow = s.daysOfWeek.has(d.getUTCDay());
  return s.dayStar ? dom && dow : dom || dow;
}

/**
 * The first activation strictly after `afterMs` (robfig Schedule.Next), or undefined when there
 * is none within CRON_SEARCH_YEARS_MAX years (e.g. "0 0 30 2 *"). `tz` undefined = the process's zone.
 */
export function nextActivation(s: CronSchedule, afterMs: number, tz?: string): number | undefined {
  let wall = Math.floor((afterMs + offsetMs(afterMs, tz)) / 60_000) * 60_000 + 60_000;
  const limitYear = new Date(wall).getUTCFullYear() + CRON_SEARCH_YEARS_MAX;
  for (;;) {
    const d = new Date(wall);
    const y = d.getUTCFullYear(); const mo = d.getUTCMonth(); const day = d.getUTCDate(); const h = d.getUTCHours();
    if (y > limitYear) return undefined;
    if (!s.months.has(mo + 1)) { wall = Date.UTC(y, mo + 1, 1); continue; }
    if (!dayMatches(s, d)) { wall = Date.UTC(y, mo, day + 1); continue; }
    if (!s.hours.has(h)) { wall = Date.UTC(y, mo, day, h + 1); continue; }
    if (!s.minutes.has(d.getUTCMinutes())) { wall += 60_000; continue; }
    // Wall clock back to an instant; a wall time skipped by a DST jump lands after the jump.
    const guess = wall - offsetMs(wall, tz);
    const utc = wall - offsetMs(guess, tz);
    if (utc > afterMs) return utc;
    wall += 60_000;
  }
}

/** Windows tried, smallest first, when looking back for the most recent activation. */
const DAY_MS = 86_400_000;
const LOOKBACK_WINDOWS_MS = [3_600_000, DAY_MS, 31 * DAY_MS, 366 * DAY_MS, CRON_SEARCH_YEARS_MAX * 366 * DAY_MS];

/**
 * The latest activation t with earliestMs < t <= nowMs (Kubernetes' mostRecentScheduleTime),
 * and whether more than one was missed. Looks back through growing windows so a CronJob that
 * has not run for years costs a bounded search, not one step per missed minute.
 */
export function mostRecentActivation(s: CronSchedule, earliestMs: number, nowMs: number, tz?: string):
  { timeMs: number | undefined; missedMany: boolean } {
  const first = nextActivation(s, earliestMs, tz);
  if (first === undefined || first > nowMs) return { timeMs: undefined, missedMany: false };
  for (const w of LOOKBACK_WINDOWS_MS) {
    const from = Math.max(earliestMs, nowMs - w);
    let t = nextActivation(s, from, tz);
    if (t === undefined || t > nowMs) continue;
    let count = 1;
    for (let n = nextActivation(s, t, tz); n !== undefined && n <= nowMs; n = nextActivation(s, n, tz)) {
      t = n;
      count++;
    }
    return { timeMs: t, missedMany: count > 1 || from > earliestMs };
  }
  return { timeMs: first, missedMany: false };
}
