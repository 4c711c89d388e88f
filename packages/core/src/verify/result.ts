import type { VerifiedTransactionToken } from '../transaction-tokens/txn-token.js';

/**
 * The claims of a verified token. Merge your own claims into it by declaration merging:
 *
 * @example
 * ```ts
 * declare module '@service-jwt/core' {
 *   interface ServiceJwtClaims { roles?: string[] }
 * }
 * ```
 */
export interface ServiceJwtClaims {
  readonly iss: string;
  readonly sub?: string;
  readonly aud?: string | readonly string[];
  readonly exp?: number;
  readonly nbf?: number;
  readonly iat?: number;
  readonly jti?: string;
  readonly source?: string;
  readonly bdy?: string;
  readonly htm?: string;
  readonly htu?: string;
  readonly [claim: string]: unknown;
}

/** The protected header of a verified token. */
export interface ServiceJwtHeader {
  readonly alg: string;
  readonly kid?: string;
  readonly typ?: string;
  readonly [parameter: string]: unknown;
}

/**
 * What a successful verification hands to the application, frozen. `claims` and `header` are
 * frozen copies with no prototype. Without `transaction`, one object serves every request
 * that brings the same cached token.
 */
export interface VerifiedServiceJwt {
  /** The compact token exactly as received. */
  readonly token: string;
  readonly header: ServiceJwtHeader;
  readonly claims: ServiceJwtClaims;
  /** `claims.iss`, the configured trusted issuer that signed the token. */
  readonly issuer: string;
  /** `claims.sub`, when present. */
  readonly subject: string | undefined;
  /**
   * The request's verified Txn-Token, on a route that reads them (`transactionToken`
   * `'require'` or `'accept'`) when the request carried one; absent otherwise.
   */
  readonly transaction?: VerifiedTransactionToken;
}
