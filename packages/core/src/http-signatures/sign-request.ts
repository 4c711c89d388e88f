import { createPrivateKey, createSecretKey, KeyObject, randomBytes } from 'node:crypto';
import { configurationError } from '../errors/refusals.js';
import { signedTarget } from '../signer/request-input.js';
import {
  algorithmOfKey,
  type BoundKey,
  type HttpSignatureAlgorithm,
  isHttpSignatureAlgorithm,
  keyFits,
  signWith,
} from './algorithms.js';
import { computeContentDigest } from './content-digest.js';
import { signatureBase } from './signature-base.js';
import { isSfString, type SfItem, serializeInnerList } from './structured-fields.js';

/** The private key an HTTP message signature is made with. */
export type HttpSigningKeyInput = KeyObject | string | Readonly<Record<string, unknown>>;

/** Options of {@link signHttpRequest}. */
export interface SignHttpRequestOptions {
  /**
   * The private key: a `KeyObject`, a PEM string or a private JWK; for `hmac-sha256` a secret
   * `KeyObject`. Ed25519, P-256, P-384 and RSA-PSS keys name their algorithm; a plain RSA
   * key needs `algorithm`.
   */
  readonly key: HttpSigningKeyInput;
  /** @default the key's own (see `key`) */
  readonly algorithm?: HttpSignatureAlgorithm;
  /** The `tag` parameter the verifier's profile looks for. @default 'service-jwt' */
  readonly tag?: string;
  /** Seconds from `created` to `expires`. @default 60 */
  readonly lifetime?: number;
  /** `keyid` parameter; absent by default (the token says which key signs). */
  readonly keyid?: string;
  /** Also send the `alg` parameter. @default false */
  readonly includeAlg?: boolean;
  /**
   * Covered components. @default `@method`, `@path`, `@query`, the token header
   * (`authorization`) and, when a body is given, `content-digest`
   */
  readonly components?: readonly string[];
  /** The `nonce` parameter. @default 128 random bits, base64url */
  readonly nonce?: string;
  /** Dictionary label of the signature. @default 'sig1' */
  readonly label?: string;
  /** Epoch milliseconds. @default Date.now */
  readonly now?: () => number;
}

/** A request to sign: what goes on the wire. */
export interface HttpRequestToSign {
  readonly method: string;
  /** An absolute `http(s)` URL, or `/path?query`. */
  readonly url: string;
  /** Headers as they will be sent (the token's `Authorization` among them). */
  readonly headers: Readonly<Record<string, string>>;
  /** The exact body bytes sent (strings as UTF-8); absent for no body. */
  readonly body?: Uint8Array | string;
}

/** The headers {@link signHttpRequest} adds. */
export interface HttpSignatureHeaders {
  readonly 'signature-input': string;
  readonly signature: string;
  /** Present when a body was given: `sha-256=:…:` over its exact bytes. */
  readonly 'content-digest'?: string;
}

/** Imports a signing key once and binds it to its algorithm. */
export function bindSigningKey(
  input: HttpSigningKeyInput,
  algorithm?: HttpSignatureAlgorithm,
): BoundKey {
  let key: KeyObject;
  try {
    key =
      input instanceof KeyObject
        ? input
        : typeof input === 'string'
          ? createPrivateKey(input)
          : input.kty === 'oct'
            ? createSecretKey(Buffer.from(String(input.k), 'base64url'))
            : createPrivateKey({ key: input as never, format: 'jwk' });
  } catch (err) {
    throw configurationError('httpSignature key is not a private key (KeyObject, PEM or JWK)', err);
  }
  if (key.type === 'public') throw configurationError('httpSignature key must be a private key');
  if (algorithm !== undefined && !isHttpSignatureAlgorithm(algorithm)) {
    throw configurationError('httpSignature algorithm is not an RFC 9421 algorithm');
  }
  const bound = algorithm ?? algorithmOfKey(key);
  if (bound === undefined) {
    throw configurationError(
      "httpSignature algorithm is needed for this key (an RSA key: 'rsa-pss-sha512' or 'rsa-v1_5-sha256')",
    );
  }
  if (!keyFits(key, bound)) throw configurationError(`httpSignature key cannot sign ${bound}`);
  return { key, algorithm: bound };
}

function lowerHeaders(headers: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) out[name.toLowerCase()] = value;
  return out;
}

/**
 * Signs a request with an HTTP Message Signature (RFC 9421) for the `httpSignature` binding:
 * computes `Content-Digest` (RFC 9530, sha-256) over the exact body bytes, then the signature
 * over `@method`, `@path`, `@query`, `authorization` and `content-digest`, with `created`,
 * `expires`, a random 128-bit `nonce` and the profile's `tag`. Returns the headers to add.
 *
 * @throws ServiceJwtError `configuration_error` for a key, algorithm or option that cannot
 *   sign, or a covered header that the request lacks.
 * @example
 * ```ts
 * const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
 * const added = signHttpRequest({ method: 'POST', url, headers, body }, { key: proofKey });
 * await fetch(url, { method: 'POST', headers: { ...headers, ...added }, body });
 * ```
 */
export function signHttpRequest(
  request: HttpRequestToSign,
  options: SignHttpRequestOptions | (SignHttpRequestOptions & { readonly bound: BoundKey }),
): HttpSignatureHeaders {
  const bound = 'bound' in options ? options.bound : bindSigningKey(options.key, options.algorithm);
  const headers = lowerHeaders(request.headers);
  const digest =
    request.body === undefined ? undefined : computeContentDigest(request.body, 'sha-256');
  if (digest !== undefined) headers['content-digest'] = digest;
  let scheme: 'http' | 'https' = 'https';
  if (!request.url.startsWith('/')) {
    const url = new URL(request.url);
    scheme = url.protocol === 'http:' ? 'http' : 'https';
    headers.host ??= url.host;
  }
  const names = options.components ?? [
    '@method',
    '@path',
    '@query',
    'authorization',
    ...(digest === undefined ? [] : ['content-digest']),
  ];
  const components: SfItem[] = names.map((name) => ({ value: name, params: new Map() }));
  const created = Math.floor((options.now ?? Date.now)() / 1000);
  const params = new Map<string, string | number>([
    ['created', created],
    ['expires', created + (options.lifetime ?? 60)],
    ['nonce', options.nonce ?? randomBytes(16).toString('base64url')],
    ['tag', options.tag ?? 'service-jwt'],
  ]);
  if (options.keyid !== undefined) params.set('keyid', options.keyid);
  if (options.includeAlg) params.set('alg', bound.algorithm);
  for (const value of params.values()) {
    if (typeof value === 'string' && !isSfString(value)) {
      throw configurationError('httpSignature parameters must be printable ASCII');
    }
  }
  const label = options.label ?? 'sig1';
  const message = { method: request.method, url: signedTarget(request.url), headers };
  let base: Buffer;
  try {
    base = signatureBase(components, params, message, { scheme });
  } catch (err) {
    throw configurationError('the request lacks a component it is asked to sign', err);
  }
  const signature = signWith(bound, base).toString('base64');
  return {
    'signature-input': `${label}=${serializeInnerList({ items: components, params })}`,
    signature: `${label}=:${signature}:`,
    ...(digest === undefined ? {} : { 'content-digest': digest }),
  };
}
