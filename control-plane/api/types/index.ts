export type * from './meta.js';
export type * from './core.js';
export type * from './apps.js';
export type * from './other.js';
export type * from './batch.js';
export type * from './networking.js';
export type * from './storage.js';
