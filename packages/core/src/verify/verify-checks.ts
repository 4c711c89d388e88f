import { ServiceJwtError, toServiceJwtError } from '../errors/service-jwt-error.js';
import { replayKey } from '../stores/replay-key.js';
import type { Authenticated, Shared } from './authenticate-token.js';
import { checkRegisteredClaims } from './claims.js';
import type { ResolvedRoute } from './resolve-route.js';
import type { ServiceJwtClaims, ServiceJwtHeader, VerifiedServiceJwt } from './types.js';

// Steps 4–6 once a token is authenticated: route claims, revocation, replay (last), and the
// frozen result. Each step returns synchronously unless a store answers with a promise.

export function chain<T, U>(
  value: T | Promise<T>,
  next: (value: T) => U | Promise<U>,
): U | Promise<U> {
  return value instanceof Promise ? value.then(next) : next(value);
}

export function settle<T>(value: T | Promise<T>): Promise<T> {
  return value instanceof Promise ? value.catch(rethrow) : Promise.resolve(value);
}

export function rethrow(err: unknown): never {
  throw toServiceJwtError(err);
}

function storeError(err: unknown, what: string): ServiceJwtError {
  if (err instanceof ServiceJwtError && err.code === 'store_unavailable') return err;
  return new ServiceJwtError('store_unavailable', `${what} is unavailable`, { cause: err });
}

/** Step 4 plus the claim requirements of replay protection. */
export function checkRoute(
  shared: Shared,
  route: ResolvedRoute,
  entry: Authenticated,
  now: number,
): void {
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

export function checkRevocation(shared: Shared, entry: Authenticated): void | Promise<void> {
  const list = shared.options.revocation;
  if (list === null) return;
  const claims = entry.claims;
  let reason: ReturnType<typeof list.check>;
  try {
    reason = list.check({
      issuer: entry.issuer,
      subject: claims.sub as string | undefined,
      jti: claims.jti as string | undefined,
      // The key that verified the signature, not the header: a lone key needs no `kid` in
      // the token, and a revoked key must not pass by leaving it out.
      kid: entry.key.kid ?? (entry.header.kid as string | undefined),
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

export function finish(shared: Shared, token: string, entry: Authenticated) {
  const recorded = recordReplay(shared, entry);
  return recorded === undefined ? result(token, entry) : recorded.then(() => result(token, entry));
}

/** Steps 4, revocation and replay for `verifyToken`. */
export function afterAuthentication(
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
