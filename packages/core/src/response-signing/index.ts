export {
  DEFAULT_RESPONSE_MAX_BODY_BYTES,
  DEFAULT_SIGNING_KEYS_REFRESH_INTERVAL,
  type ResponseSignerOptions,
  type SigningKeySetFetchOptions,
} from './options.js';
export {
  createResponseSigner,
  isJsonContentType,
  type ResponseSigner,
  type ResponseSigningResult,
  type SignableResponse,
} from './response-signer.js';
