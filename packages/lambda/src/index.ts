export {
  isServiceJwtError,
  type Logger,
  type ServiceJwtClaims,
  ServiceJwtError,
  type ServiceJwtErrorCode,
  type VerifiedServiceJwt,
} from '@service-jwt/core';
export { decodeAuthorizerClaims, readAuthorizerClaims } from './authorizer-claims.js';
export type {
  ApiGatewayEventLike,
  HttpApiEventLike,
  RestApiEventLike,
  ServiceJwtErrorResult,
} from './events.js';
export type {
  LambdaAdapterOptions,
  LambdaAuthorizerOptions,
  LambdaServiceJwtOptions,
  LambdaVerifyOptions,
} from './options.js';
export { isHttpApiEvent, isRestApiEvent, restQueryString, toRequestLike } from './request.js';
export {
  type TokenEndpointResult,
  transactionTokenHandler,
} from './transaction-token-handler.js';
export {
  type AuthorizedServiceJwt,
  type ServiceJwtEvent,
  type ServiceJwtLambdaHandler,
  toErrorResult,
  withServiceJwt,
} from './with-service-jwt.js';
