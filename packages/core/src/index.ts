export * from './adapter-options.js';
export * from './body-hash.js';
export {
  type ClaimCheckRules,
  type ClaimsCheck,
  checkClaims,
  createClaimsCheck,
} from './check-claims.js';
export * from './errors.js';
export * from './extract-token.js';
export {
  createIssuerKeyResolver,
  type FetchJsonOptions,
  fetchJson,
  type IssuerKeyResolverOptions,
  REMOTE_KEY_SET_DEFAULTS,
} from './keys/index.js';
export type { IssuerKeyResolver, KeyLookup, VerificationKey } from './keys/key-resolver.js';
export { createMemoryReplayStore, type MemoryReplayStoreOptions } from './memory-replay-store.js';
export * from './memory-revocation-list.js';
export * from './node-body.js';
export * from './node-headers.js';
export type * from './options.js';
export * from './realm-headers.js';
export * from './replay-key.js';
export * from './request-binding.js';
export * from './response-signing/index.js';
export * from './signer/index.js';
export type * from './stores.js';
export type * from './types.js';
export * from './verification-cache.js';
export { createVerifier } from './verifier.js';
export type * from './verifier-api.js';
