// Transaction Tokens (draft-ietf-oauth-transaction-tokens-10): the names on the wire and the
// shape of a verified token. Both the verifier (reading `Txn-Token`) and the token service
// (minting through RFC 8693 token exchange) are written against this one file.

/** The request header a Txn-Token travels in. Never `Authorization`. */
export const TXN_TOKEN_HEADER = 'txn-token';

/** The JWS `typ` header of every Txn-Token, compared exactly. */
export const TXN_TOKEN_TYPE = 'txntoken+jwt';

/** RFC 8693 token type identifier of a Txn-Token (`requested_token_type`, `issued_token_type`). */
export const TXN_TOKEN_TYPE_URN = 'urn:ietf:params:oauth:token-type:txn_token';

/** RFC 8693 grant type of a token exchange request. */
export const TOKEN_EXCHANGE_GRANT_TYPE = 'urn:ietf:params:oauth:grant-type:token-exchange';

/**
 * The claims of a Txn-Token. `tctx` is the transaction's context: set once at the edge and
 * never changed by a replacement. `rctx` is the environment of the request that started the
 * transaction. Add your own fields by declaration merging on `TransactionTokenClaims`.
 */
export interface TransactionTokenClaims {
  /** The token service that minted it. */
  readonly iss: string;
  /** The trust domain. */
  readonly aud: string | readonly string[];
  readonly iat: number;
  readonly exp: number;
  /** The transaction id, the same on every hop and in every replacement. */
  readonly txn: string;
  /** The user (or other principal) the transaction acts for. */
  readonly sub: string;
  /** Space-separated scope; a replacement may only narrow it. */
  readonly scope: string;
  /** The workload that requested this token. */
  readonly req_wl: string;
  /** Transaction context: immutable for the transaction's life. */
  readonly tctx?: Readonly<Record<string, unknown>>;
  /** Request context: the environment of the originating request. */
  readonly rctx?: Readonly<Record<string, unknown>>;
  readonly [claim: string]: unknown;
}

/**
 * A Txn-Token that passed every check of its route, as `serviceJwt.transaction` carries it and
 * `currentTransaction()` returns it while the request is handled.
 *
 * `token` is the compact token exactly as received, kept for forwarding (createServiceFetch
 * sends it on unchanged). It is not enumerable, so `JSON.stringify`, loggers and `inspect`
 * leave it out; identify a transaction in logs by `txn` or `hash`, never by the token.
 */
export interface VerifiedTransactionToken {
  /** The compact token as received (not enumerable). Never log it. */
  readonly token: string;
  /** Base64url (no padding) SHA-256 of the token's bytes: the only way to name it in a log. */
  readonly hash: string;
  /** The protected header (frozen). */
  readonly header: Readonly<Record<string, unknown>>;
  /** The claims (a frozen copy with no prototype). */
  readonly claims: TransactionTokenClaims;
  /** `claims.txn`. */
  readonly txn: string;
  /** `claims.sub`: the user the transaction acts for. */
  readonly subject: string;
  /** `claims.scope` split on spaces (frozen). */
  readonly scopes: readonly string[];
  /** `claims.iss`: the token service that minted it. */
  readonly issuer: string;
}
