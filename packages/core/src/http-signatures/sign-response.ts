import { configurationError } from '../errors/refusals.js';
import type { HeadersLike } from '../verify/request.js';
import type { BoundKey, HttpSignatureAlgorithm } from './algorithms.js';
import { signWith } from './algorithms.js';
import { computeContentDigest } from './content-digest.js';
import { bindSigningKey, type HttpSigningKeyInput } from './sign-request.js';
import { signatureBase } from './signature-base.js';
import { isSfString, type SfItem, serializeInnerList } from './structured-fields.js';

// A response signature tied to its request (RFC 9421 §2.4, the optional response signature of
// draft-ietf-wimse-http-signature): besides the response's own status and Content-Digest it
// covers, with the `req` parameter, the request's method, path, query and its whole
// `Signature` field. That field holds the request signature, which covers the request's
// nonce: a response cannot be replayed as the answer to another request.

/** A response to sign: what goes on the wire. */
export interface HttpResponseToSign {
  readonly status: number;
  /** Header values by lower-case name. */
  readonly headers?: HeadersLike;
  /** The exact body bytes sent (strings as UTF-8); absent or empty for no body. */
  readonly body?: Uint8Array | string;
}

/** The request a response answers, as the server received it (or the client sent it). */
export interface AnsweredRequest {
  readonly method: string;
  /** `/path?query` or an absolute URL. */
  readonly url: string;
  /** Header values by lower-case name; must hold the request's `signature`. */
  readonly headers: HeadersLike;
}

/** Options of {@link signHttpResponse}. */
export interface SignHttpResponseOptions {
  /** The service's private key (`KeyObject`, PEM or JWK), as for `signHttpRequest`. */
  readonly key: HttpSigningKeyInput;
  /** @default the key's own */
  readonly algorithm?: HttpSignatureAlgorithm;
  /** The `tag` parameter. @default 'service-jwt' */
  readonly tag?: string;
  /** Seconds from `created` to `expires`. @default 60 */
  readonly lifetime?: number;
  /** `keyid` parameter; absent by default. */
  readonly keyid?: string;
  /** Dictionary label. @default 'sig1' */
  readonly label?: string;
  /** Epoch milliseconds. @default Date.now */
  readonly now?: () => number;
}

/** The headers {@link signHttpResponse} adds. */
export interface HttpResponseSignatureHeaders {
  readonly 'signature-input': string;
  readonly signature: string;
  /** Present when the response has a body: `sha-256=:…:` over its exact bytes. */
  readonly 'content-digest'?: string;
}

/** The components a response signature covers, in order; `content-digest` when there is a body. */
export const RESPONSE_COMPONENTS = [
  '@status',
  'content-digest',
  '@method;req',
  '@path;req',
  '@query;req',
  'signature;req',
] as const;

function item(name: string): SfItem {
  const [value, param] = name.split(';') as [string, string | undefined];
  return { value, params: new Map(param === undefined ? [] : [[param, true]]) };
}

function hasBody(body: Uint8Array | string | undefined): body is Uint8Array | string {
  return body !== undefined && (typeof body === 'string' ? body.length : body.byteLength) > 0;
}

/**
 * Signs a response to an HTTP-signed request (RFC 9421 §2.4): `Content-Digest` (RFC 9530,
 * sha-256) over the exact body bytes, then a signature over `@status`, `content-digest`, and
 * the request's `@method`, `@path`, `@query` and `Signature` field (each with `req`), with
 * `created`, `expires` and the profile's `tag`. Returns the headers to add to the response.
 *
 * @throws ServiceJwtError `configuration_error` for a key that cannot sign, or a request that
 *   carries no `Signature` to answer.
 * @example
 * ```ts
 * const added = signHttpResponse({ status: 200, headers, body }, request, { key: serviceKey });
 * ```
 */
export function signHttpResponse(
  response: HttpResponseToSign,
  request: AnsweredRequest,
  options: SignHttpResponseOptions | (SignHttpResponseOptions & { readonly bound: BoundKey }),
): HttpResponseSignatureHeaders {
  const bound = 'bound' in options ? options.bound : bindSigningKey(options.key, options.algorithm);
  if (request.headers.signature === undefined) {
    throw configurationError('a response signature answers a signed request: it has none');
  }
  const body = hasBody(response.body) ? response.body : undefined;
  const digest = body === undefined ? undefined : computeContentDigest(body, 'sha-256');
  const headers: Record<string, string | readonly string[] | undefined> = { ...response.headers };
  if (digest !== undefined) headers['content-digest'] = digest;
  const components = RESPONSE_COMPONENTS.filter(
    (name) => name !== 'content-digest' || digest !== undefined,
  ).map(item);
  const created = Math.floor((options.now ?? Date.now)() / 1000);
  const params = new Map<string, string | number>([
    ['created', created],
    ['expires', created + (options.lifetime ?? 60)],
    ['tag', options.tag ?? 'service-jwt'],
  ]);
  if (options.keyid !== undefined) params.set('keyid', options.keyid);
  for (const value of params.values()) {
    if (typeof value === 'string' && !isSfString(value)) {
      throw configurationError('httpSignature parameters must be printable ASCII');
    }
  }
  const message = { status: response.status, headers, request };
  let base: Buffer;
  try {
    base = signatureBase(components, params, message, { scheme: 'https' });
  } catch (err) {
    throw configurationError('the response or its request lacks a component to sign', err);
  }
  const label = options.label ?? 'sig1';
  return {
    'signature-input': `${label}=${serializeInnerList({ items: components, params })}`,
    signature: `${label}=:${signWith(bound, base).toString('base64')}:`,
    ...(digest === undefined ? {} : { 'content-digest': digest }),
  };
}
