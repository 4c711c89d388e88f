/**
 * Stable error codes of service-jwt. Every failure a verifier, signer or adapter reports
 * carries exactly one of these in {@link ServiceJwtError.code}.
 */
export type ServiceJwtErrorCode =
  | 'token_missing'
  | 'token_malformed'
  | 'token_too_large'
  | 'algorithm_not_allowed'
  | 'key_not_found'
  | 'signature_invalid'
  | 'token_expired'
  | 'token_not_yet_valid'
  | 'token_too_old'
  | 'issuer_not_trusted'
  | 'audience_mismatch'
  | 'claim_missing'
  | 'body_hash_missing'
  | 'body_hash_mismatch'
  | 'request_binding_mismatch'
  | 'token_replayed'
  | 'token_revoked'
  | 'source_mismatch'
  | 'claim_check_failed'
  | 'caller_not_allowed'
  | 'token_duplicated'
  | 'body_too_large'
  | 'body_timeout'
  | 'content_encoding_unsupported'
  | 'http_signature_missing'
  | 'http_signature_malformed'
  | 'http_signature_insufficient'
  | 'http_signature_invalid'
  | 'http_signature_expired'
  | 'http_signature_replayed'
  | 'content_digest_missing'
  | 'content_digest_mismatch'
  | 'txn_token_missing'
  | 'txn_token_duplicated'
  | 'txn_token_malformed'
  | 'txn_token_untrusted'
  | 'txn_token_invalid'
  | 'txn_token_expired'
  | 'txn_token_not_yet_valid'
  | 'txn_token_lifetime_exceeded'
  | 'txn_token_audience_mismatch'
  | 'txn_token_in_authorization'
  | 'txn_token_claim_check_failed'
  | 'txn_workload_unknown'
  | 'keys_unavailable'
  | 'store_unavailable'
  | 'signer_unavailable'
  | 'token_exchange_refused'
  | 'token_service_unavailable'
  | 'configuration_error';

/** The RFC 6750 `error` attribute that goes with a code (`undefined` for `token_missing`). */
export type Rfc6750Error = 'invalid_token' | 'insufficient_scope' | 'invalid_request';

interface CodeInfo {
  readonly status: number;
  readonly error: Rfc6750Error | undefined;
}

const INVALID_TOKEN: CodeInfo = { status: 401, error: 'invalid_token' };
const INSUFFICIENT_SCOPE: CodeInfo = { status: 403, error: 'insufficient_scope' };

const CODES: Readonly<Record<ServiceJwtErrorCode, CodeInfo>> = {
  token_missing: { status: 401, error: undefined },
  token_malformed: INVALID_TOKEN,
  token_too_large: INVALID_TOKEN,
  algorithm_not_allowed: INVALID_TOKEN,
  key_not_found: INVALID_TOKEN,
  signature_invalid: INVALID_TOKEN,
  token_expired: INVALID_TOKEN,
  token_not_yet_valid: INVALID_TOKEN,
  token_too_old: INVALID_TOKEN,
  issuer_not_trusted: INVALID_TOKEN,
  audience_mismatch: INVALID_TOKEN,
  claim_missing: INVALID_TOKEN,
  body_hash_missing: INVALID_TOKEN,
  body_hash_mismatch: INVALID_TOKEN,
  request_binding_mismatch: INVALID_TOKEN,
  token_replayed: INVALID_TOKEN,
  token_revoked: INVALID_TOKEN,
  source_mismatch: INSUFFICIENT_SCOPE,
  claim_check_failed: INSUFFICIENT_SCOPE,
  caller_not_allowed: INSUFFICIENT_SCOPE,
  token_duplicated: { status: 400, error: 'invalid_request' },
  body_too_large: { status: 413, error: undefined },
  body_timeout: { status: 408, error: undefined },
  content_encoding_unsupported: { status: 415, error: undefined },
  // HTTP Message Signatures (RFC 9421) and Content-Digest (RFC 9530): a request whose binding
  // fails is refused like a token whose claims fail; a field that does not parse is a
  // malformed request (RFC 6750 §3.1 `invalid_request`).
  http_signature_missing: INVALID_TOKEN,
  http_signature_malformed: { status: 400, error: 'invalid_request' },
  http_signature_insufficient: INVALID_TOKEN,
  http_signature_invalid: INVALID_TOKEN,
  http_signature_expired: INVALID_TOKEN,
  http_signature_replayed: INVALID_TOKEN,
  content_digest_missing: INVALID_TOKEN,
  content_digest_mismatch: INVALID_TOKEN,
  // Transaction Tokens (draft-ietf-oauth-transaction-tokens): a Txn-Token that fails is refused
  // like a service token that fails; two of them, or one in the service token's place, is a
  // malformed request; a valid one the route's rules or workload list refuse is a 403.
  txn_token_missing: INVALID_TOKEN,
  txn_token_duplicated: { status: 400, error: 'invalid_request' },
  txn_token_malformed: INVALID_TOKEN,
  txn_token_untrusted: INVALID_TOKEN,
  txn_token_invalid: INVALID_TOKEN,
  txn_token_expired: INVALID_TOKEN,
  txn_token_not_yet_valid: INVALID_TOKEN,
  txn_token_lifetime_exceeded: INVALID_TOKEN,
  txn_token_audience_mismatch: INVALID_TOKEN,
  txn_token_in_authorization: { status: 400, error: 'invalid_request' },
  txn_token_claim_check_failed: INSUFFICIENT_SCOPE,
  txn_workload_unknown: INSUFFICIENT_SCOPE,
  keys_unavailable: { status: 503, error: undefined },
  store_unavailable: { status: 503, error: undefined },
  signer_unavailable: { status: 503, error: undefined },
  // The edge's Txn-Token client: the token service refused the exchange (the user's
  // credential or the requested scope is not good enough for a transaction), or could not
  // be reached, answered late, or answered something that is not a token response.
  token_exchange_refused: INSUFFICIENT_SCOPE,
  token_service_unavailable: { status: 503, error: undefined },
  configuration_error: { status: 500, error: undefined },
};

/** Every code, in table order; handy for exhaustive tests and documentation. */
export const SERVICE_JWT_ERROR_CODES = Object.freeze(Object.keys(CODES) as ServiceJwtErrorCode[]);

/** Options of the {@link ServiceJwtError} constructor. */
export interface ServiceJwtErrorOptions {
  /** The underlying error (a jose error, a network failure, …). Never shown to callers. */
  readonly cause?: unknown;
  /** Seconds to put in `Retry-After` (503 codes only). @default 5 */
  readonly retryAfter?: number;
}

/**
 * The one error class of service-jwt.
 *
 * `code` is stable and safe to branch on; `status` (alias `statusCode`, for Express and
 * Fastify) is the HTTP status of the design's error table; `headers` holds the
 * `WWW-Authenticate` value (RFC 6750 §3) and, for 503s, `Retry-After`. `expose` is `true` for
 * 4xx so Koa shows the message. Messages never contain token contents or key material.
 *
 * @example
 * ```ts
 * try { await verifier.verify(request) }
 * catch (err) { if (err instanceof ServiceJwtError && err.code === 'token_expired') … }
 * ```
 */
export class ServiceJwtError extends Error {
  override readonly name = 'ServiceJwtError';
  readonly code: ServiceJwtErrorCode;
  readonly status: number;
  readonly statusCode: number;
  readonly expose: boolean;
  readonly rfc6750Error: Rfc6750Error | undefined;
  readonly retryAfter: number | undefined;

  constructor(code: ServiceJwtErrorCode, message: string, options: ServiceJwtErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    const info = CODES[code];
    this.code = code;
    this.status = info.status;
    this.statusCode = info.status;
    this.expose = info.status < 500;
    this.rfc6750Error = info.error;
    this.retryAfter = info.status === 503 ? (options.retryAfter ?? 5) : undefined;
  }

  /**
   * The headers any response to this error needs, with the default realm: `WWW-Authenticate`,
   * `Retry-After` for 503s, `Cache-Control: no-store`, and `Connection: close` after a 413 or 408.
   * A host's error handler that writes its own body uses them; see {@link errorResponse}.
   */
  get headers(): Record<string, string> {
    return challengeHeaders(this);
  }
}

/** `true` when `value` is a {@link ServiceJwtError} (also across bundled copies). */
export function isServiceJwtError(value: unknown): value is ServiceJwtError {
  return (
    value instanceof ServiceJwtError ||
    (value instanceof Error && value.name === 'ServiceJwtError' && 'code' in value)
  );
}

/** The JSON body adapters send: `{ error, code, message }`. */
export interface ErrorResponseBody {
  readonly error: string;
  readonly code: ServiceJwtErrorCode;
  readonly message: string;
}

/** Status, headers and body of the response for a {@link ServiceJwtError}. */
export interface ErrorResponse {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: ErrorResponseBody;
}

/** Options of {@link errorResponse}. */
export interface ErrorResponseOptions {
  /** The `realm` of the `WWW-Authenticate` challenge. @default 'service-jwt' */
  readonly realm?: string;
}

function quote(value: string): string {
  return `"${value.replace(/["\\]/g, '')}"`;
}

/**
 * The headers a response to `err` carries whoever writes its body: `Cache-Control: no-store`,
 * the `WWW-Authenticate` challenge for 400, 401 and 403 (RFC 6750 §3; no `error` attribute for
 * `token_missing`, §3.1), `Retry-After` for 503s, and `Connection: close` after a 413 or a 408
 * (the rest of the body is left unread or never came, so the connection must not be reused).
 */
export function challengeHeaders(
  err: ServiceJwtError,
  options: ErrorResponseOptions = {},
): Record<string, string> {
  const realm = options.realm ?? 'service-jwt';
  const headers: Record<string, string> = { 'cache-control': 'no-store' };
  if (err.status === 401 || err.status === 403 || err.status === 400) {
    let challenge = `Bearer realm=${quote(realm)}`;
    if (err.rfc6750Error !== undefined) {
      challenge += `, error=${quote(err.rfc6750Error)}, error_description=${quote(err.message)}`;
    }
    headers['www-authenticate'] = challenge;
  }
  if (err.retryAfter !== undefined) headers['retry-after'] = String(err.retryAfter);
  // The rest of the body is left unread (413) or never came (408): the connection cannot be
  // reused for another request.
  if (err.status === 413 || err.status === 408) headers.connection = 'close';
  return headers;
}

/** The `Content-Type` of every error body service-jwt writes. */
export const ERROR_CONTENT_TYPE = 'application/json; charset=utf-8';

/**
 * Builds the HTTP response for an error: its status, the {@link challengeHeaders} plus
 * `Content-Type: application/json; charset=utf-8`, and the JSON body
 * `{ error, code, message }`. Every adapter writes exactly this, so they all answer alike.
 *
 * @example
 * ```ts
 * const { status, headers, body } = errorResponse(err, { realm: 'billing' });
 * res.writeHead(status, headers).end(JSON.stringify(body));
 * ```
 */
export function errorResponse(
  err: ServiceJwtError,
  options: ErrorResponseOptions = {},
): ErrorResponse {
  const headers = challengeHeaders(err, options);
  headers['content-type'] = ERROR_CONTENT_TYPE;
  const error =
    err.rfc6750Error ??
    (err.code === 'token_missing'
      ? 'invalid_request'
      : err.status >= 500
        ? 'server_error'
        : err.code);
  return { status: err.status, headers, body: { error, code: err.code, message: err.message } };
}

/**
 * Converts anything thrown inside the pipeline into a {@link ServiceJwtError}. A value that is
 * already one passes through; anything else is a bug in service-jwt or a store, and surfaces as
 * a 500 `configuration_error` that keeps the original as `cause` rather than blaming the caller.
 */
export function toServiceJwtError(err: unknown): ServiceJwtError {
  if (isServiceJwtError(err)) return err;
  return new ServiceJwtError('configuration_error', 'unexpected internal error', { cause: err });
}
