import { type KeyObject, randomBytes } from 'node:crypto';
import {
  computeBodyHash,
  createSigner,
  type IssuerKeys,
  type ServiceJwtSigner,
} from '@service-jwt/core';
import { CompactSign } from 'jose';
import { generateTestKey, type PublicJwk, type TestAlgorithm, type TestKey } from './test-keys.js';

/** Options of {@link createTestIssuer}. */
export interface TestIssuerOptions {
  /** The `iss` value. @default 'https://issuer.test/' */
  readonly issuer?: string;
  /** @default 'ES256' */
  readonly algorithm?: TestAlgorithm;
  /** @default the RFC 7638 thumbprint of the public key */
  readonly kid?: string;
  /** Value of the `source` claim; `false` leaves it out (user tokens). @default 'microservice' */
  readonly source?: string | false;
  /** Default token lifetime in seconds. @default 300 */
  readonly lifetime?: number;
  /** Clock used when a call passes no `now`, epoch milliseconds. @default Date.now */
  readonly now?: () => number;
}

/** Per-token options of {@link TestIssuer.sign}. */
export interface TestSignOptions {
  readonly audience?: string | readonly string[];
  readonly subject?: string;
  /** Seconds from `iat` to `exp`. @default the issuer's lifetime (300), 60 for request tokens */
  readonly lifetime?: number;
  /** Issue time, epoch milliseconds. @default the issuer's clock */
  readonly now?: number;
  /** `jti` value; `false` leaves it out. @default a random 128-bit id */
  readonly jti?: string | false;
  /** Extra or overriding protected-header members (`typ`, `crit`, even `alg`). */
  readonly header?: Readonly<Record<string, unknown>>;
  /** Claim names removed after stamping (`['exp']` mints a token without expiry). */
  readonly omit?: readonly string[];
}

/** The request a request-bound token is minted for. */
export interface TestRequest {
  readonly method: string;
  /** Path and query (`/orders?id=1`); of an absolute URL only the path and query are used. */
  readonly url: string;
  /** The exact body bytes (strings as UTF-8). Absent: the hash of the empty body. */
  readonly body?: string | Uint8Array;
  readonly audience: string | readonly string[];
  readonly subject?: string;
}

/**
 * A throwaway issuer for tests: one generated key, its public JWK set, and minting helpers
 * for valid tokens and for each kind of invalid one. For tests only: keys live in memory and
 * the helpers happily mint tokens no production signer would.
 */
export interface TestIssuer {
  readonly issuer: string;
  readonly algorithm: TestAlgorithm;
  readonly kid: string;
  readonly privateKey: KeyObject;
  /** `undefined` for HS256 (a secret is never published). */
  readonly publicJwk: PublicJwk | undefined;
  /** The public set (empty for HS256). */
  readonly jwks: { readonly keys: PublicJwk[] };
  /** This issuer's entry for `createVerifier({ issuers })`: `{ keys }` or, for HS256, `{ secret }`. */
  readonly keys: IssuerKeys;
  /**
   * The core signer behind the valid tokens (same key, `kid`, issuer, source and clock): use it
   * for `tokenFor`, `createServiceFetch` or `jwksResponse` in tests.
   */
  readonly signer: ServiceJwtSigner;
  /**
   * Mints a valid token. Plain calls go through {@link TestIssuer.signer}; with `now`, `omit`,
   * `header`, `jti: false` or stamped claims in `claims` (applied last, so they override) the
   * kit mints the token itself with jose.
   */
  sign(claims?: Readonly<Record<string, unknown>>, options?: TestSignOptions): Promise<string>;
  /** Mints a request-bound token: `bdy` (SHA-256 of the body), `htm`, `htu`, `jti`, 60 s. */
  signRequest(request: TestRequest, options?: TestSignOptions): Promise<string>;
  /** `exp` ten minutes in the past (→ `token_expired`). */
  expired(audience: string, options?: TestSignOptions): Promise<string>;
  /** `nbf` ten minutes ahead (→ `token_not_yet_valid`). */
  notYetValid(audience: string, options?: TestSignOptions): Promise<string>;
  /** `aud` is `https://wrong-audience.test/` (→ `audience_mismatch`). */
  wrongAudience(options?: TestSignOptions): Promise<string>;
  /** Signed by this key but `iss` is `https://untrusted-issuer.test/` (→ `issuer_not_trusted`). */
  wrongIssuer(audience: string, options?: TestSignOptions): Promise<string>;
  /** `source` is `user` (→ `source_mismatch`). */
  wrongSource(audience: string, options?: TestSignOptions): Promise<string>;
  /** One signature byte flipped (→ `signature_invalid`). */
  tamperedSignature(audience: string, options?: TestSignOptions): Promise<string>;
  /** Same `kid` and `alg`, signed by another key (→ `signature_invalid`). */
  wrongKey(audience: string, options?: TestSignOptions): Promise<string>;
  /** An unsecured `alg: none` token (→ `algorithm_not_allowed` or `token_malformed`). */
  unsigned(audience: string, options?: TestSignOptions): Promise<string>;
  /**
   * A request-bound token for `request.body` and a copy of the body with one byte changed: send
   * the returned `body` with the `token` (→ `body_hash_mismatch`).
   */
  tamperedBody(
    request: TestRequest,
    options?: TestSignOptions,
  ): Promise<{ token: string; body: Uint8Array }>;
}

const STAMPED = new Set(['iss', 'iat', 'exp', 'jti', 'aud', 'sub', 'bdy', 'htm', 'htu']);
const WRONG_AUDIENCE = 'https://wrong-audience.test/';
const UNTRUSTED_ISSUER = 'https://untrusted-issuer.test/';

function toBytes(body: string | Uint8Array | undefined): Uint8Array {
  if (body === undefined) return new Uint8Array(0);
  return typeof body === 'string' ? new TextEncoder().encode(body) : body;
}

function requestTarget(url: string): string {
  if (url.startsWith('/')) return url;
  const parsed = new URL(url);
  return parsed.pathname + parsed.search;
}

async function compact(
  key: TestKey,
  header: Record<string, unknown>,
  payload: Record<string, unknown>,
): Promise<string> {
  const bytes = new TextEncoder().encode(JSON.stringify(payload));
  return new CompactSign(bytes).setProtectedHeader(header as { alg: string }).sign(key.privateKey);
}

function flipSignatureByte(token: string): string {
  const [h, p, s] = token.split('.') as [string, string, string];
  const signature = Buffer.from(s, 'base64url');
  const middle = signature.length >> 1;
  signature[middle] = (signature[middle] ?? 0) ^ 0x01;
  return `${h}.${p}.${signature.toString('base64url')}`;
}

/**
 * Creates a throwaway issuer with a freshly generated key.
 *
 * @example
 * ```ts
 * const issuer = await createTestIssuer();
 * const token = await issuer.sign({}, { audience: 'https://orders.test/' });
 * ```
 */
export async function createTestIssuer(options: TestIssuerOptions = {}): Promise<TestIssuer> {
  const issuer = options.issuer ?? 'https://issuer.test/';
  const algorithm = options.algorithm ?? 'ES256';
  const source = options.source === undefined ? 'microservice' : options.source;
  const defaultLifetime = options.lifetime ?? 300;
  const clock = options.now ?? Date.now;
  const key = await generateTestKey(algorithm, options.kid);
  let otherKey: TestKey | undefined;

  async function mint(
    signingKey: TestKey,
    claims: Readonly<Record<string, unknown>>,
    opts: TestSignOptions,
    fallbackLifetime: number,
  ): Promise<string> {
    const iat = Math.floor((opts.now ?? clock()) / 1000);
    const payload: Record<string, unknown> = {
      iss: issuer,
      iat,
      exp: iat + (opts.lifetime ?? fallbackLifetime),
    };
    if (opts.audience !== undefined) payload.aud = opts.audience;
    if (opts.subject !== undefined) payload.sub = opts.subject;
    if (source !== false) payload.source = source;
    if (opts.jti !== false) payload.jti = opts.jti ?? randomBytes(16).toString('base64url');
    Object.assign(payload, claims);
    for (const name of opts.omit ?? []) delete payload[name];
    const header = { alg: algorithm, kid: signingKey.kid, typ: 'JWT', ...opts.header };
    return compact(signingKey, header, payload);
  }

  const signer = createSigner({
    issuer,
    keys: { key: key.privateKey, kid: key.kid, algorithm },
    source,
    lifetime: defaultLifetime,
    now: clock,
  });
  // Tokens the production signer would refuse to mint (or mint differently) are hand-made.
  const custom = (claims: Readonly<Record<string, unknown>>, opts: TestSignOptions) =>
    opts.now !== undefined ||
    opts.omit !== undefined ||
    opts.header !== undefined ||
    opts.jti === false ||
    Object.keys(claims).some((name) => STAMPED.has(name) || name === 'source');

  const sign = (claims: Readonly<Record<string, unknown>> = {}, opts: TestSignOptions = {}) => {
    if (custom(claims, opts)) return mint(key, claims, opts, defaultLifetime);
    return signer.sign(claims, {
      audience: opts.audience ?? null,
      subject: opts.subject,
      lifetime: opts.lifetime,
      jti: opts.jti === false ? undefined : opts.jti,
    });
  };

  const signRequest = (request: TestRequest, opts: TestSignOptions = {}) => {
    const subject = opts.subject ?? request.subject;
    if (!custom({}, opts)) {
      return signer.signRequest({ ...request, subject, lifetime: opts.lifetime });
    }
    const bdy = computeBodyHash('sha256', toBytes(request.body));
    const claims = { bdy, htm: request.method.toUpperCase(), htu: requestTarget(request.url) };
    return mint(key, claims, { ...opts, audience: request.audience, subject }, 60);
  };

  const jwks = { keys: key.publicJwk === undefined ? [] : [key.publicJwk] };
  return {
    issuer,
    algorithm,
    kid: key.kid,
    privateKey: key.privateKey,
    publicJwk: key.publicJwk,
    signer,
    jwks,
    keys: key.secret === undefined ? { keys: jwks } : { secret: key.secret },
    sign,
    signRequest,
    expired: (audience, opts = {}) => {
      const now = opts.now ?? clock();
      return sign({}, { ...opts, audience, now: now - 900_000, lifetime: 300 });
    },
    notYetValid: (audience, opts = {}) => {
      const now = Math.floor((opts.now ?? clock()) / 1000);
      return sign({ nbf: now + 600 }, { ...opts, audience });
    },
    wrongAudience: (opts = {}) => sign({}, { ...opts, audience: WRONG_AUDIENCE }),
    wrongIssuer: (audience, opts = {}) => sign({ iss: UNTRUSTED_ISSUER }, { ...opts, audience }),
    wrongSource: (audience, opts = {}) => sign({ source: 'user' }, { ...opts, audience }),
    tamperedSignature: async (audience, opts = {}) =>
      flipSignatureByte(await sign({}, { ...opts, audience })),
    wrongKey: async (audience, opts = {}) => {
      otherKey ??= await generateTestKey(algorithm, key.kid);
      return mint(otherKey, {}, { ...opts, audience }, defaultLifetime);
    },
    unsigned: async (audience, opts = {}) => {
      const signed = await sign({}, { ...opts, audience });
      const payload = signed.split('.')[1];
      const header = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
      return `${header}.${payload}.`;
    },
    tamperedBody: async (request, opts = {}) => {
      const token = await signRequest(request, opts);
      const body = Uint8Array.from(toBytes(request.body));
      if (body.length === 0) return { token, body: new TextEncoder().encode('x') };
      body[body.length >> 1] = (body[body.length >> 1] ?? 0) ^ 0x01;
      return { token, body };
    },
  };
}
