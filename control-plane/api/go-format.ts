// Go's fmt verbs as Kubernetes error messages use them: %q for names and values, %v/%#v for
// bad values in field errors. Only what our messages need; values longer than
// MAX_ERROR_VALUE_CHARS are cut so a hostile object cannot make an error message huge.
import { MAX_ERROR_VALUE_CHARS } from './limits.js';

/** Go's %q of a string (strconv.Quote): printable runes kept, the rest escaped. */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0) as number;
    switch (ch) {
      case '"': out += '\\"'; continue;
      case '\\': out += '\\\\'; continue;
      case '\x07': out += '\\a'; continue;
      case '\b': out += '\\b'; continue;
      case '\f': out += '\\f'; continue;
      case '\n': out += '\\n'; continue;
      case '\r': out += '\\r'; continue;
      case '\t': out += '\\t'; continue;
      case '\v': out += '\\v'; continue;
    }
    if (cp < 0x20 || cp === 0x7f) out += `\\x${cp.toString(16).padStart(2, '0')}`;
    else if (cp >= 0xd800 && cp <= 0xdfff) out += '\\ufffd';
    else if ((cp >= 0x80 && cp < 0xa0) || cp === 0x2028 || cp === 0x2029 || cp === 0xfeff) {
      out += `\\u${cp.toString(16).padStart(4, '0')}`;
    } else out += ch;
  }
  return out + '"';
}

function cut(s: string): string {
  return s.length > MAX_ERROR_VALUE_CHARS ? `${s.slice(0, MAX_ERROR_VALUE_CHARS)}...` : s;
}

function goNumber(n: number): string {
  if (Number.isInteger(n) && Math.abs(n) < 1e21) return String(n);
  const s = String(n);
  return s.replace(/e\+?(-?)(\d)$/, 'e+$1$2').replace('e+-', 'e-');
}

function goLiteral(v: unknown, depth: number): string {
  if (depth > 8) return '...';
  if (v === null || v === undefined) return 'nil';
  if (typeof v === 'string') return goQuote(v);
  if (typeof v === 'number') return goNumber(v);
  if (typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) {
    const elemType = v.length > 0 && v.every((x) => typeof x === 'string') ? 'string' : 'interface {}';
    return `[]${elemType}{${v.map((x) => goLiteral(x, depth + 1)).join(', ')}}`;
  }
  if (typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    const allStrings = entries.every(([, x]) => typeof x === 'string');
    const type = allStrings ? 'map[string]string' : 'map[string]interface {}';
    return `${type}{${entries.map(([k, x]) => `${goQuote(k)}:${goLiteral(x, depth + 1)}`).join(', ')}}`;
  }
  return String(v);
}

/** A value printed verbatim (a Go fmt.Stringer or a %#v rendering we built ourselves). */
export class GoRaw {
  constructor(readonly text: string) {}
}

/**
 * How a field error prints its bad value (field.Error.ErrorBody): numbers and booleans with
 * %v, strings with %q, null as "null", anything else Go-literal style (%#v).
 */
export function goBadValue(v: unknown): string {
  if (v instanceof GoRaw) return cut(v.text);
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'number') return goNumber(v);
  if (typeof v === 'boolean') return String(v);
  if (typeof v === 'string') return cut(goQuote(v));
  return cut(goLiteral(v, 0));
}

/** Go's %v of a decoded JSON value (map[string]interface{} etc.): map[a:1 b:[x y]], <nil>. */
export function goPlainValue(v: unknown, depth = 0): string {
  if (depth > 8) return '...';
  if (v === null || v === undefined) return '<nil>';
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return goNumber(v);
  if (typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return `[${v.map((x) => goPlainValue(x, depth + 1)).join(' ')}]`;
  const entries = Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `map[${entries.map(([k, x]) => `${k}:${goPlainValue(x, depth + 1)}`).join(' ')}]`;
}

/** Go's reflect type name of a decoded JSON value, as mergepatch.ErrBadArgType prints it. */
export function goJsonTypeName(v: unknown): string {
  if (v === null || v === undefined) return '%!s(<nil>)';
  if (Array.isArray(v)) return '[]interface {}';
  if (typeof v === 'object') return 'map[string]interface {}';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int64' : 'float64';
  return typeof v === 'boolean' ? 'bool' : 'string';
}
