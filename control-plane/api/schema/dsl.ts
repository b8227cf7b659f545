// A small schema DSL describing every API type once. From it we derive: the decoder's
// type checks and unknown-field detection (decode.ts), the strategic-merge-patch metadata
// (patch-meta.ts), OpenAPI v3 schemas (openapi.ts) and fast-check generators for tests
// (arbitrary.ts). Field names are Kubernetes' JSON names; struct names are the OpenAPI
// definition names ("io.k8s.api.core.v1.Container").

export type PatchStrategy = 'merge' | 'replace' | 'retainKeys' | 'merge,retainKeys';

export interface StringSchema { readonly kind: 'string'; readonly enum?: readonly string[]; readonly format?: string }
export interface IntegerSchema { readonly kind: 'integer'; readonly format: 'int32' | 'int64' }
export interface NumberSchema { readonly kind: 'number' }
export interface BooleanSchema { readonly kind: 'boolean' }
/** resource.Quantity: "100m", "1Gi" (a JSON number is accepted and becomes its string). */
export interface QuantitySchema { readonly kind: 'quantity' }
/** intstr.IntOrString: an int32 or a string. */
export interface IntOrStringSchema { readonly kind: 'int-or-string' }
/** metav1.Time (RFC 3339, seconds) or metav1.MicroTime (RFC 3339, microseconds). */
export interface TimeSchema { readonly kind: 'time'; readonly micro: boolean }
/** Anything goes (RawExtension, fieldsV1): kept as is, never checked. */
export interface AnySchema { readonly kind: 'any' }

export interface ArraySchema {
  readonly kind: 'array';
  readonly items: Schema;
  readonly listType?: 'atomic' | 'set' | 'map';
  readonly listMapKeys?: readonly string[];
}

export interface MapSchema { readonly kind: 'map'; readonly values: Schema }

export interface GroupVersionKind { readonly group: string; readonly version: string; readonly kind: string }

export interface Field {
  readonly schema: Schema;
  readonly description: string;
  readonly required: boolean;
  readonly patchStrategy?: PatchStrategy;
  readonly patchMergeKey?: string;
}

export interface ObjectSchema {
  readonly kind: 'object';
  /** OpenAPI definition name, e.g. "io.k8s.api.core.v1.PodSpec". */
  readonly name: string;
  readonly description: string;
  readonly fields: Readonly<Record<string, Field>>;
  /** Top-level kinds only. */
  readonly gvk?: GroupVersionKind;
}

export type Schema =
  | StringSchema | IntegerSchema | NumberSchema | BooleanSchema | QuantitySchema | IntOrStringSchema
  | TimeSchema | AnySchema | ArraySchema | MapSchema | ObjectSchema;

// ---- building blocks ---------------------------------------------------------------------

export const STRING: StringSchema = { kind: 'string' };
export const INT32: IntegerSchema = { kind: 'integer', format: 'int32' };
export const INT64: IntegerSchema = { kind: 'integer', format: 'int64' };
export const NUMBER: NumberSchema = { kind: 'number' };
export const BOOLEAN: BooleanSchema = { kind: 'boolean' };
export const QUANTITY: QuantitySchema = { kind: 'quantity' };
export const INT_OR_STRING: IntOrStringSchema = { kind: 'int-or-string' };
export const TIME: TimeSchema = { kind: 'time', micro: false };
export const MICRO_TIME: TimeSchema = { kind: 'time', micro: true };
export const ANY: AnySchema = { kind: 'any' };
/** A base64 string ([]byte in Go). */
export const BYTES: StringSchema = { kind: 'string', format: 'byte' };

export function enumOf(...values: string[]): StringSchema {
  return { kind: 'string', enum: values };
}

export function arrayOf(items: Schema, opts: { listType?: ArraySchema['listType']; listMapKeys?: string[] } = {}): ArraySchema {
  return { kind: 'array', items, ...opts };
}

export function mapOf(values: Schema): MapSchema {
  return { kind: 'map', values };
}

export interface FieldOptions {
  required?: boolean;
  patchStrategy?: PatchStrategy;
  patchMergeKey?: string;
}

export function field(schema: Schema, description: string, opts: FieldOptions = {}): Field {
  return { schema, description, required: opts.required ?? false, patchStrategy: opts.patchStrategy,
    patchMergeKey: opts.patchMergeKey };
}

/** Shorthands for the common field shapes. */
export const str = (description: string, opts?: FieldOptions): Field => field(STRING, description, opts);
export const i32 = (description: string, opts?: FieldOptions): Field => field(INT32, description, opts);
export const i64 = (description: string, opts?: FieldOptions): Field => field(INT64, description, opts);
export const bool = (description: string, opts?: FieldOptions): Field => field(BOOLEAN, description, opts);
export const time = (description: string): Field => field(TIME, description);
export const strMap = (description: string): Field => field(mapOf(STRING), description);
export const strList = (description: string, opts?: FieldOptions & { listType?: ArraySchema['listType'] }): Field =>
  field(arrayOf(STRING, { listType: opts?.listType ?? 'atomic' }), description, opts);

/** A list of structs merged by key in strategic merge patch (patchStrategy merge). */
export function mergeList(items: ObjectSchema, key: string, description: string, extra: {
  strategy?: PatchStrategy; listMapKeys?: string[];
} = {}): Field {
  return field(arrayOf(items, { listType: 'map', listMapKeys: extra.listMapKeys ?? [key] }), description,
    { patchStrategy: extra.strategy ?? 'merge', patchMergeKey: key });
}

/** A list replaced as a whole by strategic merge patch. */
export function atomicList(items: Schema, description: string, opts?: FieldOptions): Field {
  return field(arrayOf(items, { listType: 'atomic' }), description, opts);
}

export function struct(name: string, description: string, fields: Record<string, Field>): ObjectSchema {
  return { kind: 'object', name, description, fields };
}

/** A top-level kind: apiVersion, kind and metadata come first, then the given fields. */
export function kindSchema(name: string, gvk: GroupVersionKind, description: string, metadata: ObjectSchema,
  fields: Record<string, Field>): ObjectSchema {
  return {
    kind: 'object', name, description, gvk,
    fields: {
      apiVersion: str('APIVersion defines the versioned schema of this representation of an object.'),
      kind: str('Kind is a string value representing the REST resource this object represents.'),
      metadata: field(metadata, "Standard object's metadata."),
      ...fields,
    },
  };
}

/** "io.k8s.api.core.v1.PodSpec" -> "PodSpec". */
export function shortName(definition: string): string {
  return definition.slice(definition.lastIndexOf('.') + 1);
}

/** The Go type as Go's JSON errors print it: "[]v1.Container", "map[string]string", "int32". */
export function goTypeName(s: Schema): string {
  switch (s.kind) {
    case 'string': return s.format === 'byte' ? '[]uint8' : 'string';
    case 'integer': return s.format;
    case 'number': return 'float64';
    case 'boolean': return 'bool';
    case 'quantity': return 'resource.Quantity';
    case 'int-or-string': return 'intstr.IntOrString';
    case 'time': return s.micro ? 'v1.MicroTime' : 'v1.Time';
    case 'any': return 'interface {}';
    case 'array': return `[]${goTypeName(s.items)}`;
    case 'map': return `map[string]${goTypeName(s.values)}`;
    case 'object': {
      const parts = s.name.split('.');
      return `${parts[parts.length - 2]}.${parts[parts.length - 1]}`;
    }
  }
}

/** Every object schema reachable from the roots, each once, in a stable order. */
export function reachableStructs(roots: readonly ObjectSchema[]): ObjectSchema[] {
  const seen = new Map<string, ObjectSchema>();
  const visit = (s: Schema): void => {
    if (s.kind === 'array') visit(s.items);
    else if (s.kind === 'map') visit(s.values);
    else if (s.kind === 'object' && !seen.has(s.name)) {
      seen.set(s.name, s);
      for (const f of Object.values(s.fields)) visit(f.schema);
    }
  };
  roots.forEach(visit);
  return [...seen.values()];
}
