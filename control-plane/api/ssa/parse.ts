// The body of an apply PATCH (application/apply-patch+yaml): YAML or JSON, one document,
// a mapping at the top. Kubernetes decodes it with sigs.k8s.io/yaml (YAML 1.1 through
// yaml.v2, then to JSON), so we parse YAML 1.1 too: `yes`/`no`/`on`/`off` are booleans,
// `0755` is octal, timestamps stay strings. Errors read "error decoding YAML: ..." (400).
import { parseDocument } from 'yaml';
import type { JsonObject, JsonValue } from '../json.js';
import { isJsonObject } from '../json.js';
import { MAX_REQUEST_BODY_BYTES } from '../limits.js';
import { SsaRequestError } from './errors.js';
import { MAX_APPLY_YAML_ALIASES } from './limits.js';

function goKind(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return 'number';
  if (typeof v === 'boolean') return 'bool';
  return 'string';
}

/** Plain JSON out of the parsed YAML: finite numbers only, Dates back to strings, keys as strings. */
function toJson(v: unknown, path: string): JsonValue {
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return v;
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new SsaRequestError(`error decoding YAML: ${path}: ${v} is not a JSON number`);
    return v;
  }
  if (typeof v === 'bigint') return Number(v);
  if (v instanceof Date) return v.toISOString();
  if (Array.isArray(v)) return v.map((x, i) => toJson(x, `${path}[${i}]`));
  if (typeof v === 'object') {
    const out: JsonObject = {};
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
      const value = toJson(x, path === '' ? k : `${path}.${k}`);
      if (k === '__proto__') Object.defineProperty(out, k, { value, enumerable: true, writable: true, configurable: true });
      else out[k] = value;
    }
    return out;
  }
  throw new SsaRequestError(`error decoding YAML: ${path}: unsupported value`);
}

/** Parses an apply body; throws SsaRequestError with Kubernetes' "error decoding YAML" wording. */
export function parseApplyBody(text: string): JsonObject {
  if (Buffer.byteLength(text, 'utf8') > MAX_REQUEST_BODY_BYTES) {
    throw new SsaRequestError(`error decoding YAML: body larger than ${MAX_REQUEST_BODY_BYTES} bytes`);
  }
  const doc = parseDocument(text, {
    version: '1.1', uniqueKeys: true, prettyErrors: false,
    customTags: (tags) => tags.filter((t) => !(typeof t === 'object' && t.tag === 'tag:yaml.org,2002:timestamp')),
  });
  const problem = doc.errors[0];
  if (problem) throw new SsaRequestError(`error decoding YAML: ${problem.message}`);
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: MAX_APPLY_YAML_ALIASES });
  } catch (e) {
    throw new SsaRequestError(`error decoding YAML: ${(e as Error).message}`);
  }
  // An empty body is an empty object (Kubernetes then refuses its missing apiVersion).
  if (value === null || value === undefined) return {};
  if (!isJsonObject(value)) {
    throw new SsaRequestError(`error decoding YAML: json: cannot unmarshal ${goKind(value)} into Go value of type ` +
      'map[string]interface {}');
  }
  return toJson(value, '') as JsonObject;
}
