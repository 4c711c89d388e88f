import { ServiceJwtError, type ServiceJwtErrorOptions } from './service-jwt-error.js';

// One constructor per code of the error table, so a refusal reads the same wherever it is
// raised (core, adapters, stores). Messages are short, fixed, and never quote the token, a
// signature or key material; what varies is a limit, a claim name or a configuration fact.

export const tokenMissing = (message = 'no token in the request') =>
  new ServiceJwtError('token_missing', message);

export const tokenMalformed = (message: string, cause?: unknown) =>
  new ServiceJwtError('token_malformed', message, cause === undefined ? {} : { cause });

export const tokenTooLarge = (maxLength: number) =>
  new ServiceJwtError('token_too_large', `token exceeds ${maxLength} bytes`);

export const algorithmNotAllowed = (message = 'token algorithm is not allowed') =>
  new ServiceJwtError('algorithm_not_allowed', message);

export const keyNotFound = (message = 'no key of the issuer has the token kid') =>
  new ServiceJwtError('key_not_found', message);

export const signatureInvalid = () =>
  new ServiceJwtError('signature_invalid', 'token signature is invalid');

export const tokenExpired = () => new ServiceJwtError('token_expired', 'token has expired');

export const tokenNotYetValid = (message = 'token is not valid yet') =>
  new ServiceJwtError('token_not_yet_valid', message);

export const tokenTooOld = (message = 'token is too old') =>
  new ServiceJwtError('token_too_old', message);

export const issuerNotTrusted = () =>
  new ServiceJwtError('issuer_not_trusted', 'token issuer is not trusted');

export const audienceMismatch = () =>
  new ServiceJwtError('audience_mismatch', 'token is not meant for this audience');

export const claimMissing = (name: string) =>
  new ServiceJwtError('claim_missing', `token lacks the "${name}" claim`);

export const bodyHashMissing = () =>
  new ServiceJwtError('body_hash_missing', 'token lacks the body hash this route requires');

export const bodyHashMismatch = (message = 'request body does not match the token') =>
  new ServiceJwtError('body_hash_mismatch', message);

export const requestBindingMismatch = (message: string) =>
  new ServiceJwtError('request_binding_mismatch', message);

export const tokenReplayed = () =>
  new ServiceJwtError('token_replayed', 'token has already been used');

export const tokenRevoked = () => new ServiceJwtError('token_revoked', 'token has been revoked');

export const sourceMismatch = () =>
  new ServiceJwtError('source_mismatch', 'token is not a service token');

export const claimCheckFailed = (name: string) =>
  new ServiceJwtError('claim_check_failed', `claim "${name}" is not accepted`);

export const callerNotAllowed = () =>
  new ServiceJwtError('caller_not_allowed', 'caller is not allowed on this route');

export const tokenDuplicated = () =>
  new ServiceJwtError('token_duplicated', 'the request carries more than one credential');

export const bodyTooLarge = (maxBytes: number) =>
  new ServiceJwtError('body_too_large', `request body exceeds ${maxBytes} bytes`);

export const bodyTimeout = (timeoutMs: number) =>
  new ServiceJwtError('body_timeout', `the request body did not arrive within ${timeoutMs} ms`);

export const contentEncodingUnsupported = () =>
  new ServiceJwtError(
    'content_encoding_unsupported',
    'compressed bodies are not accepted on a route that checks body hashes',
  );

export const httpSignatureMissing = (message = 'the request carries no HTTP message signature') =>
  new ServiceJwtError('http_signature_missing', message);

export const httpSignatureMalformed = (message: string) =>
  new ServiceJwtError('http_signature_malformed', message);

export const httpSignatureInsufficient = (message: string) =>
  new ServiceJwtError('http_signature_insufficient', message);

export const httpSignatureInvalid = (message = 'HTTP message signature is invalid') =>
  new ServiceJwtError('http_signature_invalid', message);

export const httpSignatureExpired = (message: string) =>
  new ServiceJwtError('http_signature_expired', message);

export const httpSignatureReplayed = () =>
  new ServiceJwtError('http_signature_replayed', 'HTTP message signature nonce was already used');

export const contentDigestMissing = (message: string) =>
  new ServiceJwtError('content_digest_missing', message);

export const contentDigestMismatch = (message = 'request body does not match Content-Digest') =>
  new ServiceJwtError('content_digest_mismatch', message);

// Transaction Tokens: the messages say "Txn-Token" so that a refusal is never mistaken for one
// of the service token's; like every message they never quote the token.

export const txnTokenMissing = () =>
  new ServiceJwtError('txn_token_missing', 'this route requires a Txn-Token header');

export const txnTokenDuplicated = () =>
  new ServiceJwtError('txn_token_duplicated', 'the request carries more than one Txn-Token');

export const txnTokenMalformed = (message: string, cause?: unknown) =>
  new ServiceJwtError('txn_token_malformed', message, cause === undefined ? {} : { cause });

export const txnTokenUntrusted = () =>
  new ServiceJwtError('txn_token_untrusted', 'Txn-Token issuer is not a trusted token service');

export const txnTokenInvalid = (message = 'Txn-Token signature is invalid', cause?: unknown) =>
  new ServiceJwtError('txn_token_invalid', message, cause === undefined ? {} : { cause });

export const txnTokenExpired = () =>
  new ServiceJwtError('txn_token_expired', 'Txn-Token has expired');

export const txnTokenNotYetValid = () =>
  new ServiceJwtError('txn_token_not_yet_valid', 'Txn-Token is not valid yet');

export const txnTokenLifetimeExceeded = (maxLifetime: number) =>
  new ServiceJwtError(
    'txn_token_lifetime_exceeded',
    `Txn-Token lifetime exceeds ${maxLifetime} seconds`,
  );

export const txnTokenAudienceMismatch = () =>
  new ServiceJwtError(
    'txn_token_audience_mismatch',
    'Txn-Token is not meant for this trust domain',
  );

export const txnTokenInAuthorization = () =>
  new ServiceJwtError(
    'txn_token_in_authorization',
    'a Txn-Token is not a service credential: send it in the Txn-Token header',
  );

export const txnTokenClaimCheckFailed = (name: string) =>
  new ServiceJwtError('txn_token_claim_check_failed', `Txn-Token claim "${name}" is not accepted`);

export const txnWorkloadUnknown = () =>
  new ServiceJwtError(
    'txn_workload_unknown',
    'the calling service is not a workload of the trust domain',
  );

export const keysUnavailable = (message: string, options: ServiceJwtErrorOptions = {}) =>
  new ServiceJwtError('keys_unavailable', message, options);

export const storeUnavailable = (message: string, options: ServiceJwtErrorOptions = {}) =>
  new ServiceJwtError('store_unavailable', message, options);

/** A remote signing key (KMS, HSM, sidecar) failed or missed its deadline; `cause` kept. */
export const signerUnavailable = (message: string, options: ServiceJwtErrorOptions = {}) =>
  new ServiceJwtError('signer_unavailable', message, options);

/** A misconfiguration; the message names the option (or the call) and the fix. */
export const configurationError = (message: string, cause?: unknown) =>
  new ServiceJwtError('configuration_error', message, cause === undefined ? {} : { cause });

export const tokenExchangeRefused = (oauthError: string, cause?: unknown) =>
  new ServiceJwtError(
    'token_exchange_refused',
    `the token service refused the exchange (${oauthError})`,
    cause === undefined ? {} : { cause },
  );

export const tokenServiceUnavailable = (message: string, cause?: unknown) =>
  new ServiceJwtError('token_service_unavailable', message, cause === undefined ? {} : { cause });
