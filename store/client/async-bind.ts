// Node 20's ClientHttp2Session.request() binds one function per request with
// AsyncResource.prototype.bind, and that bind wraps the getter and the setter of the bound
// function's deprecated `asyncResource` property (DEP0172) in util.deprecate each time: four
// fresh functions, two of them made prototypes (ObjectSetPrototypeOf, a new map each). Micro:
// 9.4 µs per `new AsyncResource` + bind, 1.8 µs with the bind below. In the apiserver's CPU
// profile deprecate + bind + the lazily made `prototype` were 4.2% of its time; end to end (5,000
// nodes / 10,000 pods, A/B) the apiserver went from 0.76 to 0.67 ms of CPU per pod.
//
// request() makes its AsyncResource internally, so the prototype method is the only way in: the
// change is process-wide, made once by the first UnaryChannel. The replacement does what Node's
// does: the bound function runs `fn` in the resource's async scope with the same `this` and
// arguments, has fn's length, and keeps an `asyncResource` accessor (it just prints no
// deprecation warning). Only the Node majors whose bind is the deprecate-wrapping one are
// changed; the original is kept for uninstall (tests).
import { AsyncResource } from 'node:async_hooks';

/** Node majors whose AsyncResource.prototype.bind wraps the accessor in util.deprecate. */
const PATCHED_MAJORS: ReadonlySet<number> = new Set([20]);

type BindFn = (this: AsyncResource, fn: (...args: unknown[]) => unknown, thisArg?: unknown) => unknown;

const original = AsyncResource.prototype.bind as unknown as BindFn;
let installed = false;

function cheapBind(this: AsyncResource, fn: (...args: unknown[]) => unknown, thisArg?: unknown): unknown {
  if (typeof fn !== 'function') return original.call(this, fn, thisArg); // its own ERR_INVALID_ARG_TYPE
  return boundTo(this, fn, thisArg);
}

/** Where a bound function keeps what its `asyncResource` accessor answers. */
const kResource = Symbol('flotilla.asyncResource');
type Bound = ((...args: unknown[]) => unknown) & { [kResource]: AsyncResource };

// One getter and one setter shared by every bound function: V8 then keeps the functions on a
// shared map; a fresh accessor pair per function (as before) sent each one to dictionary mode
// (micro: bind + call 1.4-1.7 µs → 0.3 µs).
function getResource(this: Bound): AsyncResource {
  return this[kResource];
}
function setResource(this: Bound, v: AsyncResource): void {
  this[kResource] = v; // what the accessor answers; setting it does not move the scope (as in Node)
}
const RESOURCE_ACCESSOR: PropertyDescriptor = Object.freeze({
  configurable: true, enumerable: true, get: getResource, set: setResource,
});

function boundTo(resource: AsyncResource, fn: (...args: unknown[]) => unknown, thisArg: unknown): unknown {
  const bound = (thisArg === undefined
    ? function (this: unknown, ...args: unknown[]): unknown { return resource.runInAsyncScope(fn, this, ...args); }
    : (...args: unknown[]): unknown => resource.runInAsyncScope(fn, thisArg, ...args)) as Bound;
  // A rest-parameter function's length is 0 already: redefine it only when fn's differs.
  if (fn.length !== 0) {
    Object.defineProperty(bound, 'length', { configurable: true, enumerable: false, value: fn.length, writable: false });
  }
  bound[kResource] = resource;
  Object.defineProperty(bound, 'asyncResource', RESOURCE_ACCESSOR);
  return bound;
}

/** Installs the cheap bind where it applies; idempotent. Returns whether it is in place. */
export function installCheapAsyncBind(): boolean {
  if (installed) return true;
  const major = Number(process.versions.node.split('.')[0]);
  if (!PATCHED_MAJORS.has(major)) return false;
  (AsyncResource.prototype as unknown as { bind: BindFn }).bind = cheapBind;
  installed = true;
  return true;
}

/** Puts Node's own bind back (tests). */
export function uninstallCheapAsyncBind(): void {
  if (!installed) return;
  (AsyncResource.prototype as unknown as { bind: BindFn }).bind = original;
  installed = false;
}
