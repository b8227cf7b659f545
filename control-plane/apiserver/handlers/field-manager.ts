// Field ownership (metadata.managedFields) on every write, as kube-apiserver's FieldManager:
// the manager is the request's ?fieldManager, else derived from the User-Agent ("kubectl"
// from "kubectl/v1.32.0 (linux/amd64) ..."); updates are recorded with operation "Update",
// server-side apply (handlers/apply.ts) with "Apply".
import { apiVersionOf, invalidStatus, type JsonObject, type ResourceInfo, schemaOf, type Status } from '../../api/index.js';
import { recordUpdate } from '../../api/ssa/index.js';
import type { RequestContext } from '../http/context.js';

const MAX_FIELD_MANAGER_CHARS = 128;

/** The manager of a request, or a 422 for a fieldManager Kubernetes would refuse. */
export function fieldManagerOf(ctx: RequestContext | undefined, optionsKind = 'CreateOptions'): string | Status {
  const explicit = ctx?.query.get('fieldManager');
  if (explicit !== undefined && explicit !== null && explicit !== '') {
    if (explicit.length > MAX_FIELD_MANAGER_CHARS || /[^\x20-\x7e]/.test(explicit)) {
      return invalidStatus({ group: 'meta.k8s.io', kind: optionsKind }, '', [{ type: 'FieldValueInvalid', field: 'fieldManager',
        badValue: explicit, detail: `must consist of printable characters and be at most ${MAX_FIELD_MANAGER_CHARS} long` }]);
    }
    return explicit;
  }
  const agent = String(ctx?.req.headers['user-agent'] ?? '');
  const prefix = agent.split('/')[0]!.trim();
  return prefix === '' ? 'unknown' : prefix.slice(0, MAX_FIELD_MANAGER_CHARS);
}

/** The object with its managedFields updated for a non-apply write by `manager`. */
export function withUpdateOwnership(r: ResourceInfo, old: JsonObject | undefined, updated: JsonObject, manager: string,
  nowIso: string, subresource?: string): JsonObject {
  return recordUpdate({ schema: schemaOf(r), old, updated, manager, nowIso, apiVersion: apiVersionOf(r), subresource });
}
