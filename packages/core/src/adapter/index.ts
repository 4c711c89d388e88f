// @service-jwt/core/adapter: the kit every framework adapter is built from. Applications do
// not need it; a new adapter needs nothing else.

// The option-name check every package built on core uses (adapters, stores): one message shape,
// one did-you-mean.
export type { OptionNamesContext } from '../errors/option-names.js';
export { rejectUnknownOptions } from '../errors/option-names.js';
export { bodyTimeout, bodyTooLarge, configurationError } from '../errors/refusals.js';
export {
  challengeHeaders,
  ERROR_CONTENT_TYPE,
  toServiceJwtError,
} from '../errors/service-jwt-error.js';
export { publishRevocationSync } from '../observability/channels.js';
export { logRefusal, resolveLogger } from '../observability/logger.js';
export { isJsonContentType } from '../response-signing/response-signer.js';
export { runInTransaction } from '../transaction-tokens/transaction-context.js';
export { declaresBody } from '../verify/body-digest.js';
export type { BodyHasher, PendingVerification } from '../verify/pending-verification.js';
export type {
  AdapterOptionsSettings,
  ErrorHandlingOptions,
  ResolvedErrorHandling,
} from './adapter-options.js';
export { resolveErrorHandling } from './adapter-options.js';
export { answerBytes } from './answer-bytes.js';
export type { Guard } from './guard.js';
export { createGuard } from './guard.js';
export { readNodeRequestBody, readNodeRequestChunks } from './node-body.js';
export type { NodeHeaderSource } from './node-headers.js';
export { nodeRequestHeaders } from './node-headers.js';
export { withRealmHeaders } from './realm-headers.js';
export {
  answerNodeTokenRequest,
  checkTokenService,
  type NodeTokenRequestExtras,
} from './token-endpoint.js';
