import { ServiceJwtError, toServiceJwtError } from '../errors/service-jwt-error.js';
import type { Authenticated, Shared } from './authenticate-token.js';
import { bodyHashEquals, computeBodyHash, createBodyHasher } from './body-hash.js';
import type { ResolvedRoute } from './resolve-route.js';
import type {
  BodyHasher,
  BodyReader,
  PendingVerification,
  RequestLike,
  VerifiedServiceJwt,
} from './types.js';
import { chain, finish, settle } from './verify-checks.js';

// Step 5's body part and the completion step: `authenticate` hands out a pending
// verification whose `complete(body)` checks `bdy` over the raw bytes, then records the jti.

type Body = Uint8Array | string | BodyReader | BodyHasher | undefined;

function hasDeclaredBody(request: RequestLike): boolean {
  const length = request.headers['content-length'];
  if (length !== undefined && length !== '0') return true;
  return request.headers['transfer-encoding'] !== undefined;
}

// Synchronous unless the body comes from a reader: a captured body is hashed on the spot.
function digestBody(
  route: ResolvedRoute,
  request: RequestLike,
  body: Body,
): string | Promise<string> {
  if (typeof body === 'function') {
    const maxBodyBytes = route.bodyHash.maxBodyBytes;
    return Promise.resolve(body(maxBodyBytes)).then((bytes) =>
      digestCaptured(route, request, bytes),
    );
  }
  return digestCaptured(route, request, body);
}

function digestCaptured(
  route: ResolvedRoute,
  request: RequestLike,
  body: Exclude<Body, BodyReader>,
): string {
  const { algorithm, maxBodyBytes } = route.bodyHash;
  const tooLarge = () =>
    new ServiceJwtError('body_too_large', `body exceeds ${maxBodyBytes} bytes`);
  if (body === undefined) {
    if (hasDeclaredBody(request)) {
      throw new ServiceJwtError(
        'configuration_error',
        'the raw request body is needed for the body hash but was not captured; pass it as request.body',
      );
    }
    return computeBodyHash(algorithm, '');
  }
  if (typeof body === 'string') {
    if (Buffer.byteLength(body) > maxBodyBytes) throw tooLarge();
    return computeBodyHash(algorithm, body);
  }
  if (body instanceof Uint8Array) {
    if (body.byteLength > maxBodyBytes) throw tooLarge();
    return computeBodyHash(algorithm, body);
  }
  const hasher = body as BodyHasher & { digest?: () => string };
  if (typeof hasher.digest !== 'function') {
    throw new ServiceJwtError(
      'configuration_error',
      'complete() needs a hasher from bodyCheck.createHasher()',
    );
  }
  if (hasher.bytes > maxBodyBytes) throw tooLarge();
  return hasher.digest();
}

export function pending(
  shared: Shared,
  route: ResolvedRoute,
  request: RequestLike,
  token: string,
  entry: Authenticated,
): PendingVerification {
  const policy = route.bodyHash;
  const expected = entry.claims[policy.claim];
  if (expected !== undefined && typeof expected !== 'string') {
    throw new ServiceJwtError('token_malformed', `token claim "${policy.claim}" must be a string`);
  }
  if (expected === undefined && policy.required) {
    throw new ServiceJwtError('body_hash_missing', 'token lacks the body hash this route requires');
  }
  let bodyCheck: PendingVerification['bodyCheck'] = null;
  if (expected !== undefined) {
    const encoding = request.headers['content-encoding'];
    if (
      !policy.allowContentEncoding &&
      encoding !== undefined &&
      String(encoding).trim().toLowerCase() !== 'identity' &&
      String(encoding).trim() !== ''
    ) {
      throw new ServiceJwtError(
        'content_encoding_unsupported',
        'compressed bodies are not accepted on a route that checks body hashes',
      );
    }
    bodyCheck = Object.freeze({
      maxBodyBytes: policy.maxBodyBytes,
      createHasher: () => createBodyHasher(policy.algorithm),
    });
  }
  let completed = false;
  return Object.freeze({
    bodyCheck,
    complete(body?: Body): Promise<VerifiedServiceJwt> {
      if (completed) {
        return Promise.reject(
          new ServiceJwtError('configuration_error', 'complete() was already called'),
        );
      }
      completed = true;
      if (expected === undefined) return settle(finish(shared, token, entry));
      try {
        return settle(
          chain(digestBody(route, request, body), (actual) => {
            if (!bodyHashEquals(expected, actual)) {
              throw new ServiceJwtError(
                'body_hash_mismatch',
                'request body does not match the token',
              );
            }
            return finish(shared, token, entry);
          }),
        );
      } catch (err) {
        return Promise.reject(toServiceJwtError(err));
      }
    },
  });
}
