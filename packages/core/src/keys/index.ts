export { ALL_ALGORITHMS, algorithmMatches, isHmac } from '../jws/algorithms.js';
export {
  createIssuerKeyResolver,
  type IssuerKeyResolverOptions,
  REMOTE_KEY_SET_DEFAULTS,
} from './create-issuer-key-resolver.js';
export { discoverJwksUri, discoveryUrl } from './discovery.js';
export { type FetchJsonOptions, fetchJson, parseFingerprint } from './fetch-key-set.js';
export { importJwk, importPublicKey } from './key-import.js';
export type {
  IssuerKeyResolver,
  KeyImportContext,
  KeyLookup,
  VerificationKey,
} from './key-resolver.js';
export { loadLocalKeySet } from './local-key-set.js';
export { importSecret, MIN_SECRET_BYTES } from './secret-key.js';
