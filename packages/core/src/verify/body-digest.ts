import { bodyTimeout, bodyTooLarge, configurationError } from '../errors/refusals.js';
import { computeBodyHash } from './body-hash.js';
import type { BodyHasher } from './pending-verification.js';
import type { BodyReader, HeadersLike, RequestLike } from './request.js';
import type { ResolvedRoute } from './resolve-route.js';

// Step 10's digest of the raw body, from whatever the adapter hands over: the bytes, a reader
// called only now, or a hasher that saw the bytes as they streamed.

type InHand = Uint8Array | string | BodyHasher | undefined;

/** `true` when the request announces a body (a non-zero `Content-Length`, or chunked). */
export function declaresBody(headers: HeadersLike): boolean {
  const length = headers['content-length'];
  if (length !== undefined && length !== '0') return true;
  return headers['transfer-encoding'] !== undefined;
}

/** The digest when the body is in hand: bytes, or nothing (an empty body). */
export function digestBodyInHand(route: ResolvedRoute, request: RequestLike): string {
  return digest(route, request.headers, request.body as Exclude<RequestLike['body'], BodyReader>);
}

/**
 * The digest, reading the body first when the adapter gave a reader, within the route's
 * `bodyHash.timeout`: a body that stalls is refused (408 `body_timeout`), not waited for. The
 * reader is not cancelled; the adapter answers with `Connection: close`, which ends it.
 */
export async function digestBodyAsync(
  route: ResolvedRoute,
  request: { readonly headers: HeadersLike; readonly body?: RequestLike['body'] | BodyHasher },
): Promise<string> {
  const body = request.body;
  if (typeof body !== 'function') return digest(route, request.headers, body);
  const { maxBodyBytes, timeout } = route.bodyHash;
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(bodyTimeout(timeout)), timeout);
    timer.unref();
  });
  try {
    return digest(route, request.headers, await Promise.race([body(maxBodyBytes), deadline]));
  } finally {
    clearTimeout(timer);
  }
}

function digest(route: ResolvedRoute, headers: HeadersLike, body: InHand): string {
  const { algorithm, maxBodyBytes } = route.bodyHash;
  if (body === undefined) {
    if (declaresBody(headers)) {
      throw configurationError(
        'the raw request body is needed for the body hash but was not captured; pass it as request.body',
      );
    }
    return computeBodyHash(algorithm, '');
  }
  if (typeof body === 'string') {
    if (Buffer.byteLength(body) > maxBodyBytes) throw bodyTooLarge(maxBodyBytes);
    return computeBodyHash(algorithm, body);
  }
  if (body instanceof Uint8Array) {
    if (body.byteLength > maxBodyBytes) throw bodyTooLarge(maxBodyBytes);
    return computeBodyHash(algorithm, body);
  }
  const hasher = body as BodyHasher & { digest?: () => string };
  if (typeof hasher.digest !== 'function') {
    throw configurationError('complete() needs a hasher from bodyCheck.createHasher()');
  }
  if (hasher.bytes > maxBodyBytes) throw bodyTooLarge(maxBodyBytes);
  return hasher.digest();
}
