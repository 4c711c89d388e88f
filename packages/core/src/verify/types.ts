import type { KeyObject } from 'node:crypto';

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
 * What a successful verification hands to the application. `claims` and `header` are frozen
 * copies with no prototype.
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
}

/** Header values as Node's `IncomingHttpHeaders` holds them (lower-case names). */
export type HeadersLike = Readonly<Record<string, string | readonly string[] | undefined>>;

/**
 * Reads the raw request body when (and only when) the verifier needs it: after the token has
 * been authenticated and the token or the policy asks for a body hash. Must reject with
 * `body_too_large` beyond `maxBytes`, and with `configuration_error` when the bytes are gone.
 */
export type BodyReader = (maxBytes: number) => Promise<Uint8Array>;

/** The framework-free request the verifier works on. */
export interface RequestLike {
  /** HTTP method as received (`GET`, `POST`, …). */
  readonly method: string;
  /** The request target as received: path and query (`/orders?id=1`). */
  readonly url: string;
  readonly headers: HeadersLike;
  /**
   * The exact raw body bytes (a string is taken as its UTF-8 bytes), or a {@link BodyReader}
   * called only when a body hash must be checked. `undefined` means "no body was sent".
   */
  readonly body?: Uint8Array | string | BodyReader;
}

/** Key material accepted wherever a public (or secret) verification key is configured. */
export type KeyInput = KeyObject | JsonWebKeyInput | string | Uint8Array;

/** A JSON Web Key as a plain object (RFC 7517). */
export interface JsonWebKeyInput {
  readonly kty: string;
  readonly kid?: string;
  readonly alg?: string;
  readonly use?: string;
  readonly key_ops?: readonly string[];
  readonly crv?: string;
  readonly [member: string]: unknown;
}

/** A JSON Web Key Set (RFC 7517 §5). */
export interface JsonWebKeySetInput {
  readonly keys: readonly JsonWebKeyInput[];
}

/** An incremental body digest, for adapters that hash a body while it streams. */
export interface BodyHasher {
  update(chunk: Uint8Array): void;
  /** Bytes seen so far. */
  readonly bytes: number;
}

/**
 * A request whose token has passed every check that does not need the body (signature,
 * claims, revocation, `htm`/`htu`). `bodyCheck` tells whether the body must be read; call
 * {@link PendingVerification.complete} to check `bdy` and record the `jti`.
 */
export interface PendingVerification {
  /** `null` when neither the token nor the policy needs a body hash: don't buffer the body. */
  readonly bodyCheck: { readonly maxBodyBytes: number; createHasher(): BodyHasher } | null;
  /**
   * Finishes verification: checks the body hash (from raw bytes, a reader, or a hasher that
   * saw the bytes), then records the `jti` in the replay store. Rejects with `ServiceJwtError`.
   */
  complete(body?: Uint8Array | string | BodyReader | BodyHasher): Promise<VerifiedServiceJwt>;
}
