import { bodyHashEquals, computeBodyHash, createBodyHasher } from './body-hash.js';
import { checkClaimTypes, checkRegisteredClaims } from './claims.js';
import { ServiceJwtError, toServiceJwtError } from './errors.js';
import { extractToken } from './extract-token.js';
import { algorithmMatches, createIssuerKeyResolver } from './keys/index.js';
import type { IssuerKeyResolver, VerificationKey } from './keys/key-resolver.js';
import type { RouteOptions, VerifierOptions } from './options.js';
import { replayKey } from './replay-key.js';
import { checkRequestBinding } from './request-binding.js';
import {
  type ResolvedOptions,
  type ResolvedRoute,
  resolveRoute,
  resolveVerifierOptions,
} from './resolve-options.js';
import { verifySignature } from './signature.js';
import {
  checkProtectedHeader,
  decodeJsonObject,
  type JsonObject,
  type ParsedCompact,
  parseCompact,
} from './token-syntax.js';
import type {
  BodyHasher,
  BodyReader,
  PendingVerification,
  RequestLike,
  ServiceJwtClaims,
  ServiceJwtHeader,
  VerifiedServiceJwt,
} from './types.js';
import { createVerificationCache, type VerificationCache } from './verification-cache.js';
import type { ServiceJwtVerifier } from './verifier-api.js';

// The outcome of steps 2–3 for one token string: what the verification cache holds.
interface Authenticated {
  readonly header: JsonObject;
  readonly claims: JsonObject;
  readonly issuer: string;
  readonly key: VerificationKey;
  readonly resolver: IssuerKeyResolver;
}

interface Shared {
  readonly options: ResolvedOptions;
  readonly resolvers: ReadonlyMap<string, IssuerKeyResolver>;
  readonly cache: VerificationCache<Authenticated> | null;
  /** Fingerprints of recently verified tokens: the cache's admission filter. */
  readonly seen: Int32Array;
}

// Admission filter: a token enters the verification cache on its second successful
// verification within a short window. Static identity tokens repeat and get cached at once;
// one-time request tokens never repeat and would only evict them (and cost an insert each).
// The fingerprint covers the signature's tail, which no one can choose without the key, and a
// false match only admits a token that has just passed full verification.
const SEEN_SLOTS = 1024;

function admit(seen: Int32Array, token: string): boolean {
  const end = token.length;
  let hash = 0x811c9dc5 | 0;
  for (let i = end > 16 ? end - 16 : 0; i < end; i++) {
    hash = Math.imul(hash ^ token.charCodeAt(i), 0x01000193);
  }
  const slot = (hash >>> 22) & (SEEN_SLOTS - 1);
  if (seen[slot] === hash) return true;
  seen[slot] = hash;
  return false;
}

type Body = Uint8Array | string | BodyReader | BodyHasher | undefined;

function chain<T, U>(value: T | Promise<T>, next: (value: T) => U | Promise<U>): U | Promise<U> {
  return value instanceof Promise ? value.then(next) : next(value);
}

function settle<T>(value: T | Promise<T>): Promise<T> {
  return value instanceof Promise ? value.catch(rethrow) : Promise.resolve(value);
}

function rethrow(err: unknown): never {
  throw toServiceJwtError(err);
}

function storeError(err: unknown, what: string): ServiceJwtError {
  if (err instanceof ServiceJwtError && err.code === 'store_unavailable') return err;
  return new ServiceJwtError('store_unavailable', `${what} is unavailable`, { cause: err });
}

/** Steps 2–3: strict decoding, issuer choice before any key fetch, signature. */
function authenticateToken(
  shared: Shared,
  token: string,
  now: number,
): Authenticated | Promise<Authenticated> {
  const cache = shared.cache;
  if (cache !== null) {
    const hit = cache.get(token, now);
    if (hit !== undefined) {
      if (hit.resolver.isActive(hit.key)) return hit;
      cache.delete(token);
    }
  }
  const parsed = parseCompact(token);
  const header = parsed.header;
  const alg = checkProtectedHeader(header);
  if (!shared.options.algorithms.has(alg)) {
    throw new ServiceJwtError('algorithm_not_allowed', 'token algorithm is not allowed');
  }
  const claims = decodeJsonObject(parsed.payload, 'payload');
  const issuer = checkClaimTypes(claims);
  const resolver = shared.resolvers.get(issuer);
  if (resolver === undefined) {
    throw new ServiceJwtError('issuer_not_trusted', 'token issuer is not trusted');
  }
  const key = resolver.resolve({ alg, kid: header.kid as string | undefined });
  if (key instanceof Promise) {
    return key.then((found) =>
      checkSignature(shared, token, parsed, { header, claims, issuer, key: found, resolver }, now),
    );
  }
  return checkSignature(shared, token, parsed, { header, claims, issuer, key, resolver }, now);
}

// Step 3, once the key is known; caches the outcome.
function checkSignature(
  shared: Shared,
  token: string,
  parsed: ParsedCompact,
  entry: Authenticated,
  now: number,
): Authenticated {
  const key = entry.key;
  if (!algorithmMatches(key.algorithm, entry.header.alg as string)) {
    throw new ServiceJwtError('algorithm_not_allowed', 'token algorithm does not match the key');
  }
  const data = Buffer.from(token.slice(0, parsed.signingInputLength), 'latin1');
  if (!verifySignature(key.algorithm, key.key, data, parsed.signature)) {
    throw new ServiceJwtError('signature_invalid', 'token signature is invalid');
  }
  if (shared.cache !== null && admit(shared.seen, token)) {
    shared.cache.set(token, entry, entry.claims.exp as number | undefined, now);
  }
  return entry;
}

/** Step 4 plus the claim requirements of replay protection. */
function checkRoute(shared: Shared, route: ResolvedRoute, entry: Authenticated, now: number): void {
  checkRegisteredClaims(entry.header, entry.claims, route.registered, now);
  route.checkClaims(entry.claims);
  const replay = shared.options.replay;
  if (replay?.required === true) {
    if (entry.claims.jti === undefined) throw missingClaim('jti');
    if (entry.claims.exp === undefined) throw missingClaim('exp');
  }
}

function missingClaim(name: string): ServiceJwtError {
  return new ServiceJwtError('claim_missing', `token lacks the "${name}" claim`);
}

function checkRevocation(shared: Shared, entry: Authenticated): void | Promise<void> {
  const list = shared.options.revocation;
  if (list === null) return;
  const claims = entry.claims;
  let reason: ReturnType<typeof list.check>;
  try {
    reason = list.check({
      issuer: entry.issuer,
      subject: claims.sub as string | undefined,
      jti: claims.jti as string | undefined,
      kid: entry.header.kid as string | undefined,
      issuedAt: claims.iat as number | undefined,
    });
  } catch (err) {
    throw storeError(err, 'revocation list');
  }
  const decide = (found: unknown) => {
    if (found !== undefined) throw new ServiceJwtError('token_revoked', 'token has been revoked');
  };
  if (reason instanceof Promise) {
    return reason.then(decide, (err) => {
      throw storeError(err, 'revocation list');
    });
  }
  decide(reason);
}

/** Step 6, last: one-time `jti` keyed on `(iss, jti)`, never on the token string. */
function recordReplay(shared: Shared, entry: Authenticated): void | Promise<void> {
  const replay = shared.options.replay;
  const jti = entry.claims.jti as string | undefined;
  const exp = entry.claims.exp as number | undefined;
  if (replay === null || jti === undefined || exp === undefined) return;
  let claimed: Promise<boolean>;
  try {
    claimed = replay.store.claim(replayKey(entry.issuer, jti), exp + shared.options.clockTolerance);
  } catch (err) {
    throw storeError(err, 'replay store');
  }
  return Promise.resolve(claimed).then(
    (fresh) => {
      if (fresh !== true)
        throw new ServiceJwtError('token_replayed', 'token has already been used');
    },
    (err) => {
      throw storeError(err, 'replay store');
    },
  );
}

function result(token: string, entry: Authenticated): VerifiedServiceJwt {
  return Object.freeze({
    token,
    header: entry.header as ServiceJwtHeader,
    claims: entry.claims as ServiceJwtClaims,
    issuer: entry.issuer,
    subject: entry.claims.sub as string | undefined,
  });
}

function finish(shared: Shared, token: string, entry: Authenticated) {
  const recorded = recordReplay(shared, entry);
  return recorded === undefined ? result(token, entry) : recorded.then(() => result(token, entry));
}

/** Steps 4, revocation and replay for `verifyToken`. */
function afterAuthentication(
  shared: Shared,
  route: ResolvedRoute,
  token: string,
  entry: Authenticated,
  now: number,
): VerifiedServiceJwt | Promise<VerifiedServiceJwt> {
  checkRoute(shared, route, entry, now);
  const revoked = checkRevocation(shared, entry);
  return revoked === undefined
    ? finish(shared, token, entry)
    : revoked.then(() => finish(shared, token, entry));
}

function hasDeclaredBody(request: RequestLike): boolean {
  const length = request.headers['content-length'];
  if (length !== undefined && length !== '0') return true;
  return request.headers['transfer-encoding'] !== undefined;
}

async function digestBody(route: ResolvedRoute, request: RequestLike, body: Body): Promise<string> {
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
  if (typeof body === 'function') body = await body(maxBodyBytes);
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

function pending(
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
      return digestBody(route, request, body)
        .then((actual) => {
          if (!bodyHashEquals(expected, actual)) {
            throw new ServiceJwtError(
              'body_hash_mismatch',
              'request body does not match the token',
            );
          }
          return finish(shared, token, entry);
        })
        .catch(rethrow);
    },
  });
}

function makeVerifier(shared: Shared, route: ResolvedRoute): ServiceJwtVerifier {
  const { options } = shared;
  const overrideRoutes = new WeakMap<RouteOptions, ResolvedRoute>();
  const routeFor = (overrides: RouteOptions | undefined): ResolvedRoute => {
    if (overrides === undefined) return route;
    let resolved = overrideRoutes.get(overrides);
    if (resolved === undefined) {
      resolved = resolveRoute(options, route.input, overrides, 'verifyToken overrides: ');
      overrideRoutes.set(overrides, resolved);
    }
    return resolved;
  };

  const authenticate = (request: RequestLike): Promise<PendingVerification> => {
    try {
      const token = extractToken(request.headers, options.token, options.maxTokenLength);
      const now = options.now() / 1000;
      return settle(
        chain(authenticateToken(shared, token, now), (entry) => {
          checkRoute(shared, route, entry, now);
          return chain(checkRevocation(shared, entry), () => {
            checkRequestBinding(entry.claims as ServiceJwtClaims, request, route.requestBinding);
            return pending(shared, route, request, token, entry);
          });
        }),
      );
    } catch (err) {
      return Promise.reject(toServiceJwtError(err));
    }
  };

  return Object.freeze({
    authenticate,
    verify(request: RequestLike): Promise<VerifiedServiceJwt> {
      return authenticate(request).then((verification) => verification.complete(request.body));
    },
    verifyToken(token: string, overrides?: RouteOptions): Promise<VerifiedServiceJwt> {
      try {
        const effective = routeFor(overrides);
        if (typeof token !== 'string' || token === '') {
          throw new ServiceJwtError('token_missing', 'no token given');
        }
        if (token.length > options.maxTokenLength) {
          throw new ServiceJwtError(
            'token_too_large',
            `token exceeds ${options.maxTokenLength} bytes`,
          );
        }
        const now = options.now() / 1000;
        const entry = authenticateToken(shared, token, now);
        if (entry instanceof Promise) {
          return entry
            .then((found) => afterAuthentication(shared, effective, token, found, now))
            .catch(rethrow);
        }
        return settle(afterAuthentication(shared, effective, token, entry, now));
      } catch (err) {
        return Promise.reject(toServiceJwtError(err));
      }
    },
    forRoute(overrides: RouteOptions): ServiceJwtVerifier {
      return makeVerifier(shared, resolveRoute(options, route.input, overrides, 'forRoute: '));
    },
    close(): Promise<void> {
      for (const resolver of shared.resolvers.values()) resolver.close();
      return Promise.resolve();
    },
  });
}

/**
 * Creates a verifier for service JWTs. Options are validated and frozen here; per-route
 * verifiers from `forRoute` share the key resolvers (one per issuer), the verification cache
 * and the stores.
 *
 * Pipeline (cheap before expensive): token extraction and size limit → strict compact syntax
 * and JSON → issuer chosen from `iss` before any key fetch → signature with the issuer's key
 * bound to one algorithm → `exp`/`nbf`/`iat`/age/lifetime/`aud`/`typ` → `source`, required
 * claims, claim rules, callers → revocation → `htm`/`htu` → `bdy` over the raw body → replay
 * (`(iss, jti)`, last).
 *
 * @throws ServiceJwtError `configuration_error` naming the bad option
 * @example
 * ```ts
 * const verifier = createVerifier({
 *   issuers: { 'https://orders.internal': { jwksUri: 'https://orders.internal/.well-known/jwks.json' } },
 *   audience: 'https://billing.internal',
 * });
 * const { claims, subject } = await verifier.verify({ method, url, headers, body });
 * ```
 */
export function createVerifier(options: VerifierOptions): ServiceJwtVerifier {
  const resolved = resolveVerifierOptions(options);
  const resolvers = new Map<string, IssuerKeyResolver>();
  try {
    for (const [issuer, { config, algorithms }] of resolved.issuers) {
      resolvers.set(
        issuer,
        createIssuerKeyResolver(issuer, config, {
          algorithms,
          optionPath: `issuers[${JSON.stringify(issuer)}]`,
          now: resolved.now,
        }),
      );
    }
  } catch (err) {
    for (const resolver of resolvers.values()) resolver.close();
    throw err;
  }
  const cache =
    resolved.cacheEntries === 0
      ? null
      : createVerificationCache<Authenticated>({
          maxEntries: resolved.cacheEntries,
          maxAgeSeconds: 3600,
        });
  const seen = new Int32Array(SEEN_SLOTS);
  return makeVerifier({ options: resolved, resolvers, cache, seen }, resolved.route);
}
