// @service-jwt/core: what an application calls. Adapter plumbing is on the
// `@service-jwt/core/adapter` subpath; everything else is internal.

export type {
  ErrorResponse,
  ErrorResponseBody,
  ErrorResponseOptions,
  Rfc6750Error,
  ServiceJwtErrorCode,
  ServiceJwtErrorOptions,
} from './errors/service-jwt-error.js';
// Errors
export {
  errorResponse,
  isServiceJwtError,
  SERVICE_JWT_ERROR_CODES,
  ServiceJwtError,
} from './errors/service-jwt-error.js';
export type { HttpSignatureAlgorithm } from './http-signatures/algorithms.js';
export type { ContentDigestAlgorithm } from './http-signatures/content-digest.js';
// HTTP Message Signatures (RFC 9421) with Content-Digest (RFC 9530)
export { computeContentDigest } from './http-signatures/content-digest.js';
export type {
  HttpResponseSigningOptions,
  HttpSignatureOptions,
} from './http-signatures/options.js';
export type {
  HttpRequestToSign,
  HttpSignatureHeaders,
  HttpSigningKeyInput,
  SignHttpRequestOptions,
} from './http-signatures/sign-request.js';
export { signHttpRequest } from './http-signatures/sign-request.js';
export type {
  AnsweredRequest,
  HttpResponseSignatureHeaders,
  HttpResponseToSign,
  SignHttpResponseOptions,
} from './http-signatures/sign-response.js';
export { signHttpResponse } from './http-signatures/sign-response.js';
export type {
  HttpVerificationKeyInput,
  ReceivedResponse,
  VerifyHttpResponseOptions,
} from './http-signatures/verify-response.js';
export { verifyHttpResponse } from './http-signatures/verify-response.js';
export type { Algorithm } from './jws/algorithms.js';
export type { JsonWebKeyInput, JsonWebKeySetInput, KeyInput } from './keys/key-input.js';
export type { KeySetHealth } from './keys/key-resolver.js';
// Operating it: diagnostics channels, their events, the logger option
export { CHANNELS } from './observability/channels.js';
export type {
  KeySetCooldownEvent,
  KeySetFetchEvent,
  KeySetStaleEvent,
  RevocationSyncEvent,
  StoreErrorEvent,
  VerificationEvent,
} from './observability/events.js';
export type { Logger } from './observability/logger.js';
export type {
  ResponseSignerOptions,
  SigningKeySetFetchOptions,
} from './response-signing/options.js';
export type {
  ResponseSigner,
  ResponseSigningResult,
  SignableResponse,
} from './response-signing/response-signer.js';
// Gateway response signing
export { createResponseSigner } from './response-signing/response-signer.js';
export type { JwksHttpResponse, JwksResponseOptions } from './signer/jwks-response.js';
export { jwksResponse } from './signer/jwks-response.js';
export type { SignerKeyInput, SignerKeys } from './signer/key-list.js';
export type { GeneratedKeyPair, KeyPairAlgorithm } from './signer/key-pairs.js';
export {
  exportPem,
  exportPrivateJwk,
  exportPublicJwk,
  generateKeyPair,
  generateSecret,
  importPrivateKey,
} from './signer/key-pairs.js';
export type { RotateOptions, RotationPlan } from './signer/key-ring.js';
export type { RemoteSignContext, RemoteSigningKey } from './signer/remote-signing-key.js';
export type {
  FetchLike,
  ServiceFetchHttpSignature,
  ServiceFetchOptions,
  ServiceFetchResponseCheck,
} from './signer/service-fetch.js';
export { createServiceFetch } from './signer/service-fetch.js';
export type {
  ServiceJwtSigner,
  SignerOptions,
  SignOptions,
  SignRequestInput,
  TokenForOptions,
} from './signer/signer.js';
// Signing
export { createSigner } from './signer/signer.js';
export type {
  PrivateKeyInput,
  PublicJwk,
  SignerKey,
  SigningKey,
} from './signer/signing-keys.js';
export { computeJwkThumbprint } from './signer/signing-keys.js';
export type { MemoryReplayStoreOptions } from './stores/memory-replay-store.js';
// Replay and revocation
export { createMemoryReplayStore } from './stores/memory-replay-store.js';
export type { MemoryRevocationListOptions } from './stores/memory-revocation-list.js';
export { createMemoryRevocationList } from './stores/memory-revocation-list.js';
export { replayKey } from './stores/replay-key.js';
export type {
  ReplayStore,
  RevocationList,
  RevocationReason,
  RevocationSubject,
} from './stores/store-interfaces.js';
// Transaction Tokens: verification options, the verified token, propagation
export { transactionTokenHash } from './transaction-tokens/hash.js';
export type {
  TransactionTokenMode,
  TransactionTokenOptions,
  TransactionTokenRoute,
  TransactionTokenRouteOption,
} from './transaction-tokens/options.js';
export type { TokenRequestBody } from './transaction-tokens/service/form-parameters.js';
// Transaction Tokens: the token service (RFC 8693 exchange) and its edge client
export type {
  ContextInput,
  ScopePolicyInput,
  SubjectTokenContext,
  SubjectTokenInfo,
  TransactionContexts,
  TransactionTokenServiceOptions,
} from './transaction-tokens/service/options.js';
export type {
  TokenEndpointErrorBody,
  TokenEndpointErrorCode,
  TokenEndpointResponse,
  TokenExchangeSuccessBody,
} from './transaction-tokens/service/token-endpoint-response.js';
export type {
  IssuedTransactionToken,
  TokenExchangeInput,
  TokenServiceFetch,
  TransactionTokenClient,
  TransactionTokenClientOptions,
} from './transaction-tokens/service/transaction-token-client.js';
export { createTransactionTokenClient } from './transaction-tokens/service/transaction-token-client.js';
export type {
  TokenEndpointRequest,
  TransactionTokenService,
} from './transaction-tokens/service/transaction-token-service.js';
export { createTransactionTokenService } from './transaction-tokens/service/transaction-token-service.js';
export {
  currentTransaction,
  outsideTransaction,
} from './transaction-tokens/transaction-context.js';
export type {
  TransactionTokenClaims,
  VerifiedTransactionToken,
} from './transaction-tokens/txn-token.js';
export {
  TOKEN_EXCHANGE_GRANT_TYPE,
  TXN_TOKEN_HEADER,
  TXN_TOKEN_TYPE,
  TXN_TOKEN_TYPE_URN,
} from './transaction-tokens/txn-token.js';
export type { BodyHashAlgorithm } from './verify/body-hash.js';
// Body hashes for callers that build requests by hand
export { computeBodyHash } from './verify/body-hash.js';
export type { ClaimCheckRules, ClaimsCheck } from './verify/claim-rules.js';
// Claim rules on claims verified elsewhere (a managed gateway's authorizer)
export { createClaimsCheck } from './verify/claim-rules.js';
export type {
  BodyHashOptions,
  CallerRules,
  ClaimRule,
  ClaimRules,
  DiscoveryIssuer,
  IssuerKeys,
  JwksUriIssuer,
  LocalKeySetIssuer,
  PublicKeyIssuer,
  RemoteKeySetOptions,
  ReplayOptions,
  RequestBindingOptions,
  RouteOptions,
  SecretIssuer,
  SourceRule,
  TokenLocation,
  VerifierOptions,
} from './verify/options.js';
export type { BodyBytes, BodyReader, HeadersLike, RequestLike } from './verify/request.js';
export type { ServiceJwtClaims, ServiceJwtHeader, VerifiedServiceJwt } from './verify/result.js';
// Verifying
export { createVerifier } from './verify/verifier.js';
export type {
  ReadyOptions,
  ServiceJwtVerifier,
  VerifierHealth,
} from './verify/verifier-interface.js';
