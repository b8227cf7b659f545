// Decoding request bodies the way the apiserver's create/update handlers do, including
// server-side field validation (?fieldValidation=Strict|Warn|Ignore): unknown and duplicate
// fields are refused (Strict, 400), returned as warnings (Warn) or silently dropped (Ignore).
import { goQuote } from './go-format.js';
import { MAX_FIELD_VALIDATION_FINDINGS, MAX_REQUEST_BODY_BYTES } from './limits.js';
import { err, ok, type Result } from './errors.js';
import { isJsonObject, parseJson, utf8Length, type JsonObject, type JsonValue } from './json.js';
import { decode } from './schema/decode.js';
import type { GroupVersionKind, ObjectSchema } from './schema/dsl.js';
import { badRequest, requestEntityTooLarge } from './status.js';
import type { Status } from './types/meta.js';
import { invalidStatus, notSupported } from './validation/field-errors.js';
import { apiVersionOf } from './registry.js';

export type FieldValidationDirective = 'Strict' | 'Warn' | 'Ignore';

export type OptionsKind = 'CreateOptions' | 'UpdateOptions' | 'PatchOptions';

/**
 * The fieldValidation query parameter; absent or "" means Warn (the server default since
 * Kubernetes 1.27). Anything else is 422 on the options kind, as ValidateCreateOptions does.
 */
export function parseFieldValidation(param: string | undefined, optionsKind: OptionsKind = 'CreateOptions'):
  Result<FieldValidationDirective, Status> {
  if (param === undefined || param === '' || param === 'Warn') return ok('Warn');
  if (param === 'Strict' || param === 'Ignore') return ok(param);
  return err(invalidStatus({ group: 'meta.k8s.io', kind: optionsKind }, '',
    [notSupported('fieldValidation', param, ['', 'Ignore', 'Warn', 'Strict'])]));
}

/** kubectl-visible summary of a body that could not even be parsed (apiserver's summarizeData). */
function summarizeBody(body: string): string {
  if (body.length === 0) return '<empty>';
  const bytes = new TextEncoder().encode(body.slice(0, 64)).subarray(0, 30);
  const more = utf8Length(body) > 30 ? ' ...' : '';
  if (body[0] === '{') return new TextDecoder().decode(bytes) + more;
  return [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('') + more;
}

export interface DecodedBody {
  /** The decoded object (unknown fields dropped, canonical quantities/times, apiVersion/kind filled in). */
  readonly object: JsonObject;
  /** Warning texts for the Warning header (Warn mode), e.g. `unknown field "spec.foo"`. */
  readonly warnings: readonly string[];
}

/** The strict-decoding findings, in Kubernetes' wording. */
export function strictFindings(duplicates: readonly { path: string }[], unknown: readonly string[]): string[] {
  const out: string[] = [];
  for (const d of duplicates) out.push(`duplicate field ${goQuote(d.path)}`);
  for (const u of unknown) out.push(`unknown field ${goQuote(u)}`);
  return out.slice(0, MAX_FIELD_VALIDATION_FINDINGS);
}

/**
 * Decodes a create/update body for the kind served at this endpoint. Refusals are 400/413
 * Statuses worded like Kubernetes' (`Pod in version "v1" cannot be handled as a Pod: ...`).
 */
export function decodeBody(body: string, schema: ObjectSchema, directive: FieldValidationDirective):
  Result<DecodedBody, Status> {
  const gvk = schema.gvk as GroupVersionKind;
  if (utf8Length(body) > MAX_REQUEST_BODY_BYTES) {
    return err(requestEntityTooLarge(`limit is ${MAX_REQUEST_BODY_BYTES}`));
  }
  const parsed = parseJson(body);
  if (!parsed.ok || !isJsonObject(parsed.value.value)) {
    const why = parsed.ok ? `json: cannot unmarshal ${Array.isArray(parsed.value.value) ? 'array' : 'non-object'} into Go value of type struct { APIVersion string "json:\\"apiVersion,omitempty\\""; Kind string "json:\\"kind,omitempty\\"" }`
      : parsed.error.message;
    return err(badRequest(`the object provided is unrecognized (must be of type ${gvk.kind}): couldn't get version/kind; json parse error: ${why} (${summarizeBody(body)})`));
  }
  const raw = parsed.value.value;
  const apiVersion = typeof raw['apiVersion'] === 'string' && raw['apiVersion'] !== '' ? raw['apiVersion'] : apiVersionOf(gvk);
  const kind = typeof raw['kind'] === 'string' && raw['kind'] !== '' ? raw['kind'] : gvk.kind;
  const version = apiVersion.includes('/') ? apiVersion.slice(apiVersion.indexOf('/') + 1) : apiVersion;
  const cannotHandle = (why: string) => badRequest(`${kind} in version ${goQuote(version)} cannot be handled as a ${gvk.kind}: ${why}`);
  if (apiVersion !== apiVersionOf(gvk)) {
    return err(badRequest(`the API version in the data (${apiVersion}) does not match the expected API version (${apiVersionOf(gvk)})`));
  }
  if (kind !== gvk.kind) return err(cannotHandle(`no kind ${goQuote(kind)} is registered for version ${goQuote(apiVersion)}`));
  const decoded = decode(schema, raw);
  if (decoded.typeError !== undefined) return err(cannotHandle(decoded.typeError));
  const findings = directive === 'Ignore' ? [] : strictFindings(parsed.value.duplicates, decoded.unknownFields);
  if (directive === 'Strict' && findings.length > 0) return err(cannotHandle(`strict decoding error: ${findings.join(', ')}`));
  const { apiVersion: _v, kind: _k, ...rest } = decoded.value as JsonObject;
  const object: JsonObject = { apiVersion, kind, ...rest };
  return ok({ object, warnings: directive === 'Warn' ? findings : [] });
}

/**
 * The 422 a patch answers with when the patched object fails strict decoding:
 * ` "" is invalid: patch: Invalid value: "<value>": strict decoding error: ...` (GroupKind{}, no name).
 */
export function patchStrictDecodingStatus(patchedValue: JsonValue | string, findings: readonly string[]): Status {
  const shown = typeof patchedValue === 'string' ? patchedValue : JSON.stringify(patchedValue);
  return invalidStatus({ group: '', kind: '' }, '',
    [{ type: 'FieldValueInvalid', field: 'patch', badValue: shown, detail: `strict decoding error: ${findings.join(', ')}` }]);
}
