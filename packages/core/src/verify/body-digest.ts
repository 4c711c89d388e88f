import { bodyTimeout, bodyTooLarge, configurationError } from '../errors/refusals.js';
import { computeBodyHash, createBodyHasher } from './body-hash.js';
import type { BodyHasher } from './pending-verification.js';
import type { BodyBytes, BodyReader, HeadersLike, RequestLike } from './request.js';
import type { ResolvedRoute } from './resolve-route.js';

// Step 10's digest of the raw body, from whatever the adapter hands over: the bytes, a reader
// called only now, or a hasher that saw the bytes as they streamed.

type InHand = BodyBytes | string | BodyHasher | undefined;

/** The size of a reader's chunks, without joining them; anything but bytes is the adapter's bug. */
export function chunksLength(chunks: readonly Uint8Array[]): number {
  let total = 0;
  for (const chunk of chunks) {
    if (!(chunk instanceof Uint8Array)) {
      throw configurationError(
        'a BodyReader resolved with an array holding something other than bytes',
      );
    }
    total += chunk.byteLength;
  }
  return total;
}

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

/** A hasher that can say what it saw: the body hasher, or the HTTP signature mode's set. */
export type FinishingHasher = BodyHasher & { digest(): unknown };

/**
 * The body fed to a fresh `create()` hasher (or, from a streaming adapter, the hasher it
 * already fed), within the route's body limits: the same reading rules as the `bdy` digest.
 */
export function hashBodyInHand<H extends FinishingHasher>(
  route: ResolvedRoute,
  request: RequestLike,
  create: () => H,
): H {
  return feed(route, request.headers, request.body as InHand, create);
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
  return digest(route, request.headers, await readWithin(route, body));
}

/** {@link hashBodyInHand} for a body the adapter's reader has yet to read. */
export async function hashBodyAsync<H extends FinishingHasher>(
  route: ResolvedRoute,
  request: { readonly headers: HeadersLike; readonly body?: RequestLike['body'] | BodyHasher },
  create: () => H,
): Promise<H> {
  const body = request.body;
  if (typeof body !== 'function') return feed(route, request.headers, body, create);
  return feed(route, request.headers, await readWithin(route, body), create);
}

async function readWithin(route: ResolvedRoute, body: BodyReader): Promise<BodyBytes> {
  const { maxBodyBytes, timeout } = route.bodyHash;
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(bodyTimeout(timeout)), timeout);
    timer.unref();
  });
  try {
    return await Promise.race([body(maxBodyBytes), deadline]);
  } finally {
    clearTimeout(timer);
  }
}

function feed<H extends FinishingHasher>(
  route: ResolvedRoute,
  headers: HeadersLike,
  body: InHand,
  create: () => H,
): H {
  const { maxBodyBytes } = route.bodyHash;
  if (body === undefined) {
    if (declaresBody(headers)) {
      throw configurationError(
        'the raw request body is needed for the body digest but was not captured; pass it as request.body',
      );
    }
    return create();
  }
  if (typeof body === 'string' || body instanceof Uint8Array) {
    const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
    if (bytes.byteLength > maxBodyBytes) throw bodyTooLarge(maxBodyBytes);
    const hasher = create();
    hasher.update(bytes);
    return hasher;
  }
  if (Array.isArray(body)) {
    const chunks = body as readonly Uint8Array[];
    if (chunksLength(chunks) > maxBodyBytes) throw bodyTooLarge(maxBodyBytes);
    const hasher = create();
    for (const chunk of chunks) hasher.update(chunk);
    return hasher;
  }
  const hasher = body as H;
  if (typeof hasher.digest !== 'function') {
    throw configurationError('complete() needs a hasher from bodyCheck.createHasher()');
  }
  if (hasher.bytes > maxBodyBytes) throw bodyTooLarge(maxBodyBytes);
  return hasher;
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
  if (Array.isArray(body)) {
    const chunks = body as readonly Uint8Array[];
    // One chunk (a small body) is hashed as bytes; more go through a hasher, never joined.
    return chunks.length === 1 && chunks[0] instanceof Uint8Array
      ? digest(route, headers, chunks[0])
      : feed(route, headers, chunks, () => createBodyHasher(algorithm)).digest();
  }
  const hasher = body as BodyHasher & { digest?: () => string };
  if (typeof hasher.digest !== 'function') {
    throw configurationError('complete() needs a hasher from bodyCheck.createHasher()');
  }
  if (hasher.bytes > maxBodyBytes) throw bodyTooLarge(maxBodyBytes);
  return hasher.digest();
}
