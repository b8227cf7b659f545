// Lookup of a kind's schema by group/version/kind.
import { APPS_KINDS } from './apps-schemas.js';
import { CORE_KINDS } from './core-schemas.js';
import type { GroupVersionKind, ObjectSchema } from './dsl.js';
import { DELETE_OPTIONS, STATUS } from './meta-schemas.js';
import { OTHER_KINDS } from './other-schemas.js';
import { BATCH_KINDS } from './batch-schemas.js';
import { NETWORKING_KINDS } from './networking-schemas.js';
import { STORAGE_KINDS } from './storage-schemas.js';

export const ALL_KINDS: readonly ObjectSchema[] = [...CORE_KINDS, ...STORAGE_KINDS, ...APPS_KINDS, ...BATCH_KINDS,
  ...NETWORKING_KINDS, ...OTHER_KINDS];

const byGvk = new Map<string, ObjectSchema>();
for (const s of ALL_KINDS) {
  if (s.gvk) byGvk.set(`${s.gvk.group}/${s.gvk.version}/${s.gvk.kind}`, s);
}

export function schemaForKind(gvk: GroupVersionKind): ObjectSchema | undefined {
  if (gvk.group === '' && gvk.version === 'v1' && gvk.kind === 'Status') return STATUS;
  if (gvk.kind === 'DeleteOptions') return DELETE_OPTIONS;
  return byGvk.get(`${gvk.group}/${gvk.version}/${gvk.kind}`);
}

export * from './dsl.js';
