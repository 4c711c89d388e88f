import { ServiceJwtError } from '../errors/service-jwt-error.js';
import type { ServiceJwtSigner } from './signer.js';

/** A `fetch`-compatible function. */
export type FetchLike = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

/** Options of {@link createServiceFetch}. */
export interface ServiceFetchOptions {
  readonly signer: Pick<ServiceJwtSigner, 'tokenFor' | 'signRequest'>;
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

/**
 * A `fetch` that authenticates every call to one service with `Authorization: Bearer …`.
 *
 * With `bind: true` the body is first serialised and buffered exactly as `fetch` would send
 * it (string, `Uint8Array`, `ArrayBuffer`, `URLSearchParams`, `Blob`, `FormData` with its
 * multipart boundary, or a `ReadableStream`), the token's `bdy` is the SHA-256 of those bytes,
 * and those same bytes are sent, with the `Content-Type` that goes with them. `htu` is the
 * URL's path and query as `fetch` sends it; `htm` the method, upper-cased and sent so.
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

  return async (input, init) => {
    if (!options.bind) {
      // The body is not touched: headers are merged as fetch would merge them.
      const headers = new Headers(input instanceof Request ? input.headers : undefined);
      for (const [name, value] of new Headers(init?.headers)) headers.set(name, value);
      if (headers.has('authorization')) fail('the request already carries an Authorization header');
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
    const method = request.method.toUpperCase();
    const body = await readBody(request, maxBodyBytes);
    const token = await signer.signRequest({ method, url: request.url, body, audience, subject });
    headers.set('authorization', `Bearer ${token}`);
    return fetchImpl(request.url, {
      method,
      headers,
      body: body === undefined ? null : body,
      redirect: request.redirect,
      signal: request.signal,
      keepalive: request.keepalive,
    });
  };
}
