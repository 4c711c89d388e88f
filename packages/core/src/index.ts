export * from './adapter/adapter-options.js';
export * from './adapter/node-body.js';
export * from './adapter/node-headers.js';
export * from './adapter/realm-headers.js';
export * from './errors/service-jwt-error.js';
export {
  createIssuerKeyResolver,
  type FetchJsonOptions,
  fetchJson,
  type IssuerKeyResolverOptions,
  REMOTE_KEY_SET_DEFAULTS,
} from './keys/index.js';
export type { IssuerKeyResolver, KeyLookup, VerificationKey } from './keys/key-resolver.js';
export * from './response-signing/index.js';
export * from './signer/index.js';
export {
  createMemoryReplayStore,
  type MemoryReplayStoreOptions,
} from './stores/memory-replay-store.js';
export * from './stores/memory-revocation-list.js';
export * from './stores/replay-key.js';
export type * from './stores/store-interfaces.js';
export * from './verify/body-hash.js';
export {
  type ClaimCheckRules,
  type ClaimsCheck,
  checkClaims,
  createClaimsCheck,
} from './verify/claim-rules.js';
export * from './verify/extract-token.js';
export type * from './verify/options.js';
export * from './verify/request-binding.js';
export type * from './verify/types.js';
export * from './verify/verification-cache.js';
export { createVerifier } from './verify/verifier.js';
export type * from './verify/verifier-interface.js';
