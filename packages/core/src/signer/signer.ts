import { randomBytes } from 'node:crypto';
import { rejectUnknownOptions } from '../errors/option-names.js';
import { ServiceJwtError } from '../errors/service-jwt-error.js';
import type { Algorithm } from '../jws/algorithms.js';
import { computeBodyHash } from '../verify/body-hash.js';
import { MAX_JTI } from '../verify/claims.js';
import { readNextKey, readSignerKeys, type SignerKeyInput, type SignerKeys } from './key-list.js';
import { createKeyRing, type RotateOptions, type RotationPlan } from './key-ring.js';
import { bodyBytes, signedTarget } from './request-input.js';
import { isSigningAlgorithm, type PublicJwk } from './signing-keys.js';
import { createTokenCache } from './token-cache.js';

/** Options of {@link createSigner}. */
export interface SignerOptions {
  /** This service's identity, stamped as `iss`; verifiers trust it by this exact string. */
  readonly issuer: string;
  /**
   * One or more keys, the first signs and all are published by `jwks()`: private JWKs, PEM,
   * `KeyObject`s, the JSON text of a JWK or JWK set (what `service-jwt keygen` writes), a JWK
   * set object, `oct` secrets (never published), remote keys ({@link RemoteSigningKey}), or
   * an array of them. Secrets and key pairs are never mixed in one signer.
   */
  readonly keys: SignerKeys;
  /**
   * The algorithm of keys that name none of their own. A key that cannot sign with it, or
   * whose JWK `alg` differs, is refused; `{ key, algorithm }` sets one key's algorithm.
   * @default by key type (RSA → RS256, P-256 → ES256, Ed25519 → EdDSA, secret → HS256)
   */
  readonly algorithm?: Algorithm;
  /**
   * The service-source claim stamped on every token: a value, `{ claim, value }`, or `false`
   * for tokens without it (user tokens). @default { claim: 'source', value: 'microservice' }
   */
  readonly source?: string | { readonly claim?: string; readonly value?: string } | false;
  /** Default lifetime of `sign` and `tokenFor` tokens, in seconds (any, even 100 years). @default 300 */
  readonly lifetime?: number;
  /** Lifetime of `signRequest` tokens, in seconds. @default 60 */
  readonly requestLifetime?: number;
  /** Injectable clock, epoch milliseconds. @default Date.now */
  readonly now?: () => number;
}

/** Per-token options of {@link ServiceJwtSigner.sign}. */
export interface SignOptions {
  /** `aud`: required, `null` to mint a token without audience (explicit opt-out). */
  readonly audience: string | readonly string[] | null;
  /** `sub`: the user or service on whose behalf the call is made. */
  readonly subject?: string;
  /** Seconds from `iat` to `exp`. @default the signer's `lifetime` */
  readonly lifetime?: number;
  /** The `jti` to use. @default 128 random bits, base64url */
  readonly jti?: string;
}

/** The request a request-bound token is signed for. */
export interface SignRequestInput {
  /** HTTP method; stamped upper-cased as `htm`. */
  readonly method: string;
  /** `/path?query`, or an absolute URL whose path and query become `htu`. */
  readonly url: string;
  /** The exact body bytes that will be sent (strings as UTF-8). Absent: the empty body. */
  readonly body?: string | Uint8Array | ArrayBuffer;
  readonly audience: string | readonly string[];
  readonly subject?: string;
  /** @default the signer's `requestLifetime` (60) */
  readonly lifetime?: number;
}

/** Options of {@link ServiceJwtSigner.tokenFor}. */
export interface TokenForOptions {
  readonly subject?: string;
}

/** A token issuer: see {@link createSigner}. */
export interface ServiceJwtSigner {
  readonly issuer: string;
  /** `kid` of the key that signs now. */
  readonly kid: string;
  /** Algorithm of the key that signs now. */
  readonly algorithm: Algorithm;
  /**
   * Signs `claims` plus the stamped `iss`, `iat`, `exp`, `jti`, source claim, `aud`, `sub`.
   * Claims the signer stamps (`iss`, `iat`, `exp`, `jti`, `aud`, `sub`, the source claim,
   * `bdy`, `htm`, `htu`) are refused in `claims`: use the options or `signRequest`.
   *
   * @throws ServiceJwtError `configuration_error` for a reserved claim or invalid option, or
   * a remote key's signature that does not verify; `signer_unavailable` (503) when a remote
   * key fails or misses its deadline.
   */
  sign(claims: Readonly<Record<string, unknown>>, options: SignOptions): Promise<string>;
  /**
   * The static-identity token for `audience`: minted on first use, cached, renewed ahead of
   * expiry (20% of the lifetime, at least 30 s before `exp`) and after a key rotation.
   * Concurrent callers share one signing (one remote call, for a remote key); a failure is
   * not cached.
   *
   * @throws ServiceJwtError as {@link ServiceJwtSigner.sign}.
   */
  tokenFor(audience: string | readonly string[], options?: TokenForOptions): Promise<string>;
  /**
   * A one-time token bound to one request: `bdy` (SHA-256, base64url, of the exact body
   * bytes; the empty body hashes the empty string), `htm`, `htu`, a fresh `jti`, 60 s.
   *
   * @throws ServiceJwtError as {@link ServiceJwtSigner.sign}.
   */
  signRequest(request: SignRequestInput): Promise<string>;
  /**
   * The public key set to publish (RFC 7517 §5), remote keys' public halves included. Never a
   * private member; empty for a signer of shared secrets (`oct` keys are never published).
   */
  jwks(): { keys: PublicJwk[] };
  /**
   * Key rotation per the design: publishes `nextKey` now (in `jwks()`), signs with it after
   * `activateAfter` seconds, and keeps the old public key until the last token it signed has
   * expired (or `retireAfter`). Returns the next key's `kid` and activation time.
   *
   * `nextKey` is one key in any form `keys` takes, of the same kind (shared secret or key
   * pair) as the signer's keys.
   *
   * @throws ServiceJwtError `configuration_error`: invalid key, a key of the other kind, a key
   * that does not fit the signer's `algorithm`, duplicate `kid`, a rotation already pending.
   */
  rotate(nextKey: SignerKeyInput, options?: RotateOptions): RotationPlan;
}

const RESERVED = ['iss', 'iat', 'exp', 'jti', 'aud', 'sub', 'bdy', 'htm', 'htu'];

const SIGNER_OPTIONS = [
  'issuer',
  'keys',
  'algorithm',
  'source',
  'lifetime',
  'requestLifetime',
  'now',
] as const satisfies ReadonlyArray<keyof SignerOptions>;

const SIGN_OPTIONS = ['audience', 'subject', 'lifetime', 'jti'] as const satisfies ReadonlyArray<
  keyof SignOptions
>;

function fail(message: string): never {
  throw new ServiceJwtError('configuration_error', message);
}

function checkLifetime(value: unknown, option: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) {
    fail(`${option} must be a positive whole number of seconds`);
  }
  return value;
}

function checkAudience(value: unknown, option: string): void {
  const ok =
    value === null ||
    (typeof value === 'string' && value !== '') ||
    (Array.isArray(value) &&
      value.length > 0 &&
      value.every((a) => typeof a === 'string' && a !== ''));
  if (!ok) fail(`${option} must be a non-empty string or array of strings (or null)`);
}

function resolveSource(source: SignerOptions['source']): { claim: string; value: string } | false {
  if (source === false) return false;
  if (source === undefined) return { claim: 'source', value: 'microservice' };
  if (typeof source === 'string' && source !== '') return { claim: 'source', value: source };
  if (typeof source === 'object' && source !== null) {
    const claim = source.claim ?? 'source';
    const value = source.value ?? 'microservice';
    if (typeof claim === 'string' && claim !== '' && typeof value === 'string' && value !== '') {
      return { claim, value };
    }
  }
  return fail('source must be a non-empty string, { claim, value } or false');
}

/**
 * Creates a signer: one issuer identity and one or more keys (key file text, JWK or JWK set,
 * PEM, `KeyObject`, `oct` secrets, or remote keys held by a KMS; the first signs, all but
 * secrets are published). Options are validated here.
 *
 * @throws ServiceJwtError `configuration_error` naming the option or key: missing issuer, no
 * key, public or unreadable key, RSA under 2048 bits, a secret under 32 bytes (or its hash
 * size), an `algorithm` that does not fit a key or disagrees with its JWK `alg`, secrets mixed
 * with key pairs, duplicate `kid`, an invalid remote key, lifetime or source, an unknown
 * option (named, with the option meant when one is close: `algoritm` → `algorithm`).
 * @example
 * ```ts
 * const signer = createSigner({ issuer: 'https://m1.internal/', keys: privateJwk });
 * const token = await signer.tokenFor('https://m2.internal/');
 * ```
 */
export function createSigner(options: SignerOptions): ServiceJwtSigner {
  if (typeof options !== 'object' || options === null) fail('createSigner options are required');
  rejectUnknownOptions(options, SIGNER_OPTIONS, { path: '', of: ' of createSigner' });
  const { issuer } = options;
  if (typeof issuer !== 'string' || issuer === '') fail('issuer must be a non-empty string');
  if (options.algorithm !== undefined && !isSigningAlgorithm(options.algorithm)) {
    fail(`algorithm "${String(options.algorithm)}" is not a supported signing algorithm`);
  }
  const keys = readSignerKeys(options.keys, options.algorithm);
  const lifetime = checkLifetime(options.lifetime ?? 300, 'lifetime');
  const requestLifetime = checkLifetime(options.requestLifetime ?? 60, 'requestLifetime');
  const source = resolveSource(options.source);
  if (options.now !== undefined && typeof options.now !== 'function')
    fail('now must be a function');
  const now = options.now ?? Date.now;
  const ring = createKeyRing(keys, now);
  const reserved = new Set(source ? [...RESERVED, source.claim] : RESERVED);
  const defaultAlgorithm = options.algorithm;

  async function mint(
    claims: Readonly<Record<string, unknown>>,
    stamped: Record<string, unknown>,
    tokenLifetime: number,
  ): Promise<{ token: string; iat: number; exp: number; kid: string }> {
    const iat = Math.floor(now() / 1000);
    const exp = iat + tokenLifetime;
    const key = ring.signingKey(exp);
    const payload: Record<string, unknown> = { ...claims, ...stamped, iss: issuer, iat, exp };
    if (source) payload[source.claim] = source.value;
    payload.jti ??= randomBytes(16).toString('base64url');
    const token = await key.signCompact(new TextEncoder().encode(JSON.stringify(payload)));
    return { token, iat, exp, kid: key.kid };
  }

  function checkClaims(claims: unknown): Readonly<Record<string, unknown>> {
    if (typeof claims !== 'object' || claims === null || Array.isArray(claims)) {
      fail('claims must be an object');
    }
    for (const name of Object.keys(claims)) {
      if (reserved.has(name)) fail(`claims.${name} is stamped by the signer; use the sign options`);
    }
    return claims as Readonly<Record<string, unknown>>;
  }

  function subjectClaim(subject: unknown, option: string): Record<string, unknown> {
    if (subject === undefined) return {};
    if (typeof subject !== 'string' || subject === '') fail(`${option} must be a non-empty string`);
    return { sub: subject };
  }

  const cache = createTokenCache(
    (cacheKey) => {
      const { audience, subject } = JSON.parse(cacheKey) as {
        audience: string | string[];
        subject?: string;
      };
      return mint({}, { aud: audience, ...subjectClaim(subject, 'subject') }, lifetime);
    },
    () => Math.floor(now() / 1000),
    () => ring.signingKey().kid,
  );

  return {
    issuer,
    get kid() {
      return ring.signingKey().kid;
    },
    get algorithm() {
      return ring.signingKey().algorithm;
    },
    async sign(claims, signOptions) {
      const checked = checkClaims(claims);
      if (typeof signOptions !== 'object' || signOptions === null)
        fail('sign options are required');
      rejectUnknownOptions(signOptions, SIGN_OPTIONS, { path: '', of: ' of sign' });
      checkAudience(signOptions.audience, 'audience');
      const tokenLifetime = checkLifetime(signOptions.lifetime ?? lifetime, 'lifetime');
      const stamped: Record<string, unknown> = subjectClaim(signOptions.subject, 'subject');
      if (signOptions.audience !== null) stamped.aud = signOptions.audience;
      if (signOptions.jti !== undefined) {
        const jti = signOptions.jti;
        if (typeof jti !== 'string' || jti === '' || jti.length > MAX_JTI) {
          fail(`jti must be a string of 1 to ${MAX_JTI} characters (what verifiers accept)`);
        }
        stamped.jti = signOptions.jti;
      }
      return (await mint(checked, stamped, tokenLifetime)).token;
    },
    tokenFor(audience, tokenOptions = {}) {
      checkAudience(audience, 'audience');
      if (audience === null) fail('audience must not be null for tokenFor');
      rejectUnknownOptions(tokenOptions, ['subject'], { path: '', of: ' of tokenFor' });
      return cache.get(JSON.stringify({ audience, subject: tokenOptions.subject }));
    },
    async signRequest(request) {
      if (typeof request !== 'object' || request === null) fail('signRequest needs a request');
      if (typeof request.method !== 'string' || !/^[A-Za-z]+$/.test(request.method)) {
        fail('method must be an HTTP method name');
      }
      checkAudience(request.audience, 'audience');
      const stamped: Record<string, unknown> = {
        aud: request.audience,
        ...subjectClaim(request.subject, 'subject'),
        htm: request.method.toUpperCase(),
        htu: signedTarget(request.url),
        bdy: computeBodyHash('sha256', bodyBytes(request.body)),
      };
      const tokenLifetime = checkLifetime(request.lifetime ?? requestLifetime, 'lifetime');
      return (await mint({}, stamped, tokenLifetime)).token;
    },
    jwks() {
      return { keys: ring.publicKeys() };
    },
    rotate(nextKey, rotateOptions = {}) {
      return ring.rotate(readNextKey(nextKey, defaultAlgorithm, ring.signingKey()), rotateOptions);
    },
  };
}
