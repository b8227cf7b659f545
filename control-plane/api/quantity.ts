// resource.Quantity: parsing ("100m", "1Gi", "2", "1e3", "0.5"), the canonical form
// Kubernetes serializes, comparison and arithmetic. Values are exact (BigInt mantissa and a
// power-of-ten scale); like Kubernetes, precision below 1n is rounded up away from zero and
// binary-suffixed values are capped at 2^63-1.
import { err, ok, type Result } from './errors.js';
import { MAX_QUANTITY_CHARS, MAX_QUANTITY_EXPONENT } from './limits.js';

export type QuantityFormat = 'DecimalSI' | 'BinarySI' | 'DecimalExponent';

export interface QuantityError {
  readonly code: 'FLOTILLA_ERR_QUANTITY';
  /** Kubernetes' message (ErrFormatWrong, ErrSuffix or ErrNumeric). */
  readonly message: string;
}

export const QUANTITY_FORMAT_MESSAGE =
  "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
export const QUANTITY_SUFFIX_MESSAGE = "unable to parse quantity's suffix";
export const QUANTITY_NUMERIC_MESSAGE = 'unable to parse numeric part of quantity';

const qerr = (message: string): QuantityError => ({ code: 'FLOTILLA_ERR_QUANTITY', message });

const DECIMAL_SUFFIXES: Record<string, number> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const BINARY_SUFFIXES: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };
const DECIMAL_BY_EXPONENT = new Map(Object.entries(DECIMAL_SUFFIXES).map(([s, e]) => [e, s]));
const BINARY_BY_EXPONENT = new Map(Object.entries(BINARY_SUFFIXES).map(([s, e]) => [e, s]));

const NANO_SCALE = -9;
const MAX_INT64 = (1n << 63n) - 1n;
const pow10 = (n: number): bigint => 10n ** BigInt(n);

interface Split { negative: boolean; num: string; denom: string; suffix: string }

const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';

/** parseQuantityString: sign, numerator, optional .denominator, suffix. */
function split(s: string): Split | null {
  let pos = 0;
  let negative = false;
  if (s[0] === '-' || s[0] === '+') { negative = s[0] === '-'; pos++; }
  while (s[pos] === '0') pos++;
  if (pos >= s.length) return { negative, num: '0', denom: '', suffix: '' };
  let start = pos;
  while (isDigit(s[pos])) pos++;
  const num = s.slice(start, pos) || '0';
  let denom = '';
  if (s[pos] === '.') {
    pos++;
    start = pos;
    while (isDigit(s[pos])) pos++;
    denom = s.slice(start, pos);
  }
  const suffixStart = pos;
  while (pos < s.length && 'eEinumkKMGTP'.includes(s[pos] as string)) pos++;
  if (s[pos] === '-' || s[pos] === '+') pos++;
  while (isDigit(s[pos])) pos++;
  if (pos < s.length) return null;
  return { negative, num, denom, suffix: s.slice(suffixStart) };
}

function interpretSuffix(suffix: string): { base: 10 | 2; exponent: number; format: QuantityFormat } | null {
  if (Object.prototype.hasOwnProperty.call(DECIMAL_SUFFIXES, suffix)) {
    return { base: 10, exponent: DECIMAL_SUFFIXES[suffix] as number, format: 'DecimalSI' };
  }
  if (Object.prototype.hasOwnProperty.call(BINARY_SUFFIXES, suffix)) {
    return { base: 2, exponent: BINARY_SUFFIXES[suffix] as number, format: 'BinarySI' };
  }
  if (suffix.length > 1 && (suffix[0] === 'e' || suffix[0] === 'E') && /^[+-]?\d+$/.test(suffix.slice(1))) {
    const exponent = Number(suffix.slice(1));
    if (Math.abs(exponent) > MAX_QUANTITY_EXPONENT) return null;
    return { base: 10, exponent, format: 'DecimalExponent' };
  }
  return null;
}

export class Quantity {
  /** value = mantissa * 10^scale, scale >= -9. */
  private constructor(readonly mantissa: bigint, readonly scale: number, readonly format: QuantityFormat,
    private readonly verbatim?: string) {}

  static parse(s: string): Result<Quantity, QuantityError> {
    if (s.length === 0 || s.length > MAX_QUANTITY_CHARS) return err(qerr(QUANTITY_FORMAT_MESSAGE));
    if (s === '0') return ok(new Quantity(0n, 0, 'DecimalSI', '0'));
    const parts = split(s);
    if (parts === null) return err(qerr(QUANTITY_FORMAT_MESSAGE));
    const suffix = interpretSuffix(parts.suffix);
    if (suffix === null) return err(qerr(QUANTITY_SUFFIX_MESSAGE));
    const { num, denom } = parts;
    let mantissa = BigInt(num + denom);
    let scale = -denom.length;
    if (suffix.base === 10) scale += suffix.exponent;
    else mantissa <<= BigInt(suffix.exponent);
    if (parts.negative) mantissa = -mantissa;
    const verbatim = reusable(s, parts, suffix, mantissa, scale);
    let format = suffix.format;
    if (scale < NANO_SCALE) {
      ({ mantissa, scale } = roundUpTo(mantissa, scale, NANO_SCALE));
    }
    if (format === 'BinarySI') {
      const abs = abs128(mantissa, scale);
      if (abs.cmpInt(MAX_INT64) > 0) { mantissa = mantissa < 0n ? -MAX_INT64 : MAX_INT64; scale = 0; }
      else if (mantissa !== 0n && abs.cmpInt(1n) < 0) format = 'DecimalSI';
    }
    return ok(new Quantity(mantissa, scale, format, verbatim));
  }

  /** Like parse, for values known to be valid (tests, constants); a bad string is a broken invariant. */
  static must(s: string): Quantity {
    const r = Quantity.parse(s);
    if (!r.ok) throw new Error(`invalid quantity ${JSON.stringify(s)}: ${r.error.message}`);
    return r.value;
  }

  static fromInt(value: number | bigint, format: QuantityFormat = 'DecimalSI'): Quantity {
    return new Quantity(BigInt(value), 0, format);
  }

  static fromMilli(milli: number | bigint, format: QuantityFormat = 'DecimalSI'): Quantity {
    return new Quantity(BigInt(milli), -3, format);
  }

  isZero(): boolean { return this.mantissa === 0n; }
  sign(): -1 | 0 | 1 { return this.mantissa === 0n ? 0 : this.mantissa < 0n ? -1 : 1; }

  cmp(other: Quantity): -1 | 0 | 1 {
    const [a, b] = align(this, other);
    return a < b ? -1 : a > b ? 1 : 0;
  }

  add(other: Quantity): Quantity {
    const [a, b, scale] = align(this, other);
    return new Quantity(a + b, scale, this.isZero() ? other.format : this.format);
  }

  sub(other: Quantity): Quantity {
    const [a, b, scale] = align(this, other);
    return new Quantity(a - b, scale, this.isZero() ? other.format : this.format);
  }

  neg(): Quantity { return new Quantity(-this.mantissa, this.scale, this.format); }

  /** ceil(value * 10^-scale) away from zero, as a bigint: scaledValue(-3) is milli units. */
  scaledValue(scale: number): bigint {
    return roundUpTo(this.mantissa, this.scale, scale).mantissa;
  }

  /** Value rounded up to an integer (bytes, counts). */
  value(): number { return Number(this.scaledValue(0)); }
  /** Value in thousandths rounded up (millicores). */
  milliValue(): number { return Number(this.scaledValue(-3)); }

  /** The canonical form Kubernetes serializes (Quantity.String()). */
  toString(): string {
    if (this.verbatim !== undefined) return this.verbatim;
    if (this.mantissa === 0n) return '0';
    let format = this.format;
    if (format === 'BinarySI') {
      const isInt = this.scale >= 0 || this.mantissa % pow10(-this.scale) === 0n;
      const small = abs128(this.mantissa, this.scale).cmpInt(1024n) < 0;
      if (small || !isInt) format = 'DecimalSI';
      else return base1024(this.scaledValue(0));
    }
    const { digits, exponent } = canonicalDecimal(this.mantissa, this.scale);
    if (exponent === 0) return digits;
    if (format === 'DecimalSI' && DECIMAL_BY_EXPONENT.has(exponent)) return digits + DECIMAL_BY_EXPONENT.get(exponent);
    return `${digits}e${exponent}`;
  }

  toJSON(): string { return this.toString(); }
}

/** Kubernetes keeps the input string when it is already canonical (fast path only). */
function reusable(s: string, parts: Split, suffix: { base: number; exponent: number; format: QuantityFormat },
  mantissa: bigint, scale: number): string | undefined {
  const abs = mantissa < 0n ? -mantissa : mantissa;
  if (abs > MAX_INT64) return undefined;
  if (suffix.format === 'BinarySI') {
    if (parts.denom !== '') return undefined;
    const precision = 15 - parts.num.length - Math.trunc((suffix.exponent * 3) / 10) - 1;
    const value = BigInt(parts.num);
    return precision >= 0 && (value & 7n) !== 0n ? s : undefined;
  }
  if (18 - parts.num.length - parts.denom.length < 0 || scale < NANO_SCALE) return undefined;
  const shifted = parts.num + parts.denom;
  return ((scale % 3) + 3) % 3 === 0 && !shifted.endsWith('000') && shifted[0] !== '0' ? s : undefined;
}

function align(a: Quantity, b: Quantity): [bigint, bigint, number] {
  const scale = Math.min(a.scale, b.scale);
  return [a.mantissa * pow10(a.scale - scale), b.mantissa * pow10(b.scale - scale), scale];
}

/** Rounds mantissa*10^scale to the target scale, away from zero. */
function roundUpTo(mantissa: bigint, scale: number, target: number): { mantissa: bigint; scale: number } {
  if (scale >= target) return { mantissa: mantissa * pow10(scale - target), scale: target };
  const div = pow10(target - scale);
  const neg = mantissa < 0n;
  const abs = neg ? -mantissa : mantissa;
  const q = (abs + div - 1n) / div;
  return { mantissa: neg ? -q : q, scale: target };
}

/** |mantissa * 10^scale| compared with integers. */
function abs128(mantissa: bigint, scale: number): { cmpInt(n: bigint): number } {
  const abs = mantissa < 0n ? -mantissa : mantissa;
  return {
    cmpInt(n: bigint): number {
      const [x, y] = scale >= 0 ? [abs * pow10(scale), n] : [abs, n * pow10(-scale)];
      return x < y ? -1 : x > y ? 1 : 0;
    },
  };
}

function canonicalDecimal(mantissa: bigint, scale: number): { digits: string; exponent: number } {
  let m = mantissa;
  let e = scale;
  while (m % 10n === 0n) { m /= 10n; e++; }
  const r = ((e % 3) + 3) % 3;
  m *= pow10(r);
  e -= r;
  return { digits: m.toString(), exponent: e };
}

function base1024(value: bigint): string {
  let v = value;
  let e = 0;
  while (v % 1024n === 0n && e < 60) { v /= 1024n; e += 10; }
  return v.toString() + (BINARY_BY_EXPONENT.get(e) ?? '');
}

/** Parses or refuses; for validation messages. */
export function parseQuantity(s: string): Result<Quantity, QuantityError> {
  return Quantity.parse(s);
}

/** A JSON quantity value (string or number) as Kubernetes reads it; whitespace is trimmed like UnmarshalJSON. */
export function quantityFromJson(v: string | number): Result<Quantity, QuantityError> {
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) return err(qerr(QUANTITY_FORMAT_MESSAGE));
    return Quantity.parse(numberText(v));
  }
  return Quantity.parse(v.trim());
}

/** A JS number as the decimal text Go would have seen (no exponent for typical values). */
function numberText(v: number): string {
  const s = String(v);
  return /e/i.test(s) ? s.replace(/e\+?/i, 'e') : s;
}
