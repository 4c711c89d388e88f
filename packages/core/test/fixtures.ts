import {
  createHmac,
  createSecretKey,
  generateKeyPairSync,
  type JsonWebKey,
  type KeyObject,
  randomBytes,
  sign,
} from 'node:crypto';
import {
  createVerifier,
  errorResponse,
  type ServiceJwtErrorCode,
  type ServiceJwtVerifier,
  type VerifierOptions,
} from '@service-jwt/core';

// Raw token minting for the verifier's tests: any header, any payload text, signed with
// node:crypto, so attacks can be built byte by byte.

export type FixtureAlg = 'RS256' | 'PS256' | 'ES256' | 'ES384' | 'EdDSA' | 'HS256';

export interface FixtureKey {
  readonly alg: FixtureAlg;
  readonly kid: string;
  readonly privateKey: KeyObject;
  /** Public JWK with `kid`, `alg`, `use` (absent for HS256). */
  readonly jwk: JsonWebKey | undefined;
  readonly publicKey: KeyObject | undefined;
  readonly secret: Buffer | undefined;
}

export const ISSUER = 'https://issuer.test';
export const AUDIENCE = 'https://audience.test';
/** Fixed clock, epoch milliseconds. */
export const NOW_MS = 1_800_000_000_000;
export const NOW = NOW_MS / 1000;

/** A clock for the `now` option that moves only when told: `at(seconds)` sets it. */
export function manualClock(startMs: number = NOW_MS): {
  now: () => number;
  at(seconds: number): void;
} {
  let ms = startMs;
  return {
    now: () => ms,
    at(seconds) {
      ms = seconds * 1000;
    },
  };
}

export function makeKey(alg: FixtureAlg, kid = `${alg}-key`): FixtureKey {
  if (alg === 'HS256') {
    const secret = randomBytes(32);
    return {
      alg,
      kid,
      privateKey: createSecretKey(secret),
      jwk: undefined,
      publicKey: undefined,
      secret,
    };
  }
  const pair =
    alg === 'RS256' || alg === 'PS256'
      ? generateKeyPairSync('rsa', { modulusLength: 2048 })
      : alg === 'ES256'
        ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
        : alg === 'ES384'
          ? generateKeyPairSync('ec', { namedCurve: 'P-384' })
          : generateKeyPairSync('ed25519');
  const jwk = { ...pair.publicKey.export({ format: 'jwk' }), kid, alg, use: 'sig' };
  return {
    alg,
    kid,
    privateKey: pair.privateKey,
    jwk,
    publicKey: pair.publicKey,
    secret: undefined,
  };
}

export function b64(value: string | Uint8Array | object): string {
  if (typeof value === 'string') return Buffer.from(value, 'utf8').toString('base64url');
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64url');
  return Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
}

/** Signs `signingInput` (`header.payload` as given) with `key` under `alg`; returns the signature bytes. */
export function signBytes(key: FixtureKey, signingInput: string, alg: string = key.alg): Buffer {
  const data = Buffer.from(signingInput, 'latin1');
  switch (alg) {
    case 'RS256':
      return sign('sha256', data, key.privateKey);
    case 'PS256':
      return sign('sha256', data, { key: key.privateKey, padding: 6, saltLength: 32 });
    case 'ES256':
      return sign('sha256', data, { key: key.privateKey, dsaEncoding: 'ieee-p1363' });
    case 'ES384':
      return sign('sha384', data, { key: key.privateKey, dsaEncoding: 'ieee-p1363' });
    case 'EdDSA':
      return sign(null, data, key.privateKey);
    default:
      throw new Error(`fixture cannot sign ${alg}`);
  }
}

/** A compact token from raw segments; the signature covers `headerSegment.payloadSegment`. */
export function signSegments(
  key: FixtureKey,
  headerSegment: string,
  payloadSegment: string,
): string {
  const input = `${headerSegment}.${payloadSegment}`;
  const signature =
    key.alg === 'HS256'
      ? createHmac('sha256', key.secret as Buffer)
          .update(input)
          .digest()
      : signBytes(key, input);
  return `${input}.${Buffer.from(signature).toString('base64url')}`;
}

/** The claims of a valid service token at {@link NOW}. */
export function claimsAt(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    iss: ISSUER,
    sub: 'orders',
    aud: AUDIENCE,
    iat: NOW - 10,
    exp: NOW + 300,
    source: 'microservice',
    ...overrides,
  };
}

/** Mints a token with the key's `alg`/`kid` (plus `header`) over `claims` (JSON or raw text). */
export function mint(
  key: FixtureKey,
  claims: Record<string, unknown> | string = claimsAt(),
  header: Record<string, unknown> = {},
): string {
  return signSegments(key, b64({ alg: key.alg, kid: key.kid, ...header }), b64(claims));
}

/** Issuer configuration for `createVerifier` holding `key`. */
export function issuerConfig(key: FixtureKey): VerifierOptions['issuers'][string] {
  if (key.secret !== undefined) return { secret: key.secret };
  return { keys: [key.jwk as never] };
}

export function verifierFor(
  key: FixtureKey,
  options: Partial<VerifierOptions> = {},
): ServiceJwtVerifier {
  return createVerifier({
    issuers: { [ISSUER]: issuerConfig(key) },
    audience: AUDIENCE,
    now: () => NOW_MS,
    ...options,
  } as VerifierOptions);
}

/** The design's error table: status and RFC 6750 `error` attribute per code. */
export const EXPECTED: Readonly<Record<ServiceJwtErrorCode, [number, string | undefined]>> = {
  token_missing: [401, undefined],
  token_malformed: [401, 'invalid_token'],
  token_too_large: [401, 'invalid_token'],
  algorithm_not_allowed: [401, 'invalid_token'],
  key_not_found: [401, 'invalid_token'],
  signature_invalid: [401, 'invalid_token'],
  token_expired: [401, 'invalid_token'],
  token_not_yet_valid: [401, 'invalid_token'],
  token_too_old: [401, 'invalid_token'],
  issuer_not_trusted: [401, 'invalid_token'],
  audience_mismatch: [401, 'invalid_token'],
  claim_missing: [401, 'invalid_token'],
  body_hash_missing: [401, 'invalid_token'],
  body_hash_mismatch: [401, 'invalid_token'],
  request_binding_mismatch: [401, 'invalid_token'],
  token_replayed: [401, 'invalid_token'],
  token_revoked: [401, 'invalid_token'],
  source_mismatch: [403, 'insufficient_scope'],
  claim_check_failed: [403, 'insufficient_scope'],
  caller_not_allowed: [403, 'insufficient_scope'],
  token_duplicated: [400, 'invalid_request'],
  body_too_large: [413, undefined],
  body_timeout: [408, undefined],
  content_encoding_unsupported: [415, undefined],
  http_signature_missing: [401, 'invalid_token'],
  http_signature_malformed: [400, 'invalid_request'],
  http_signature_insufficient: [401, 'invalid_token'],
  http_signature_invalid: [401, 'invalid_token'],
  http_signature_expired: [401, 'invalid_token'],
  http_signature_replayed: [401, 'invalid_token'],
  content_digest_missing: [401, 'invalid_token'],
  content_digest_mismatch: [401, 'invalid_token'],
  txn_token_missing: [401, 'invalid_token'],
  txn_token_duplicated: [400, 'invalid_request'],
  txn_token_malformed: [401, 'invalid_token'],
  txn_token_untrusted: [401, 'invalid_token'],
  txn_token_invalid: [401, 'invalid_token'],
  txn_token_expired: [401, 'invalid_token'],
  txn_token_not_yet_valid: [401, 'invalid_token'],
  txn_token_lifetime_exceeded: [401, 'invalid_token'],
  txn_token_audience_mismatch: [401, 'invalid_token'],
  txn_token_in_authorization: [400, 'invalid_request'],
  txn_token_claim_check_failed: [403, 'insufficient_scope'],
  txn_workload_unknown: [403, 'insufficient_scope'],
  http_signature_response_invalid: [502, undefined],
  keys_unavailable: [503, undefined],
  store_unavailable: [503, undefined],
  signer_unavailable: [503, undefined],
  token_exchange_refused: [403, 'insufficient_scope'],
  token_service_unavailable: [503, undefined],
  configuration_error: [500, undefined],
};

/**
 * Awaits a rejection and asserts its `code`, its status and the `WWW-Authenticate` challenge
 * (`error="…"` for 401/403/400 codes, a bare challenge for `token_missing`, none otherwise).
 */
export async function expectCode(
  promise: Promise<unknown>,
  code: ServiceJwtErrorCode,
): Promise<Error & { code: string; cause?: unknown }> {
  let caught: unknown;
  try {
    await promise;
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(Error);
  const err = caught as Error & { code: ServiceJwtErrorCode; status: number };
  expect({ code: err.code, status: err.status }).toEqual({ code, status: EXPECTED[code][0] });
  const response = errorResponse(err as never);
  const challenge = response.headers['www-authenticate'];
  const [status, rfcError] = EXPECTED[code];
  if (rfcError !== undefined) {
    expect(challenge).toMatch(new RegExp(`^Bearer realm="service-jwt", error="${rfcError}"`));
  } else if (status === 401) {
    expect(challenge).toBe('Bearer realm="service-jwt"');
  } else {
    expect(challenge).toBeUndefined();
  }
  if (status === 503) expect(response.headers['retry-after']).toMatch(/^\d+$/);
  return err;
}

/** A request carrying `token` as a Bearer credential. */
export function bearer(
  token: string,
  extra: { method?: string; url?: string; headers?: Record<string, string>; body?: unknown } = {},
) {
  return {
    method: extra.method ?? 'POST',
    url: extra.url ?? '/orders',
    headers: { authorization: `Bearer ${token}`, ...extra.headers },
    body: extra.body as string | Uint8Array | undefined,
  };
}

/**
 * Signs `${prefix}${i}` for i = 0, 1, … until the signature begins with a zero byte (about one
 * RSA signature in 256), so a test of a signature one leading byte short is certain instead of
 * a draw. Bounded: the chance that 6,000 tries find none is about 10⁻¹⁰.
 */
export function signedWithLeadingZero(
  prefix: string,
  signer: (data: Buffer) => Buffer,
): { readonly data: Buffer; readonly signature: Buffer } {
  for (let i = 0; i < 6000; i++) {
    const data = Buffer.from(`${prefix}${i}`, 'latin1');
    const signature = signer(data);
    if (signature[0] === 0) return { data, signature };
  }
  throw new Error('no signature with a leading zero byte in 6000 tries');
}
