export {
  DEFAULT_JWKS_MAX_AGE,
  type JwksHttpResponse,
  type JwksResponseOptions,
  jwksResponse,
} from './jwks-response.js';
export {
  exportPem,
  exportPrivateJwk,
  exportPublicJwk,
  type GeneratedKeyPair,
  generateKeyPair,
  generateSecret,
  importPrivateKey,
  type KeyPairAlgorithm,
} from './key-pairs.js';
export { DEFAULT_ACTIVATE_AFTER, type RotateOptions, type RotationPlan } from './key-ring.js';
export { createServiceFetch, type FetchLike, type ServiceFetchOptions } from './service-fetch.js';
export {
  createSigner,
  type ServiceJwtSigner,
  type SignerOptions,
  type SignOptions,
  type SignRequestInput,
  type TokenForOptions,
} from './signer.js';
export {
  computeJwkThumbprint,
  type PrivateKeyInput,
  type PublicJwk,
  type SignerKey,
  type SignerKeyInput,
  type SigningKey,
} from './signing-keys.js';
