import type { Agent } from 'node:http';
import { rejectUnknownOptions } from '../errors/option-names.js';
import { ServiceJwtError } from '../errors/service-jwt-error.js';
import type { Algorithm } from '../jws/algorithms.js';
import { checkAgent, parseFingerprint } from '../keys/fetch-key-set.js';
import type { JsonWebKeyInput, JsonWebKeySetInput } from '../keys/key-input.js';
import { readKeyString } from '../signer/key-text.js';
import { isSigningAlgorithm } from '../signer/signing-keys.js';

/**
 * TLS and transport controls for a remote signing-key set. Same names and meanings as the
 * remote key sets of trusted issuers.
 */
export interface SigningKeySetFetchOptions {
  /** Allow an `http:` `jwkSetUrl`. Named so nobody turns it on by accident. @default false */
  readonly allowInsecureHttp?: boolean;
  /** Trusted CA certificate(s), PEM. Replaces the default root store for this URL. */
  readonly ca?: string | Buffer | ReadonlyArray<string | Buffer>;
  /**
   * SHA-256 fingerprints of the server's DER certificate (base64, base64url or hex). When
   * set, the certificate must match one of them, on top of normal validation; a mismatch
   * refuses the keys before any request is sent.
   */
  readonly fingerprints?: readonly string[];
  /** OpenSSL cipher list for the TLS connection. */
  readonly ciphers?: string;
  /**
   * The agent that connects to `jwkSetUrl`, e.g. a proxy agent; CA, host name and pins are
   * still checked end to end (see docs/keys.md, "Through a proxy"). @default no agent
   */
  readonly agent?: Agent;
  /** Time-out of one fetch (connect, TLS, headers, body), in milliseconds. @default 5000 */
  readonly timeout?: number;
  /** Largest accepted key-set response, in bytes. @default 524288 */
  readonly maxResponseBytes?: number;
  /** Seconds a fetched key is used before the set is fetched again. @default 600 */
  readonly refreshInterval?: number;
}

/** Options of `createResponseSigner`. */
export interface ResponseSignerOptions extends SigningKeySetFetchOptions {
  /** Top-level keys of the JSON response to sign (non-empty, no duplicates). */
  readonly keysToSign: readonly string[];
  /**
   * `false`: each signed key holds a compact JWS string. `true`: it holds the flattened JWS
   * JSON serialization object `{ protected, payload, signature }` (RFC 7515 §7.2.2).
   * @default false
   */
  readonly full?: boolean;
  /** JWS algorithm; must fit the selected key (HS256/384/512 for `oct` keys). */
  readonly alg: Algorithm;
  /** `kid` of the signing key in the key set; also written in the JWS header. */
  readonly kid: string;
  /**
   * A local JWK set holding the private (or `oct`) key `kid`: a set, an array of JWKs, one
   * JWK, or the JSON text of any of them (a KrakenD key file, `service-jwt keygen` output).
   * An `oct` key's `k` is the base64url of the secret's bytes (RFC 7518 §6.4.1), never the
   * secret's text. Exclusive with `jwkSetUrl`.
   */
  readonly keys?: JsonWebKeySetInput | readonly JsonWebKeyInput[] | JsonWebKeyInput | string;
  /** URL of a JWK set holding the private (or `oct`) key `kid`. Exclusive with `keys`. */
  readonly jwkSetUrl?: string;
  /**
   * Largest serialized or streamed JSON body the signer reads, in bytes; a larger one is
   * refused (`configuration_error`). @default 1048576
   */
  readonly maxBodyBytes?: number;
  /** Injectable clock, epoch milliseconds (drives `refreshInterval`). @default Date.now */
  readonly now?: () => number;
}

/** Default of {@link ResponseSignerOptions.maxBodyBytes}. */
export const DEFAULT_RESPONSE_MAX_BODY_BYTES = 1024 * 1024;

/** Default of {@link SigningKeySetFetchOptions.refreshInterval}, seconds. */
export const DEFAULT_SIGNING_KEYS_REFRESH_INTERVAL = 600;

/** Options after validation. */
export interface ResolvedResponseSignerOptions {
  readonly keysToSign: readonly string[];
  readonly full: boolean;
  readonly alg: Algorithm;
  readonly kid: string;
  readonly keys: readonly JsonWebKeyInput[] | undefined;
  readonly jwkSetUrl: string | undefined;
  readonly fetch: {
    readonly allowInsecureHttp: boolean;
    readonly ca?: string | Buffer | ReadonlyArray<string | Buffer>;
    readonly fingerprints?: readonly string[];
    readonly ciphers?: string;
    readonly agent?: Agent;
    readonly timeout?: number;
    readonly maxResponseBytes?: number;
  };
  readonly refreshIntervalMs: number;
  readonly maxBodyBytes: number;
  readonly now: () => number;
}

const KNOWN = new Set([
  'keysToSign',
  'full',
  'alg',
  'kid',
  'keys',
  'jwkSetUrl',
  'allowInsecureHttp',
  'ca',
  'fingerprints',
  'ciphers',
  'agent',
  'timeout',
  'maxResponseBytes',
  'refreshInterval',
  'maxBodyBytes',
  'now',
]);
const REMOTE_ONLY = [
  'allowInsecureHttp',
  'ca',
  'fingerprints',
  'ciphers',
  'agent',
  'timeout',
  'maxResponseBytes',
  'refreshInterval',
] as const;

function fail(message: string): never {
  throw new ServiceJwtError('configuration_error', message);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function positive(value: unknown, name: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    fail(`options.${name} must be a positive number`);
  }
  return value;
}

function keysToSignOf(value: unknown): readonly string[] {
  if (!Array.isArray(value) || value.length === 0) {
    fail('options.keysToSign must be a non-empty array of response keys');
  }
  for (const key of value) {
    if (typeof key !== 'string' || key === '') {
      fail('options.keysToSign must hold non-empty strings');
    }
  }
  if (new Set(value).size !== value.length) fail('options.keysToSign holds a key twice');
  return Object.freeze([...(value as string[])]);
}

function localKeysOf(value: unknown): readonly JsonWebKeyInput[] {
  let parsed = value;
  if (typeof value === 'string') {
    const text = readKeyString(value, 'options.keys');
    if (text?.kind === 'jwk') parsed = [text.jwk];
    else if (text?.kind === 'set') parsed = text.keys;
    else fail('options.keys as a string must be the JSON text of a JWK set or a JWK');
  } else if (isRecord(value) && typeof value.kty === 'string') {
    parsed = [value];
  }
  const list = Array.isArray(parsed) ? parsed : isRecord(parsed) ? parsed.keys : undefined;
  if (!Array.isArray(list) || list.length === 0) {
    fail('options.keys must be a JWK set ({ keys: [...] }), a non-empty array of JWKs, or a JWK');
  }
  for (const [index, jwk] of list.entries()) {
    if (!isRecord(jwk) || typeof jwk.kty !== 'string') {
      fail(`options.keys[${index}] must be a JWK object with "kty"`);
    }
  }
  return list as JsonWebKeyInput[];
}

function urlOf(value: unknown, allowInsecureHttp: boolean): string {
  if (typeof value !== 'string') fail('options.jwkSetUrl must be a URL string');
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return fail('options.jwkSetUrl must be an absolute URL');
  }
  if (url.protocol === 'https:') return url.href;
  if (url.protocol === 'http:' && allowInsecureHttp) return url.href;
  if (url.protocol === 'http:') {
    fail('options.jwkSetUrl must be an https: URL (set allowInsecureHttp: true to allow http:)');
  }
  return fail('options.jwkSetUrl must be an https: URL');
}

function caOf(value: unknown): ResolvedResponseSignerOptions['fetch']['ca'] {
  const ok = (item: unknown) => typeof item === 'string' || Buffer.isBuffer(item);
  if (value === undefined || ok(value) || (Array.isArray(value) && value.every(ok))) {
    return value as ResolvedResponseSignerOptions['fetch']['ca'];
  }
  return fail('options.ca must be a PEM string, a Buffer, or an array of them');
}

function fingerprintsOf(value: unknown): readonly string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.length === 0) {
    fail('options.fingerprints must be a non-empty array of SHA-256 fingerprints');
  }
  for (const item of value) {
    if (typeof item !== 'string' || parseFingerprint(item) === undefined) {
      fail('options.fingerprints must hold SHA-256 fingerprints in base64 or hex');
    }
  }
  return Object.freeze([...(value as string[])]);
}

/**
 * Validates {@link ResponseSignerOptions} once. Throws `configuration_error` naming the
 * option. Key material itself is checked by the key source (at construction for `keys`).
 */
export function resolveResponseSignerOptions(options: unknown): ResolvedResponseSignerOptions {
  if (!isRecord(options)) fail('options must be an object');
  rejectUnknownOptions(options, KNOWN, { path: 'options.', of: ' of createResponseSigner' });
  const keysToSign = keysToSignOf(options.keysToSign);
  const { full = false, alg, kid, now = Date.now, allowInsecureHttp = false } = options;
  if (typeof full !== 'boolean') fail('options.full must be a boolean');
  if (!isSigningAlgorithm(alg)) fail('options.alg must be a supported JWS algorithm (e.g. RS256)');
  if (typeof kid !== 'string' || kid === '') fail('options.kid must be a non-empty string');
  if (typeof now !== 'function') fail('options.now must be a function returning epoch ms');
  if (typeof allowInsecureHttp !== 'boolean') fail('options.allowInsecureHttp must be a boolean');
  const hasKeys = options.keys !== undefined;
  const hasUrl = options.jwkSetUrl !== undefined;
  if (hasKeys === hasUrl) fail('exactly one of options.keys and options.jwkSetUrl must be set');
  if (hasKeys) {
    for (const name of REMOTE_ONLY) {
      if (options[name] !== undefined) fail(`options.${name} applies to options.jwkSetUrl only`);
    }
  }
  if (options.ciphers !== undefined && (typeof options.ciphers !== 'string' || !options.ciphers)) {
    fail('options.ciphers must be a non-empty OpenSSL cipher list');
  }
  const agent = checkAgent(options.agent, 'options.agent');
  const timeout = positive(options.timeout, 'timeout');
  const maxResponseBytes = positive(options.maxResponseBytes, 'maxResponseBytes');
  const refreshInterval =
    positive(options.refreshInterval, 'refreshInterval') ?? DEFAULT_SIGNING_KEYS_REFRESH_INTERVAL;
  const maxBodyBytes =
    positive(options.maxBodyBytes, 'maxBodyBytes') ?? DEFAULT_RESPONSE_MAX_BODY_BYTES;
  const ca = caOf(options.ca);
  const fingerprints = fingerprintsOf(options.fingerprints);
  return Object.freeze({
    keysToSign,
    full,
    alg,
    kid,
    keys: hasKeys ? localKeysOf(options.keys) : undefined,
    jwkSetUrl: hasUrl ? urlOf(options.jwkSetUrl, allowInsecureHttp) : undefined,
    fetch: Object.freeze({
      allowInsecureHttp,
      ...(ca === undefined ? {} : { ca }),
      ...(fingerprints === undefined ? {} : { fingerprints }),
      ...(options.ciphers === undefined ? {} : { ciphers: options.ciphers as string }),
      ...(agent === undefined ? {} : { agent }),
      ...(timeout === undefined ? {} : { timeout }),
      ...(maxResponseBytes === undefined ? {} : { maxResponseBytes }),
    }),
    refreshIntervalMs: refreshInterval * 1000,
    maxBodyBytes,
    now: now as () => number,
  });
}
