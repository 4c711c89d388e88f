export * from './errors.js';
export type * from './options.js';
export type * from './stores.js';
export type * from './types.js';
export type * from './verifier-api.js';
