import { ServiceJwtError } from '../errors/service-jwt-error.js';
import type { HttpSignatureAlgorithm } from '../http-signatures/algorithms.js';
import { createProofTokens } from '../http-signatures/proof-tokens.js';
import {
  bindSigningKey,
  type HttpSigningKeyInput,
  signHttpRequest,
} from '../http-signatures/sign-request.js';
import {
  bindVerificationKey,
  type HttpVerificationKeyInput,
  type ResponsePolicy,
} from '../http-signatures/verify-response.js';
import { currentTransaction } from '../transaction-tokens/transaction-context.js';
import { TXN_TOKEN_HEADER } from '../transaction-tokens/txn-token.js';
import { checkedResponse } from './checked-response.js';
import type { ServiceJwtSigner } from './signer.js';

/** The `httpSignature` option of {@link createServiceFetch}. */
export interface ServiceFetchHttpSignature {
  /**
   * `'proof'`: each cached token confirms an in-memory Ed25519 proof key (`cnf.jwk`) that
   * signs the requests (verifier: `httpSignature: { key: 'cnf' }`). Or the issuer's private
   * key, the one given to `createSigner` (verifier: `httpSignature: { key: 'issuer' }`).
   * @default 'proof'
   */
  readonly key?: 'proof' | HttpSigningKeyInput;
  /** For a plain RSA issuer key: `'rsa-pss-sha512'` or `'rsa-v1_5-sha256'`. */
  readonly algorithm?: HttpSignatureAlgorithm;
  /** The verifier profile's `tag`. @default 'service-jwt' */
  readonly tag?: string;
  /** Seconds each signature is valid (`expires − created`). @default 60 */
  readonly lifetime?: number;
  /**
   * Check that every answer is signed by the called service (its route's
   * `httpSignature.signResponse`) and tied to this request; otherwise the call rejects with
   * `http_signature_response_invalid`. The response body is buffered (up to `maxBodyBytes`)
   * to check its `Content-Digest`, and handed back as a new `Response`.
   */
  readonly verifyResponse?: ServiceFetchResponseCheck;
}

/** `httpSignature.verifyResponse` of {@link createServiceFetch}. */
export interface ServiceFetchResponseCheck {
  /** The called service's public key (`KeyObject`, PEM or JWK). */
  readonly key: HttpVerificationKeyInput;
  /** For a plain RSA key: `'rsa-pss-sha512'` or `'rsa-v1_5-sha256'`. @default the key's own */
  readonly algorithm?: HttpSignatureAlgorithm;
  /** Longest accepted `expires − created` of a response signature, seconds. @default 300 */
  readonly maxAge?: number;
  /** Seconds of leeway on `created` and `expires`. @default 5 */
  readonly clockTolerance?: number;
}

/** A `fetch`-compatible function. */
export type FetchLike = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

/** Options of {@link createServiceFetch}. */
export interface ServiceFetchOptions {
  readonly signer: Pick<ServiceJwtSigner, 'tokenFor' | 'signRequest' | 'sign'>;
  /** The called service's audience (`aud`). */
  readonly audience: string;
  /**
   * `true`: every request gets a one-time token bound to its method, target and exact body
   * bytes (`signRequest`). `false`: the cached static token (`tokenFor`). @default false
   */
  readonly bind?: boolean;
  /** `sub` of the tokens: the user or service the calls are made for. */
  readonly subject?: string;
  /** The underlying fetch. @default globalThis.fetch */
  readonly fetch?: FetchLike;
  /** Largest body buffered for hashing in `bind` mode, in bytes. @default 10485760 */
  readonly maxBodyBytes?: number;
  /**
   * Sign every request with an HTTP Message Signature (RFC 9421) instead: the cached token
   * (`tokenFor`, or a proof token) in `Authorization`, a `Content-Digest` (RFC 9530) of the
   * exact bytes sent, and a signature over `@method`, `@path`, `@query`, `authorization` and
   * `content-digest` with a fresh nonce. `true` for the defaults. Not with `bind`.
   */
  readonly httpSignature?: boolean | ServiceFetchHttpSignature;
  /** Injectable clock for signature times, epoch milliseconds. @default Date.now */
  readonly now?: () => number;
  /**
   * Forward the verified Txn-Token of the request being handled ({@link currentTransaction}),
   * byte for byte, in the `Txn-Token` header of every call made while handling it. A call
   * made outside a request that carried one sends none. A `Txn-Token` header the caller sets
   * itself is sent as set. Turn it off for a service outside the trust domain.
   * @default true
   */
  readonly forwardTransactionToken?: boolean;
}

function fail(message: string): never {
  throw new ServiceJwtError('configuration_error', message);
}

async function readBody(request: Request, maxBytes: number): Promise<Uint8Array | undefined> {
  if (request.body === null) return undefined;
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of request.body as unknown as AsyncIterable<Uint8Array>) {
    size += chunk.byteLength;
    if (size > maxBytes) fail(`request body exceeds maxBodyBytes (${maxBytes})`);
    chunks.push(chunk);
  }
  return new Uint8Array(Buffer.concat(chunks));
}

type SignHeaders = (
  headers: Headers,
  request: { method: string; url: string; body: Uint8Array | undefined },
) => Promise<void>;

function seconds(value: unknown, name: string, fallback: number, zero = false): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < (zero ? 0 : 1)) {
    fail(`${name} must be a ${zero ? 'non-negative' : 'positive'} whole number of seconds`);
  }
  return value;
}

/** The response check of `httpSignature.verifyResponse`, resolved once (or `undefined`). */
function responseCheck(options: ServiceFetchOptions): ResponsePolicy | undefined {
  const value = options.httpSignature;
  const check = typeof value === 'object' && value !== null ? value.verifyResponse : undefined;
  if (check === undefined) return undefined;
  const name = 'httpSignature.verifyResponse';
  if (typeof check !== 'object' || check === null || check.key === undefined) {
    fail(`${name} must be { key, algorithm?, maxAge?, clockTolerance? }`);
  }
  return {
    key: bindVerificationKey(check.key, check.algorithm, `${name}.key`),
    tag: (value as ServiceFetchHttpSignature).tag ?? 'service-jwt',
    maxAge: seconds(check.maxAge, `${name}.maxAge`, 300),
    clockTolerance: seconds(check.clockTolerance, `${name}.clockTolerance`, 5, true),
  };
}

/** The request signing of the `httpSignature` option, resolved once (or `undefined`). */
function httpSigning(options: ServiceFetchOptions): SignHeaders | undefined {
  const value = options.httpSignature;
  if (value === undefined || value === false) return undefined;
  if (value !== true && (typeof value !== 'object' || value === null)) {
    fail('httpSignature must be true, false or an options object');
  }
  if (options.bind) fail('bind and httpSignature are two bindings: choose one');
  const settings: ServiceFetchHttpSignature = value === true ? {} : value;
  const { signer, audience, subject } = options;
  const now = options.now ?? Date.now;
  const lifetime = settings.lifetime ?? 60;
  if (!Number.isSafeInteger(lifetime) || lifetime <= 0) {
    fail('httpSignature.lifetime must be a positive whole number of seconds');
  }
  const common = { tag: settings.tag ?? 'service-jwt', lifetime, now };
  const keyOption = settings.key ?? 'proof';
  const proofs =
    keyOption === 'proof' ? createProofTokens(signer, audience, () => now() / 1000) : undefined;
  const issuerKey =
    keyOption === 'proof' ? undefined : bindSigningKey(keyOption, settings.algorithm);
  return async (headers, request) => {
    let bound = issuerKey;
    let token: string;
    if (proofs !== undefined) {
      const proof = await proofs.get(subject);
      token = proof.token;
      bound = proof.key;
    } else {
      token = await signer.tokenFor(audience, { subject });
    }
    headers.set('authorization', `Bearer ${token}`);
    const added = signHttpRequest(
      {
        method: request.method,
        url: request.url,
        headers: { authorization: `Bearer ${token}` },
        body: request.body,
      },
      {
        key: (bound as NonNullable<typeof bound>).key,
        bound: bound as NonNullable<typeof bound>,
        ...common,
      },
    );
    for (const [name, field] of Object.entries(added)) headers.set(name, field as string);
  };
}

/**
 * A `fetch` that authenticates every call to one service with `Authorization: Bearer …`.
 *
 * With `bind: true` the body is first serialised and buffered exactly as `fetch` would send
 * it (string, `Uint8Array`, `ArrayBuffer`, `URLSearchParams`, `Blob`, `FormData` with its
 * multipart boundary, or a `ReadableStream`), the token's `bdy` is the SHA-256 of those bytes,
 * and those same bytes are sent, with the `Content-Type` that goes with them. `htu` is the
 * URL's path and query as `fetch` sends it; `htm` the method, upper-cased and sent so.
 *
 * With `httpSignature` the token is the cached one (or a proof token per `cnf`), and each
 * request carries an RFC 9421 signature and a `Content-Digest` of those same bytes instead.
 *
 * A caller-set `Authorization` header is refused rather than silently replaced.
 *
 * @throws ServiceJwtError `configuration_error`: invalid options (at creation); at call time
 * an `Authorization` header already set or a body over `maxBodyBytes`.
 * @example
 * ```ts
 * const callOrders = createServiceFetch({ signer, audience: 'https://orders.internal/', bind: true });
 * await callOrders('https://orders.internal/orders', { method: 'POST', body: JSON.stringify(order) });
 * ```
 */
export function createServiceFetch(options: ServiceFetchOptions): FetchLike {
  if (typeof options !== 'object' || options === null)
    fail('createServiceFetch options are required');
  const { signer, audience, subject } = options;
  if (typeof signer?.tokenFor !== 'function' || typeof signer.signRequest !== 'function') {
    fail('signer must be a signer from createSigner');
  }
  if (typeof audience !== 'string' || audience === '') fail('audience must be a non-empty string');
  if (subject !== undefined && (typeof subject !== 'string' || subject === '')) {
    fail('subject must be a non-empty string');
  }
  if (options.bind !== undefined && typeof options.bind !== 'boolean')
    fail('bind must be a boolean');
  const maxBodyBytes = options.maxBodyBytes ?? 10 * 1024 * 1024;
  if (!Number.isSafeInteger(maxBodyBytes) || maxBodyBytes < 0) {
    fail('maxBodyBytes must be a whole number >= 0');
  }
  if (options.fetch !== undefined && typeof options.fetch !== 'function')
    fail('fetch must be a function');
  const fetchImpl: FetchLike = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  const sign = httpSigning(options);
  if (
    options.forwardTransactionToken !== undefined &&
    typeof options.forwardTransactionToken !== 'boolean'
  ) {
    fail('forwardTransactionToken must be a boolean');
  }
  const forward = options.forwardTransactionToken ?? true;
  // Read when the call is made, in the caller's async context: the transaction of the request
  // whose handling makes the call, and no other.
  const withTransaction = (headers: Headers): void => {
    if (!forward || headers.has(TXN_TOKEN_HEADER)) return;
    const transaction = currentTransaction();
    if (transaction !== undefined) headers.set(TXN_TOKEN_HEADER, transaction.token);
  };
  const checkResponse = responseCheck(options);
  const now = options.now ?? Date.now;

  return async (input, init) => {
    if (!options.bind && sign === undefined) {
      // The body is not touched: headers are merged as fetch would merge them.
      const headers = new Headers(input instanceof Request ? input.headers : undefined);
      for (const [name, value] of new Headers(init?.headers)) headers.set(name, value);
      if (headers.has('authorization')) fail('the request already carries an Authorization header');
      withTransaction(headers);
      headers.set('authorization', `Bearer ${await signer.tokenFor(audience, { subject })}`);
      return fetchImpl(input, { ...init, headers });
    }
    const streaming = init?.body instanceof ReadableStream;
    const request = new Request(
      input,
      streaming ? ({ ...init, duplex: 'half' } as RequestInit) : init,
    );
    if (request.headers.has('authorization')) {
      fail('the request already carries an Authorization header');
    }
    const headers = new Headers(request.headers);
    withTransaction(headers);
    const method = request.method.toUpperCase();
    const body = await readBody(request, maxBodyBytes);
    if (sign === undefined) {
      const token = await signer.signRequest({ method, url: request.url, body, audience, subject });
      headers.set('authorization', `Bearer ${token}`);
    } else {
      await sign(headers, { method, url: request.url, body });
    }
    const response = await fetchImpl(request.url, {
      method,
      headers,
      body: body === undefined ? null : body,
      redirect: request.redirect,
      signal: request.signal,
      keepalive: request.keepalive,
    });
    if (checkResponse === undefined) return response;
    const sent = { method, url: request.url, headers: Object.fromEntries(headers) };
    return checkedResponse(response, sent, checkResponse, {
      maxBytes: maxBodyBytes,
      nowSeconds: now() / 1000,
    });
  };
}
