// The token endpoint's answers: the RFC 8693 §2.2.1 success body and the RFC 6749 §5.2 error
// body, always with `Cache-Control: no-store` (RFC 6749 §5.1). A refusal is a value, not an
// exception: the service returns it, and each adapter writes it as it is.

/** An RFC 6749 §5.2 / RFC 8693 §2.2.2 `error` value the token service answers with. */
export type TokenEndpointErrorCode =
  | 'invalid_request'
  | 'invalid_client'
  | 'invalid_grant'
  | 'unauthorized_client'
  | 'unsupported_grant_type'
  | 'invalid_scope'
  | 'invalid_target'
  | 'temporarily_unavailable'
  | 'server_error';

/** The RFC 8693 §2.2.1 body of a successful Txn-Token exchange. */
export interface TokenExchangeSuccessBody {
  /** The Txn-Token (compact JWS). */
  readonly access_token: string;
  /** Always `urn:ietf:params:oauth:token-type:txn_token`. */
  readonly issued_token_type: string;
  /** Always `N_A`: a Txn-Token is not an OAuth access token (RFC 8693 §2.2.1). */
  readonly token_type: 'N_A';
  /** Seconds until the Txn-Token expires. */
  readonly expires_in: number;
  /** The scope granted, when it differs from the scope requested (RFC 8693 §2.2.1). */
  readonly scope?: string;
}

/** The RFC 6749 §5.2 body of a refusal. `error_description` never quotes a token. */
export interface TokenEndpointErrorBody {
  readonly error: TokenEndpointErrorCode;
  readonly error_description: string;
}

/**
 * What the token service's handler returns: write `status`, `headers` and `JSON.stringify(body)`.
 * The adapters' handlers do exactly that.
 */
export interface TokenEndpointResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: TokenExchangeSuccessBody | TokenEndpointErrorBody;
}

const STATUS: Readonly<Record<TokenEndpointErrorCode, number>> = {
  invalid_request: 400,
  invalid_client: 401,
  invalid_grant: 400,
  unauthorized_client: 400,
  unsupported_grant_type: 400,
  invalid_scope: 400,
  invalid_target: 400,
  temporarily_unavailable: 503,
  server_error: 500,
};

const JSON_HEADERS = {
  'content-type': 'application/json; charset=utf-8',
  'cache-control': 'no-store',
  pragma: 'no-cache',
} as const;

/** Extra headers and a status other than the code's own (405, 413, 415). */
export interface RefusalOptions {
  readonly status?: number;
  readonly headers?: Readonly<Record<string, string>>;
  /** Why a 5xx happened: logged by the service, never sent. */
  readonly cause?: unknown;
}

/** A refusal in the RFC 6749 §5.2 shape. */
export function refusal(
  error: TokenEndpointErrorCode,
  description: string,
  options: RefusalOptions = {},
): TokenEndpointResponse {
  const headers: Record<string, string> = { ...JSON_HEADERS, ...options.headers };
  if (error === 'temporarily_unavailable') headers['retry-after'] ??= '5';
  return {
    status: options.status ?? STATUS[error],
    headers,
    body: { error, error_description: description },
  };
}

/** The 200 answer carrying a freshly minted Txn-Token. */
export function issued(body: TokenExchangeSuccessBody): TokenEndpointResponse {
  return { status: 200, headers: { ...JSON_HEADERS }, body };
}

/**
 * Thrown inside the service's steps and caught once by the handler, so each step can stop
 * the exchange where it finds a fault. Never leaves the service.
 */
export class TokenEndpointRefusal extends Error {
  readonly response: TokenEndpointResponse;
  constructor(response: TokenEndpointResponse, cause?: unknown) {
    super(
      (response.body as TokenEndpointErrorBody).error_description,
      cause === undefined ? undefined : { cause },
    );
    this.response = response;
  }
}

/** Stops the exchange with a refusal. */
export function refuse(
  error: TokenEndpointErrorCode,
  description: string,
  options?: RefusalOptions,
): never {
  throw new TokenEndpointRefusal(refusal(error, description, options), options?.cause);
}
