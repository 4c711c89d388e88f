export {
  isServiceJwtError,
  type Logger,
  type ServiceJwtClaims,
  ServiceJwtError,
  type ServiceJwtErrorCode,
  type VerifiedServiceJwt,
} from '@service-jwt/core';
export { type JwksHandlerOptions, type JwksPublisher, jwksHandler } from './jwks-handler.js';
export {
  requireServiceJwt,
  type ServiceJwtMiddleware,
  type ServiceJwtRouteFactory,
  serviceJwt,
} from './middleware.js';
export type {
  AdapterOptions,
  ExpressReuseOptions,
  ExpressServiceJwtOptions,
  ExpressVerifierOptions,
} from './options.js';
export { captureRawBody } from './raw-body.js';
export { toRequestLike } from './request.js';
export {
  type ExpressSignResponseKeysOptions,
  type SignResponseKeysMiddleware,
  signResponseKeys,
} from './sign-response-keys.js';
export { transactionTokenService } from './transaction-token-service.js';
