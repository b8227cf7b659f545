// OpenAPI v3 documents derived from the schema DSL, shaped like the apiserver's
// /openapi/v3/<group-version> documents: components.schemas named by definition, $refs
// wrapped in allOf, Kubernetes' x-kubernetes-* extensions, and per-resource paths whose
// PATCH operations carry x-kubernetes-group-version-kind and a fieldValidation parameter
// (what kubectl checks before trusting server-side field validation).
import { RESOURCES, apiVersionOf, schemaOf, type GroupVersion, type ResourceInfo } from '../registry.js';
import { reachableStructs, type Field, type ObjectSchema, type Schema } from './dsl.js';
import { schemaForKind } from './index.js';
import { LIST_META, STATUS, DELETE_OPTIONS, PATCH, listSchema } from './meta-schemas.js';

type Json = Record<string, unknown>;

const QUANTITY_DEF = 'io.k8s.apimachinery.pkg.api.resource.Quantity';
const INT_OR_STRING_DEF = 'io.k8s.apimachinery.pkg.util.intstr.IntOrString';
const TIME_DEF = 'io.k8s.apimachinery.pkg.apis.meta.v1.Time';
const MICRO_TIME_DEF = 'io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime';
const ref = (name: string): Json => ({ $ref: `#/components/schemas/${name}` });

/** The OpenAPI schema of a value (no description: fields add theirs). */
function valueSchema(s: Schema): Json {
  switch (s.kind) {
    case 'string': {
      const out: Json = { type: 'string', default: '' };
      if (s.format) out['format'] = s.format;
      if (s.enum) out['enum'] = [...s.enum];
      return out;
    }
    case 'integer': return { type: 'integer', format: s.format, default: 0 };
    case 'number': return { type: 'number', format: 'double', default: 0 };
    case 'boolean': return { type: 'boolean', default: false };
    case 'quantity': return { allOf: [ref(QUANTITY_DEF)] };
    case 'int-or-string': return { allOf: [ref(INT_OR_STRING_DEF)] };
    case 'time': return { allOf: [ref(s.micro ? MICRO_TIME_DEF : TIME_DEF)] };
    case 'any': return { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
    case 'array': {
      const out: Json = { type: 'array', items: valueSchema(s.items) };
      if (s.listType) out['x-kubernetes-list-type'] = s.listType;
      if (s.listType === 'map' && s.listMapKeys) out['x-kubernetes-list-map-keys'] = [...s.listMapKeys];
      return out;
    }
    case 'map': return { type: 'object', additionalProperties: valueSchema(s.values) };
    case 'object': return { allOf: [ref(s.name)], default: {} };
  }
}

function fieldSchema(f: Field): Json {
  const out: Json = { ...valueSchema(f.schema) };
  if (f.schema.kind === 'string' || f.schema.kind === 'integer' || f.schema.kind === 'boolean' || f.schema.kind === 'number') {
    if (!f.required) delete out['default'];
  }
  if (f.description) out['description'] = f.description;
  if (f.patchMergeKey) out['x-kubernetes-patch-merge-key'] = f.patchMergeKey;
  if (f.patchStrategy) out['x-kubernetes-patch-strategy'] = f.patchStrategy;
  return out;
}

/** The component schema of a struct. */
export function structToOpenApi(s: ObjectSchema): Json {
  const properties: Json = {};
  const required: string[] = [];
  for (const [name, f] of Object.entries(s.fields)) {
    properties[name] = fieldSchema(f);
    if (f.required) required.push(name);
  }
  const out: Json = { description: s.description, type: 'object', properties };
  if (required.length > 0) out['required'] = required;
  if (s.gvk) out['x-kubernetes-group-version-kind'] = [{ group: s.gvk.group, kind: s.gvk.kind, version: s.gvk.version }];
  return out;
}

const SPECIAL_DEFS: Record<string, Json> = {
  [QUANTITY_DEF]: { description: 'Quantity is a fixed-point representation of a number.', oneOf: [{ type: 'string' }, { type: 'number' }] },
  [INT_OR_STRING_DEF]: { description: 'IntOrString is a type that can hold an int32 or a string.', format: 'int-or-string',
    oneOf: [{ type: 'integer' }, { type: 'string' }] },
  [TIME_DEF]: { description: 'Time is a wrapper around time.Time which supports correct marshaling to YAML and JSON.', type: 'string',
    format: 'date-time' },
  [MICRO_TIME_DEF]: { description: 'MicroTime is version of Time with microsecond level precision.', type: 'string', format: 'date-time' },
};

function usesSpecial(structs: ObjectSchema[]): string[] {
  const used = new Set<string>();
  const visit = (s: Schema): void => {
    if (s.kind === 'quantity') used.add(QUANTITY_DEF);
    else if (s.kind === 'int-or-string') used.add(INT_OR_STRING_DEF);
    else if (s.kind === 'time') used.add(s.micro ? MICRO_TIME_DEF : TIME_DEF);
    else if (s.kind === 'array') visit(s.items);
    else if (s.kind === 'map') visit(s.values);
  };
  for (const st of structs) for (const f of Object.values(st.fields)) visit(f.schema);
  return [...used].sort();
}

/** components.schemas for the given roots and everything they reference. */
export function componentSchemas(roots: readonly ObjectSchema[]): Json {
  const structs = reachableStructs(roots);
  const out: Json = {};
  for (const s of [...structs].sort((a, b) => (a.name < b.name ? -1 : 1))) out[s.name] = structToOpenApi(s);
  for (const name of usesSpecial(structs)) out[name] = SPECIAL_DEFS[name];
  return out;
}

const param = (name: string, description: string, type = 'string'): Json =>
  ({ name, in: 'query', description, schema: { type, uniqueItems: true } });
const DRY_RUN = param('dryRun', 'When present, indicates that modifications should not be persisted. Valid values are: - All');
const FIELD_MANAGER = param('fieldManager', 'fieldManager is a name associated with the actor or entity that is making these changes.');
const FIELD_VALIDATION = param('fieldValidation',
  'fieldValidation instructs the server on how to handle objects in the request containing unknown or duplicate fields. Valid values are: Ignore, Warn (default), Strict.');
const PRETTY = param('pretty', "If 'true', then the output is pretty printed.");
const FORCE = param('force', 'Force is going to "force" Apply requests.', 'boolean');
const LIST_PARAMS = ['allowWatchBookmarks', 'continue', 'fieldSelector', 'labelSelector', 'limit', 'resourceVersion',
  'resourceVersionMatch', 'sendInitialEvents', 'timeoutSeconds', 'watch'].map((n) =>
  param(n, `${n} for list and watch calls.`, n === 'limit' || n === 'timeoutSeconds' ? 'integer' : n === 'watch' || n.startsWith('allow') || n.startsWith('send') ? 'boolean' : 'string'));

function content(schemaName: string): Json {
  return { 'application/json': { schema: ref(schemaName) }, 'application/yaml': { schema: ref(schemaName) } };
}

type Gvk = { group: string; version: string; kind: string };

function operation(r: ResourceInfo, action: string, verb: string, body: string | null, result: string, kind: Gvk,
  params: Json[], sub = ''): Json {
  const tag = `${r.group === '' ? 'core' : r.group.split('.')[0]}_${r.version}`;
  const op: Json = {
    description: `${action} ${sub ? `${sub} of ` : ''}the specified ${r.kind}`,
    operationId: `${action}${r.namespaced && action !== 'list' ? 'Namespaced' : ''}${r.kind}${sub ? sub[0]!.toUpperCase() + sub.slice(1) : ''}`,
    tags: [tag],
    parameters: params,
    responses: { 200: { description: 'OK', content: content(result) }, 401: { description: 'Unauthorized' } },
    'x-kubernetes-action': verb,
    'x-kubernetes-group-version-kind': { group: kind.group, kind: kind.kind, version: kind.version },
  };
  if (body !== null) {
    op['requestBody'] = { content: verb === 'patch' ? {
      'application/apply-patch+yaml': { schema: ref(PATCH.name) },
      'application/json-patch+json': { schema: ref(PATCH.name) },
      'application/merge-patch+json': { schema: ref(PATCH.name) },
      'application/strategic-merge-patch+json': { schema: ref(PATCH.name) },
    } : { '*/*': { schema: ref(body) } }, required: true };
  }
  return op;
}

function resourcePaths(r: ResourceInfo, kindSchema: ObjectSchema, listName: string): Json {
  const base = r.group === '' ? `/api/${r.version}` : `/apis/${r.group}/${r.version}`;
  const scope = r.namespaced ? `${base}/namespaces/{namespace}/${r.plural}` : `${base}/${r.plural}`;
  const gvk = { group: r.group, version: r.version, kind: r.kind };
  const nameParam = { name: 'name', in: 'path', description: `name of the ${r.kind}`, required: true, schema: { type: 'string', uniqueItems: true } };
  const nsParam = { name: 'namespace', in: 'path', description: 'object name and auth scope, such as for teams and projects', required: true,
    schema: { type: 'string', uniqueItems: true } };
  const scopeParams = r.namespaced ? [nsParam, PRETTY] : [PRETTY];
  const write = [DRY_RUN, FIELD_MANAGER, FIELD_VALIDATION];
  const paths: Json = {};
  const collection: Json = { parameters: scopeParams };
  if (r.verbs.includes('list')) collection['get'] = operation(r, 'list', 'list', null, listName, gvk, LIST_PARAMS);
  if (r.verbs.includes('create')) collection['post'] = operation(r, 'create', 'post', kindSchema.name, kindSchema.name, gvk, write);
  if (r.verbs.includes('deletecollection')) collection['delete'] = operation(r, 'deletecollection', 'deletecollection', DELETE_OPTIONS.name, STATUS.name, gvk, [...LIST_PARAMS, DRY_RUN]);
  paths[scope] = collection;
  const item: Json = { parameters: [nameParam, ...scopeParams] };
  if (r.verbs.includes('get')) item['get'] = operation(r, 'read', 'get', null, kindSchema.name, gvk, []);
  if (r.verbs.includes('update')) item['put'] = operation(r, 'replace', 'put', kindSchema.name, kindSchema.name, gvk, write);
  if (r.verbs.includes('patch')) item['patch'] = operation(r, 'patch', 'patch', PATCH.name, kindSchema.name, gvk, [...write, FORCE]);
  if (r.verbs.includes('delete')) item['delete'] = operation(r, 'delete', 'delete', DELETE_OPTIONS.name, STATUS.name, gvk, [DRY_RUN]);
  paths[`${scope}/{name}`] = item;
  for (const s of r.subresources) {
    const subSchema = schemaForKind({ group: s.group, version: s.version, kind: s.kind });
    if (subSchema === undefined) continue;
    const subGvk = { group: s.group, version: s.version, kind: s.kind };
    const p: Json = { parameters: [nameParam, ...scopeParams] };
    if (s.verbs.includes('get')) p['get'] = operation(r, 'read', 'get', null, subSchema.name, subGvk, [], s.name);
    if (s.verbs.includes('update')) p['put'] = operation(r, 'replace', 'put', subSchema.name, subSchema.name, subGvk, write, s.name);
    if (s.verbs.includes('patch')) p['patch'] = operation(r, 'patch', 'patch', PATCH.name, subSchema.name, subGvk, [...write, FORCE], s.name);
    if (s.verbs.includes('create')) p['post'] = operation(r, 'create', 'post', subSchema.name, subSchema.name, subGvk, write, s.name);
    paths[`${scope}/{name}/${s.name}`] = p;
  }
  return paths;
}

/** The OpenAPI v3 document for one group-version (GET /openapi/v3/api/v1, /openapi/v3/apis/apps/v1, ...). */
export function toOpenApiV3(gv: GroupVersion): Json {
  const resources = RESOURCES.filter((r) => r.group === gv.group && r.version === gv.version);
  const roots: ObjectSchema[] = [STATUS, DELETE_OPTIONS, PATCH, LIST_META];
  let paths: Json = {};
  for (const r of resources) {
    const kind = schemaOf(r);
    const list = listSchema(kind, r.listKind);
    roots.push(kind, list);
    for (const s of r.subresources) {
      const sub = schemaForKind({ group: s.group, version: s.version, kind: s.kind });
      if (sub !== undefined) roots.push(sub);
    }
    paths = { ...paths, ...resourcePaths(r, kind, list.name) };
  }
  return {
    openapi: '3.0.0',
    info: { title: 'Kubernetes', version: 'v1.32.0' },
    paths,
    components: { schemas: componentSchemas(roots) },
  };
}

/** The discovery document GET /openapi/v3 answers with: one entry per group-version. */
export function openApiV3Discovery(gvs: readonly GroupVersion[], hashOf: (gv: GroupVersion) => string): Json {
  const paths: Json = {};
  for (const gv of gvs) {
    const key = gv.group === '' ? `api/${gv.version}` : `apis/${apiVersionOf(gv)}`;
    paths[key] = { serverRelativeURL: `/openapi/v3/${key}?hash=${hashOf(gv)}` };
  }
  return { paths };
}
