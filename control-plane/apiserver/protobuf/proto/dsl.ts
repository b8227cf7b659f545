// A small descriptor language for the Kubernetes generated.proto messages we decode. Each field
// carries its protobuf number and type and, beside them, what Go's encoding/json does with it:
// the JSON name, whether it is a pointer, whether `omitempty` is on its tag, whether the struct
// is embedded (inline). Numbers and names follow k8s.io/api and k8s.io/apimachinery.

/** Scalars as protobuf carries them. */
export type ScalarType = 'string' | 'bool' | 'int32' | 'int64' | 'bytes';

/** Types with their own JSON form (meta/v1 Time and MicroTime, intstr, resource.Quantity, FieldsV1). */
export type SpecialType = 'Time' | 'MicroTime' | 'IntOrString' | 'Quantity' | 'FieldsV1';

/**
 * What Go's JSON encoder writes when the field is absent or zero:
 * - `omitempty`: nothing for a zero scalar, empty list or map; a non-pointer struct is still written
 * - `pointer`: nothing when absent from the wire, the value (even zero) when present
 * - `always`: no omitempty: zero scalar, `null` list/map, or the zero struct
 * - `nullable`: a pointer without omitempty: `null` when absent
 */
export type Presence = 'omitempty' | 'pointer' | 'always' | 'nullable';

export type Shape = 'one' | 'list' | 'map';

export interface FieldDesc {
  readonly id: number;
  readonly json: string;
  /** A scalar, a special type, or the name of a message in the registry. */
  readonly type: string;
  readonly shape: Shape;
  readonly presence: Presence;
  /** An embedded Go struct: its fields are written into the parent object. */
  readonly inline: boolean;
}

export interface MessageDesc {
  readonly name: string;
  readonly fields: readonly FieldDesc[];
  readonly byId: ReadonlyMap<number, FieldDesc>;
}

export type Flag = 'ptr' | 'keep' | 'null' | 'list' | 'map' | 'inline';

const SCALARS = new Set<string>(['string', 'bool', 'int32', 'int64', 'bytes']);
const SPECIALS = new Set<string>(['Time', 'MicroTime', 'IntOrString', 'Quantity', 'FieldsV1']);

export function isScalar(type: string): type is ScalarType { return SCALARS.has(type); }
export function isSpecial(type: string): type is SpecialType { return SPECIALS.has(type); }

/**
 * One field. Flags: `ptr` Go pointer, `keep` no omitempty, `null` pointer without omitempty,
 * `list` repeated, `map` map<string, type>, `inline` embedded struct.
 */
export function f(id: number, json: string, type: string, ...flags: Flag[]): FieldDesc {
  const has = (x: Flag): boolean => flags.includes(x);
  const shape: Shape = has('list') ? 'list' : has('map') ? 'map' : 'one';
  let presence: Presence = 'omitempty';
  if (has('ptr')) presence = 'pointer';
  else if (has('null')) presence = 'nullable';
  else if (has('keep')) presence = 'always';
  return { id, json, type, shape, presence, inline: has('inline') };
}

export function message(name: string, fields: readonly FieldDesc[]): MessageDesc {
  const byId = new Map<number, FieldDesc>();
  for (const x of fields) {
    if (byId.has(x.id)) throw new Error(`descriptor ${name}: field number ${x.id} used twice`);
    byId.set(x.id, x);
  }
  return { name, fields, byId };
}

/** Shorthands for the common cases. */
export const str = (id: number, json: string, ...flags: Flag[]): FieldDesc => f(id, json, 'string', ...flags);
export const bool = (id: number, json: string, ...flags: Flag[]): FieldDesc => f(id, json, 'bool', ...flags);
export const i32 = (id: number, json: string, ...flags: Flag[]): FieldDesc => f(id, json, 'int32', ...flags);
export const i64 = (id: number, json: string, ...flags: Flag[]): FieldDesc => f(id, json, 'int64', ...flags);
export const strs = (id: number, json: string, ...flags: Flag[]): FieldDesc => f(id, json, 'string', 'list', ...flags);
export const strMap = (id: number, json: string, ...flags: Flag[]): FieldDesc => f(id, json, 'string', 'map', ...flags);
/** ObjectMeta as every object embeds it (a struct: always written). */
export const objectMeta = (): FieldDesc => f(1, 'metadata', 'ObjectMeta');
