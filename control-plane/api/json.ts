// JSON values and a small JSON parser that, unlike JSON.parse, reports duplicate keys with
// their field paths (what fieldValidation=Strict needs), bounds nesting depth, and never
// lets a "__proto__" key touch a prototype. Error messages follow Go's encoding/json,
// which is what a Kubernetes client sees for a malformed body.
import { MAX_JSON_DEPTH } from './limits.js';
import { err, ok, type Result } from './errors.js';

export type JsonPrimitive = null | boolean | number | string;
export type JsonValue = JsonPrimitive | JsonValue[] | JsonObject;
export interface JsonObject { [key: string]: JsonValue }

export function isJsonObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Own property read that is safe for any key ("__proto__", "constructor", ...). */
export function getOwn(obj: JsonObject, key: string): JsonValue | undefined {
  return Object.prototype.hasOwnProperty.call(obj, key) ? obj[key] : undefined;
}

export function hasOwn(obj: object, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(obj, key);
}

/** Own property write that is safe for any key. */
export function setOwn(obj: JsonObject, key: string, value: JsonValue): void {
  if (key === '__proto__') {
    Object.defineProperty(obj, key, { value, writable: true, enumerable: true, configurable: true });
  } else {
    obj[key] = value;
  }
}

export function deepClone<T extends JsonValue>(v: T): T {
  if (Array.isArray(v)) return v.map((x) => deepClone(x)) as T;
  if (isJsonObject(v)) {
    const out: JsonObject = {};
    for (const k of Object.keys(v)) setOwn(out, k, deepClone(v[k] as JsonValue));
    return out as T;
  }
  return v;
}

export function jsonEqual(a: JsonValue | undefined, b: JsonValue | undefined): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    return a.every((x, i) => jsonEqual(x, b[i]));
  }
  if (isJsonObject(a)) {
    if (!isJsonObject(b)) return false;
    const ka = Object.keys(a);
    if (ka.length !== Object.keys(b).length) return false;
    return ka.every((k) => hasOwn(b, k) && jsonEqual(a[k], b[k]));
  }
  return false;
}

/** A duplicate key found while parsing, with the path of the field ("metadata.name"). */
export interface DuplicateField { readonly path: string }

export interface ParsedJson {
  readonly value: JsonValue;
  /** Duplicate keys in document order; the last occurrence wins, as in Go. */
  readonly duplicates: readonly DuplicateField[];
}

export interface JsonSyntaxError {
  readonly code: 'FLOTILLA_ERR_JSON_SYNTAX';
  /** Go-style message, e.g. "invalid character '}' looking for beginning of value". */
  readonly message: string;
  /** Byte offset (UTF-16 index) where the error was found. */
  readonly offset: number;
}

/** Appends a key to a field path the way Kubernetes prints paths: a.b, a[0].b. */
export function childPath(parent: string, key: string): string {
  return parent === '' ? key : `${parent}.${key}`;
}

export function indexPath(parent: string, index: number): string {
  return `${parent}[${index}]`;
}

class SyntaxFailure {
  constructor(readonly message: string, readonly offset: number) {}
}

function describeChar(c: string | undefined): string {
  if (c === undefined) return '';
  if (c === "'") return "'\\''";
  if (c === '"') return `'"'`;
  const code = c.charCodeAt(0);
  if (code < 0x20) return `'\\x${code.toString(16).padStart(2, '0')}'`;
  return `'${c}'`;
}

class Parser {
  pos = 0;
  readonly duplicates: DuplicateField[] = [];
  constructor(private readonly text: string) {}

  fail(context: string): never {
    if (this.pos >= this.text.length) throw new SyntaxFailure('unexpected end of JSON input', this.pos);
    throw new SyntaxFailure(`invalid character ${describeChar(this.text[this.pos])} ${context}`, this.pos);
  }

  skipWs(): void {
    const t = this.text;
    while (this.pos < t.length) {
      const c = t.charCodeAt(this.pos);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) this.pos++;
      else break;
    }
  }

  value(path: string, depth: number): JsonValue {
    this.skipWs();
    const c = this.text[this.pos];
    if (c === '{') return this.object(path, depth + 1);
    if (c === '[') return this.array(path, depth + 1);
    if (c === '"') return this.string();
    if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) return this.number();
    if (this.text.startsWith('true', this.pos)) { this.pos += 4; return true; }
    if (this.text.startsWith('false', this.pos)) { this.pos += 5; return false; }
    if (this.text.startsWith('null', this.pos)) { this.pos += 4; return null; }
    return this.fail('looking for beginning of value');
  }

  checkDepth(depth: number): void {
    if (depth > MAX_JSON_DEPTH) {
      throw new SyntaxFailure(`exceeded max depth of ${MAX_JSON_DEPTH}`, this.pos);
    }
  }

  object(path: string, depth: number): JsonObject {
    this.checkDepth(depth);
    this.pos++;
    const out: JsonObject = {};
    this.skipWs();
    if (this.text[this.pos] === '}') { this.pos++; return out; }
    for (;;) {
      this.skipWs();
      if (this.text[this.pos] !== '"') this.fail('looking for beginning of object key string');
      const key = this.string();
      this.skipWs();
      if (this.text[this.pos] !== ':') this.fail('after object key');
      this.pos++;
      const fieldPath = childPath(path, key);
      const v = this.value(fieldPath, depth);
      if (hasOwn(out, key)) this.duplicates.push({ path: fieldPath });
      setOwn(out, key, v);
      this.skipWs();
      const c = this.text[this.pos];
      if (c === ',') { this.pos++; continue; }
      if (c === '}') { this.pos++; return out; }
      this.fail('after object key:value pair');
    }
  }

  array(path: string, depth: number): JsonValue[] {
    this.checkDepth(depth);
    this.pos++;
    const out: JsonValue[] = [];
    this.skipWs();
    if (this.text[this.pos] === ']') { this.pos++; return out; }
    for (;;) {
      out.push(this.value(indexPath(path, out.length), depth));
      this.skipWs();
      const c = this.text[this.pos];
      if (c === ',') { this.pos++; continue; }
      if (c === ']') { this.pos++; return out; }
      this.fail('after array element');
    }
  }

  string(): string {
    const t = this.text;
    this.pos++;
    let out = '';
    let start = this.pos;
    for (;;) {
      if (this.pos >= t.length) this.fail('in string literal');
      const c = t.charCodeAt(this.pos);
      if (c === 0x22) {
        out += t.slice(start, this.pos);
        this.pos++;
        return out;
      }
      if (c < 0x20) this.fail('in string literal');
      if (c === 0x5c) {
        out += t.slice(start, this.pos);
        out += this.escape();
        start = this.pos;
        continue;
      }
      this.pos++;
    }
  }

  escape(): string {
    const t = this.text;
    this.pos++;
    const e = t[this.pos];
    const simple: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
    if (e !== undefined && hasOwn(simple, e)) { this.pos++; return simple[e] as string; }
    if (e === 'u') {
      const hex = t.slice(this.pos + 1, this.pos + 5);
      if (!/^[0-9a-fA-F]{4}$/.test(hex)) {
        this.pos = Math.min(this.pos + 1 + (hex.match(/^[0-9a-fA-F]*/)?.[0].length ?? 0), t.length);
        this.fail('in \\u hexadecimal character escape');
      }
      this.pos += 5;
      return String.fromCharCode(parseInt(hex, 16));
    }
    return this.fail('in string escape code');
  }

  number(): number {
    const t = this.text;
    const start = this.pos;
    if (t[this.pos] === '-') this.pos++;
    const digits = (): number => {
      const s = this.pos;
      while (this.pos < t.length && t[this.pos]! >= '0' && t[this.pos]! <= '9') this.pos++;
      return this.pos - s;
    };
    if (t[this.pos] === '0') this.pos++;
    else if (digits() === 0) this.fail('in numeric literal');
    if (t[this.pos] === '.') {
      this.pos++;
      if (digits() === 0) this.fail('after decimal point in numeric literal');
    }
    if (t[this.pos] === 'e' || t[this.pos] === 'E') {
      this.pos++;
      if (t[this.pos] === '+' || t[this.pos] === '-') this.pos++;
      if (digits() === 0) this.fail('in exponent of numeric literal');
    }
    return Number(t.slice(start, this.pos));
  }
}

/** Parses JSON text, reporting duplicate keys; refuses trailing data like Go's decoder. */
export function parseJson(text: string): Result<ParsedJson, JsonSyntaxError> {
  const p = new Parser(text);
  try {
    const value = p.value('', 0);
    p.skipWs();
    if (p.pos < text.length) p.fail('after top-level value');
    return ok({ value, duplicates: p.duplicates });
  } catch (e) {
    if (e instanceof SyntaxFailure) {
      return err({ code: 'FLOTILLA_ERR_JSON_SYNTAX', message: e.message, offset: e.offset });
    }
    throw e;
  }
}

/** Bytes of a string in UTF-8, without encoding it. */
export function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) { n += 4; i++; }
    else n += 3;
  }
  return n;
}
