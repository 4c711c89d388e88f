import { createPublicKey, createSecretKey, KeyObject } from 'node:crypto';
import { configurationError, httpSignatureResponseInvalid } from '../errors/refusals.js';
import { ServiceJwtError } from '../errors/service-jwt-error.js';
import { bodyHashEquals } from '../verify/body-hash.js';
import type { HeadersLike } from '../verify/request.js';
import {
  algorithmOfKey,
  type BoundKey,
  confirmAlgorithm,
  type HttpSignatureAlgorithm,
  isHttpSignatureAlgorithm,
  keyFits,
  verifyWith,
} from './algorithms.js';
import { createContentDigestHasher, parseContentDigest } from './content-digest.js';
import { selectSignature } from './profile.js';
import type { AnsweredRequest } from './sign-response.js';
import { checkComponent, signatureBase } from './signature-base.js';
import { type Parameters, type SfItem, serializeItem } from './structured-fields.js';

// The caller's check of a response signature (see sign-response.ts for what it covers and
// why). Every refusal is one code, `http_signature_response_invalid`, with the precise
// reason in the message and the underlying refusal as `cause`.

/** The public key a response signature is checked with. */
export type HttpVerificationKeyInput = KeyObject | string | Readonly<Record<string, unknown>>;

/** A response as received: status, headers by lower-case name, the exact body bytes. */
export interface ReceivedResponse {
  readonly status: number;
  readonly headers: HeadersLike;
  readonly body: Uint8Array;
}

/** The response policy, resolved once. */
export interface ResponsePolicy {
  readonly key: BoundKey;
  readonly tag: string;
  /** Longest accepted `expires − created`, seconds. */
  readonly maxAge: number;
  /** Seconds of leeway on `created` and `expires`. */
  readonly clockTolerance: number;
}

/**
 * Imports the called service's public key (a `KeyObject`, PEM, or JWK; a secret `KeyObject`
 * or `oct` JWK for `hmac-sha256`) once and binds it to its algorithm.
 *
 * @throws ServiceJwtError `configuration_error` naming `name`
 */
export function bindVerificationKey(
  input: HttpVerificationKeyInput,
  algorithm: HttpSignatureAlgorithm | undefined,
  name: string,
): BoundKey {
  let key: KeyObject;
  try {
    if (input instanceof KeyObject) {
      key = input.type === 'private' ? createPublicKey(input) : input;
    } else if (typeof input === 'string') {
      key = createPublicKey(input);
    } else if (input.kty === 'oct') {
      key = createSecretKey(Buffer.from(String(input.k), 'base64url'));
    } else {
      key = createPublicKey({ key: input as never, format: 'jwk' });
    }
  } catch (err) {
    throw configurationError(`${name} is not a public key (KeyObject, PEM or JWK)`, err);
  }
  if (algorithm !== undefined && !isHttpSignatureAlgorithm(algorithm)) {
    throw configurationError(`${name}: the algorithm is not an RFC 9421 algorithm`);
  }
  const bound = algorithm ?? algorithmOfKey(key);
  if (bound === undefined) {
    throw configurationError(
      `${name} needs an algorithm for this key (an RSA key: 'rsa-pss-sha512' or 'rsa-v1_5-sha256')`,
    );
  }
  if (!keyFits(key, bound)) throw configurationError(`${name} cannot verify ${bound}`);
  return { key, algorithm: bound };
}

const REQUIRED = ['"@status"', '"@method";req', '"signature";req'];

function integer(params: Parameters, name: string): number {
  const value = params.get(name);
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw httpSignatureResponseInvalid(`response signature lacks an integer "${name}"`);
  }
  return value;
}

function checkTimes(params: Parameters, policy: ResponsePolicy, now: number): void {
  const created = integer(params, 'created');
  const expires = integer(params, 'expires');
  if (expires <= created || expires - created > policy.maxAge) {
    throw httpSignatureResponseInvalid('response signature lifetime is out of bounds');
  }
  if (created > now + policy.clockTolerance || expires < now - policy.clockTolerance) {
    throw httpSignatureResponseInvalid('response signature is not valid now');
  }
}

function checkCoverage(components: readonly SfItem[], body: boolean): void {
  const ids = new Set<string>();
  for (const component of components) {
    checkComponent(component, true);
    const id = serializeItem(component);
    if (ids.has(id)) throw httpSignatureResponseInvalid(`covered component ${id} is listed twice`);
    ids.add(id);
  }
  const lacks = (what: string) =>
    httpSignatureResponseInvalid(`response signature does not cover ${what}`);
  for (const id of REQUIRED) if (!ids.has(id)) throw lacks(id);
  if (!ids.has('"@target-uri";req') && !(ids.has('"@path";req') && ids.has('"@query";req'))) {
    throw lacks('the request target');
  }
  if (body && !ids.has('"content-digest"')) throw lacks('content-digest');
}

function checkDigest(response: ReceivedResponse): void {
  const field = response.headers['content-digest'];
  if (field === undefined) throw httpSignatureResponseInvalid('response has no Content-Digest');
  const expected = parseContentDigest(field);
  const hasher = createContentDigestHasher(expected.algorithm);
  hasher.update(response.body);
  if (!bodyHashEquals(expected.expected, hasher.digest())) {
    throw httpSignatureResponseInvalid('response body does not match Content-Digest');
  }
}

/** Options of {@link verifyHttpResponse}. */
export interface VerifyHttpResponseOptions {
  /** The called service's public key (`KeyObject`, PEM or JWK). */
  readonly key: HttpVerificationKeyInput;
  /** For a plain RSA key: `'rsa-pss-sha512'` or `'rsa-v1_5-sha256'`. @default the key's own */
  readonly algorithm?: HttpSignatureAlgorithm;
  /** The `tag` of the response signature. @default 'service-jwt' */
  readonly tag?: string;
  /** Longest accepted `expires − created`, seconds. @default 300 */
  readonly maxAge?: number;
  /** Seconds of leeway on `created` and `expires`. @default 5 */
  readonly clockTolerance?: number;
  /** Epoch milliseconds. @default Date.now */
  readonly now?: () => number;
}

/**
 * Checks a response's HTTP message signature (made by `signHttpResponse`, or by a route's
 * `httpSignature.signResponse`) against the request it answers, for a caller that does not
 * use `createServiceFetch`: the signature with the `tag`, its time window, that it covers
 * `@status`, the request's method, target and `Signature` field (`req`) and, with a body,
 * `content-digest`; the signature with the service's key; the body against the digest.
 *
 * @throws ServiceJwtError `http_signature_response_invalid` (the `cause` is the precise
 *   refusal); `configuration_error` for options that cannot work.
 * @example
 * ```ts
 * verifyHttpResponse({ status, headers, body }, { method, url, headers: sent }, { key: ordersKey });
 * ```
 */
export function verifyHttpResponse(
  response: ReceivedResponse,
  request: AnsweredRequest,
  options: VerifyHttpResponseOptions,
): void {
  checkHttpResponse(
    response,
    request,
    {
      key: bindVerificationKey(options.key, options.algorithm, 'key'),
      tag: options.tag ?? 'service-jwt',
      maxAge: options.maxAge ?? 300,
      clockTolerance: options.clockTolerance ?? 5,
    },
    Math.floor((options.now ?? Date.now)() / 1000),
  );
}

/** {@link verifyHttpResponse} with its options resolved once. */
export function checkHttpResponse(
  response: ReceivedResponse,
  request: AnsweredRequest,
  policy: ResponsePolicy,
  nowSeconds: number,
): void {
  try {
    const selected = selectSignature(response.headers, policy);
    checkTimes(selected.params, policy, nowSeconds);
    checkCoverage(selected.components, response.body.byteLength > 0);
    confirmAlgorithm(selected.params.get('alg'), policy.key.algorithm);
    const message = { status: response.status, headers: response.headers, request };
    const scheme = request.url.startsWith('http:') ? 'http' : 'https';
    const base = signatureBase(selected.components, selected.params, message, { scheme });
    if (!verifyWith(policy.key, base, selected.signature)) {
      throw httpSignatureResponseInvalid('response signature does not verify');
    }
    if (selected.components.some((c) => c.value === 'content-digest')) checkDigest(response);
  } catch (err) {
    if (!(err instanceof ServiceJwtError) || err.code === 'http_signature_response_invalid') {
      throw err;
    }
    throw httpSignatureResponseInvalid(`response signature refused: ${err.message}`, err);
  }
}
