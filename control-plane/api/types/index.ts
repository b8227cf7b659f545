export type * from './meta.js';
export type * from './core.js';
export type * from './apps.js';
export type * from './other.js';
