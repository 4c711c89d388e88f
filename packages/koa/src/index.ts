import './state.js';

export {
  isServiceJwtError,
  type Logger,
  type ServiceJwtClaims,
  ServiceJwtError,
  type ServiceJwtErrorCode,
  type VerifiedServiceJwt,
} from '@service-jwt/core';
export {
  DEFAULT_JWKS_PATH,
  type JwksHandlerOptions,
  type JwksPublisher,
  jwksHandler,
} from './jwks.js';
export type {
  KoaAdapterOptions,
  KoaRouteOptions,
  KoaServiceJwtOptions,
  KoaVerifierReuseOptions,
} from './options.js';
export {
  requireServiceJwt,
  type ServiceJwtMiddleware,
  type ServiceJwtMiddlewareFactory,
  serviceJwt,
} from './require-service-jwt.js';
export {
  type KoaSignResponseKeysOptions,
  type SignResponseKeysMiddleware,
  signResponseKeys,
} from './sign-response-keys.js';
export { transactionTokenService } from './transaction-token-service.js';
