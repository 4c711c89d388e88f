export {
  isServiceJwtError,
  type Logger,
  type ServiceJwtClaims,
  ServiceJwtError,
  type ServiceJwtErrorCode,
  type VerifiedServiceJwt,
} from '@service-jwt/core';
export { type JwksRouteOptions, type JwksSigner, jwksHandler, serviceJwtJwks } from './jwks.js';
export type {
  AdapterOptions,
  FastifyReuseOptions,
  FastifyServiceJwtOptions,
  FastifyVerifierOptions,
  PluginOnlyOptions,
} from './options.js';
export {
  type ServiceJwtHook,
  type ServiceJwtRouteConfig,
  serviceJwt,
  serviceJwt as default,
} from './plugin.js';
export {
  type FastifySignResponseKeysOptions,
  type SignResponseKeysHook,
  signResponseKeys,
} from './sign-response-keys.js';
export {
  type TransactionTokenRouteOptions,
  transactionTokenService,
} from './transaction-token-service.js';
