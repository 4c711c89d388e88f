import type { KeyObject } from 'node:crypto';
import type { Agent } from 'node:http';
import type { HttpSignatureOptions } from '../http-signatures/options.js';
import type { Algorithm } from '../jws/algorithms.js';
import type { JsonWebKeyInput, JsonWebKeySetInput, KeyInput } from '../keys/key-input.js';
import type { Logger } from '../observability/logger.js';
import type { ReplayStore, RevocationList } from '../stores/store-interfaces.js';
import type {
  TransactionTokenOptions,
  TransactionTokenRouteOption,
} from '../transaction-tokens/options.js';
import type { ServiceJwtClaims } from './result.js';

/** How remote key sets (JWKS URL, OIDC discovery) are fetched and cached. */
export interface RemoteKeySetOptions {
  /** Per-request time-out in milliseconds. @default 5000 */
  readonly timeout?: number;
  /** How long a fetched key set is fresh, in seconds. @default 600 */
  readonly cacheMaxAge?: number;
  /** Minimum seconds between two refreshes triggered by an unknown `kid`. @default 30 */
  readonly cooldown?: number;
  /** How long stale keys keep verifying while the endpoint fails, in seconds. @default 3600 */
  readonly staleMaxAge?: number;
  /** Allow `http:` URLs. Off by default: key sets must come over TLS. @default false */
  readonly allowInsecureHttp?: boolean;
  /** Extra trusted CA certificate(s), PEM. */
  readonly ca?: string | Buffer | ReadonlyArray<string | Buffer>;
  /** Accepted server certificate SHA-256 fingerprints (base64 or hex). A mismatch refuses the keys. */
  readonly fingerprints?: readonly string[];
  /** OpenSSL cipher list for the TLS connection. */
  readonly ciphers?: string;
  /**
   * The agent that connects to the key set and discovery URLs: a proxy agent (e.g.
   * `new HttpsProxyAgent(process.env.HTTPS_PROXY)` from `https-proxy-agent`) or an
   * `https.Agent`. `ca`, `fingerprints` and the host name are still checked, end to end, on
   * the TLS connection to the issuer; an agent with `rejectUnauthorized: false` is refused.
   * See docs/keys.md "Through a proxy". @default a fresh connection per fetch, no agent
   */
  readonly agent?: Agent;
  /** Largest accepted response body in bytes. @default 524288 */
  readonly maxResponseBytes?: number;
  /** Most keys accepted in one set. @default 100 */
  readonly maxKeys?: number;
}

interface IssuerCommon {
  /** Algorithms accepted for this issuer (each must match its key type). */
  readonly algorithms?: readonly Algorithm[];
}

/** The members that name where an issuer's keys come from: an issuer takes exactly one. */
type IssuerKeySource = 'publicKey' | 'keys' | 'jwksUri' | 'discovery' | 'secret';
// The other forms' members, typed away, so `{ jwksUri, publicKey }` does not compile (an object
// literal is otherwise checked against the union as a whole, where both names exist).
type OnlySource<Source extends IssuerKeySource> = {
  readonly [Other in Exclude<IssuerKeySource, Source>]?: never;
};
// Fetch options mean nothing to keys held locally.
type NoFetching = { readonly [Option in keyof RemoteKeySetOptions]?: never };

/** A single local public key (JWK, PEM/SPKI string or buffer, or `KeyObject`). */
export interface PublicKeyIssuer extends IssuerCommon, OnlySource<'publicKey'>, NoFetching {
  readonly publicKey: KeyInput | KeyObject;
}
/**
 * A local JWK set: public keys, or shared secrets (`kty: "oct"`, HS256/384/512, each at least
 * 32 bytes, the KrakenD key-file style), never both. A token's `kid` picks the key.
 */
export interface LocalKeySetIssuer extends IssuerCommon, OnlySource<'keys'>, NoFetching {
  readonly keys: JsonWebKeySetInput | readonly JsonWebKeyInput[];
}
/** A remote JWK set URL. */
export interface JwksUriIssuer extends IssuerCommon, RemoteKeySetOptions, OnlySource<'jwksUri'> {
  readonly jwksUri: string;
}
/** OIDC discovery from the issuer URL (`<issuer>/.well-known/openid-configuration`). */
export interface DiscoveryIssuer
  extends IssuerCommon,
    RemoteKeySetOptions,
    OnlySource<'discovery'> {
  readonly discovery: true;
}
/**
 * A shared secret (HS256/384/512 only; at least 32 bytes). A string is its UTF-8 text, never
 * decoded: for a JWK's `k`, pass `Buffer.from(k, 'base64url')` or the JWK set as `keys`.
 */
export interface SecretIssuer extends IssuerCommon, OnlySource<'secret'>, NoFetching {
  readonly secret: string | Uint8Array;
}

/** Where a trusted issuer's verification keys come from. Keys never come from the token. */
export type IssuerKeys =
  | PublicKeyIssuer
  | LocalKeySetIssuer
  | JwksUriIssuer
  | DiscoveryIssuer
  | SecretIssuer;

/**
 * A rule for one claim: a value it must equal (deep equality for objects), `{ includes }`
 * (the claim is an array holding every listed value, or a space-separated string such as
 * `scope` holding every listed word), `{ oneOf }`, or a predicate over the value and all claims.
 */
export type ClaimRule =
  | string
  | number
  | boolean
  | { readonly equals: unknown }
  | { readonly includes: string | readonly string[] }
  | { readonly oneOf: readonly unknown[] }
  | ((value: unknown, claims: ServiceJwtClaims) => boolean);

/** Rules per claim name; every rule must pass (403 `claim_check_failed`). */
export type ClaimRules = Readonly<Record<string, ClaimRule>>;

/**
 * Who may call: allowed issuers and/or subjects. An empty or absent list of one kind places no
 * restriction of that kind. Anything else is refused with 403 `caller_not_allowed`.
 */
export interface CallerRules {
  readonly issuers?: readonly string[];
  readonly subjects?: readonly string[];
}

/** The service-source check. */
export interface SourceRule {
  /** Claim name. @default 'source' */
  readonly claim?: string;
  /** Accepted value(s). @default 'microservice' */
  readonly value?: string | readonly string[];
}

/** Body hash (`bdy`) policy. */
export interface BodyHashOptions {
  /** Claim name. @default 'bdy' */
  readonly claim?: string;
  /**
   * Digest algorithm, chosen by the verifier, never by the token. SHA digests are base64url
   * without padding. `md5-hex` is legacy and needs `allowLegacyMd5: true`. @default 'sha256'
   */
  readonly algorithm?: 'sha256' | 'sha384' | 'sha512' | 'md5-hex';
  /** Opt-in for the legacy `md5-hex` algorithm. @default false */
  readonly allowLegacyMd5?: boolean;
  /** Every request must carry the claim, GETs included. @default false */
  readonly required?: boolean;
  /** Largest body read for hashing, in bytes (413 beyond). @default 1048576 */
  readonly maxBodyBytes?: number;
  /**
   * How long the body may take to arrive once the token is authenticated, in milliseconds:
   * a body that stalls is answered 408 `body_timeout` (and the connection closed) rather than
   * waited for. @default 10000
   */
  readonly timeout?: number;
  /** Accept bodies with a `Content-Encoding`; the hash then covers the bytes as sent. @default false */
  readonly allowContentEncoding?: boolean;
}

/** Request binding (`htm`, `htu`) policy. Present claims are always checked. */
export interface RequestBindingOptions {
  /** Every token must carry `htm` and `htu`. @default false */
  readonly required?: boolean;
  /** A mount prefix stripped from the request target before it is compared. */
  readonly mountPrefix?: string;
}

/** Where the token is read from. */
export interface TokenLocation {
  /** Header name (case-insensitive). @default 'authorization' */
  readonly header?: string;
  /**
   * Auth scheme, an RFC 9110 token such as `Bearer` (compared case-insensitively); `null` means
   * the header holds the bare token. @default 'Bearer'
   */
  readonly scheme?: string | null;
}

/** Replay protection policy. */
export interface ReplayOptions {
  readonly store: ReplayStore;
  /** Every token must carry `jti` and `exp`. @default true */
  readonly required?: boolean;
}

/** Per-route options: what `forRoute` and adapter route options may override. */
export interface RouteOptions {
  /** Accepted audience(s); `null` disables the check explicitly. */
  readonly audience?: string | readonly string[] | null;
  readonly source?: SourceRule | false;
  readonly claims?: ClaimRules;
  readonly callers?: CallerRules;
  readonly requiredClaims?: readonly string[];
  readonly maxTokenAge?: number;
  readonly bodyHash?: BodyHashOptions;
  readonly requestBinding?: RequestBindingOptions;
  /**
   * One-time `jti`: a store (every token must then carry `jti` and `exp`, recorded until
   * `exp`), `{ store, required }`, or on a route `false` to keep no record there although the
   * verifier does. A route may thus mix static identity routes and one-time routes on one
   * verifier and one key cache.
   */
  readonly replay?: ReplayStore | ReplayOptions | false;
  /**
   * Bind requests with an HTTP Message Signature (RFC 9421) and a `Content-Digest` (RFC 9530)
   * beside the token: `true` for the defaults, options, or `false` for the claims binding
   * (`bdy`, `htm`, `htu`) alone. Needs a `replay` store for the signature nonces. See
   * docs/body-and-binding.md. @default false
   */
  readonly httpSignature?: boolean | HttpSignatureOptions;
  /**
   * What the route does with a `Txn-Token` header (Transaction Tokens, see
   * docs/transaction-tokens.md): `'require'`, `'accept'` (verified and propagated when
   * present) or `'ignore'`, or `{ mode, claims, context }` with rules on its claims and on
   * the fields of its `tctx`. Needs the verifier option `transactionTokens` unless `'ignore'`.
   * @default 'accept' when the verifier has `transactionTokens`, else 'ignore'
   */
  readonly transactionToken?: TransactionTokenRouteOption;
}

/** Options of `createVerifier`. */
export interface VerifierOptions extends RouteOptions {
  /** Trusted issuers, keyed by the exact `iss` value (no normalisation). */
  readonly issuers: Readonly<Record<string, IssuerKeys>>;
  /** Required unless explicitly `null`. */
  readonly audience: string | readonly string[] | null;
  /** Allowed algorithms. @default every asymmetric algorithm */
  readonly algorithms?: readonly Algorithm[];
  /** Seconds of leeway for `exp`, `nbf` and `iat`. @default 5 */
  readonly clockTolerance?: number;
  /** Largest accepted `exp - iat`, in seconds. */
  readonly maxLifetime?: number;
  /** Require `exp`. @default true */
  readonly requireExpiration?: boolean;
  /** Expected `typ` header (compared case-insensitively, `application/` prefix optional). */
  readonly typ?: string;
  readonly token?: TokenLocation;
  /** Longest accepted token in bytes. @default 8192 */
  readonly maxTokenLength?: number;
  readonly revocation?: RevocationList;
  /** Verification cache for repeated identical tokens; `false` disables it. */
  readonly cache?: { readonly maxEntries?: number } | false;
  /** Injectable clock, epoch milliseconds. @default Date.now */
  readonly now?: () => number;
  /**
   * Where refusals and key-set changes are logged: a pino logger, a console, or anything with
   * `error`/`warn`/`info`/`debug`. A 5xx refusal is logged at `error` with its cause chain and
   * the fix, a 401/403 at `debug`; a key set going stale or unavailable at `warn`, once per
   * change, its recovery at `info`. Nothing logged holds a token or key material.
   * @default no logging (the `service-jwt:*` diagnostics channels still publish)
   */
  readonly logger?: Logger;
  /**
   * Trust in Transaction Tokens: the trust domain, the token services and their keys, the
   * lifetime cap and the workloads of the domain. See docs/transaction-tokens.md.
   * @default none: routes ignore `Txn-Token` headers
   */
  readonly transactionTokens?: TransactionTokenOptions;
}
