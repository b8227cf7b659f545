// @peculiar/x509 resolves its algorithm providers through tsyringe, which refuses to load
// without the Reflect metadata API (the reflect-metadata proposal). The brief allows only
// @peculiar/x509 as a new package, so this installs the four functions tsyringe and tslib
// call — defineMetadata, getOwnMetadata, getMetadata (walking the prototype chain) and the
// `metadata` decorator factory — and only when no polyfill is present already.

type Key = string | symbol | undefined;
type MetadataReflect = typeof Reflect & {
  getMetadata?: (key: unknown, target: object, property?: Key) => unknown;
  getOwnMetadata?: (key: unknown, target: object, property?: Key) => unknown;
  defineMetadata?: (key: unknown, value: unknown, target: object, property?: Key) => void;
  metadata?: (key: unknown, value: unknown) => (target: object, property?: Key) => void;
};

const store = new WeakMap<object, Map<Key, Map<unknown, unknown>>>();

function table(target: object, property: Key, create: boolean): Map<unknown, unknown> | undefined {
  let byProperty = store.get(target);
  if (byProperty === undefined) {
    if (!create) return undefined;
    byProperty = new Map();
    store.set(target, byProperty);
  }
  let entries = byProperty.get(property);
  if (entries === undefined && create) {
    entries = new Map();
    byProperty.set(property, entries);
  }
  return entries;
}

/** Installs the metadata functions on the global Reflect unless something already did. */
export function installReflectMetadata(): void {
  const r = Reflect as MetadataReflect;
  if (typeof r.getMetadata === 'function') return;
  const getOwn = (key: unknown, target: object, property?: Key): unknown => table(target, property, false)?.get(key);
  const define = (key: unknown, value: unknown, target: object, property?: Key): void => {
    table(target, property, true)?.set(key, value);
  };
  Object.assign(r, {
    defineMetadata: define,
    getOwnMetadata: getOwn,
    getMetadata: (key: unknown, target: object, property?: Key): unknown => {
      for (let t: object | null = target; t !== null; t = Object.getPrototypeOf(t) as object | null) {
        const entries = table(t, property, false);
        if (entries?.has(key)) return entries.get(key);
      }
      return undefined;
    },
    metadata: (key: unknown, value: unknown) =>
      (target: object, property?: Key): void => define(key, value, target, property),
  });
}
