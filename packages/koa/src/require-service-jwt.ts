import {
  type ErrorResponse,
  errorResponse,
  type ServiceJwtError,
  type ServiceJwtVerifier,
  toServiceJwtError,
  type VerifiedServiceJwt,
} from '@service-jwt/core';
import type { Context, Middleware, Next } from 'koa';
import {
  type KoaRouteOptions,
  type KoaServiceJwtOptions,
  type ResolvedAdapterOptions,
  resolveAdapterOptions,
  resolveKoaOptions,
  routeVerifier,
  withoutAdapterKeys,
} from './options.js';
import { koaBodyReader } from './raw-body.js';
import { toRequestLike } from './request.js';

/** A Koa middleware that guards its routes with a service JWT. */
export interface ServiceJwtMiddleware extends Middleware {
  /** The verifier behind this middleware (close it on shutdown: `verifier.close()`). */
  readonly verifier: ServiceJwtVerifier;
}

/** A factory of per-route guards sharing one verifier (one key cache, one set of stores). */
export interface ServiceJwtMiddlewareFactory {
  /** A guard for one route; `routeOptions` override the shared options for that route only. */
  (routeOptions?: KoaRouteOptions): ServiceJwtMiddleware;
  /** The shared verifier. */
  readonly verifier: ServiceJwtVerifier;
}

/**
 * Core's response for `err`, plus `Connection: close` after a 413: core leaves the rest of an
 * oversized body unread, so the connection must not be kept for it.
 */
function adapterResponse(err: ServiceJwtError, realm: string | undefined): ErrorResponse {
  const response = errorResponse(err, realm === undefined ? {} : { realm });
  if (err.code === 'body_too_large') response.headers.connection = 'close';
  return response;
}

/** Writes the error the way every adapter does: status, headers and the JSON body. */
function respond(ctx: Context, err: ServiceJwtError, realm: string | undefined): void {
  const response = adapterResponse(err, realm);
  ctx.status = response.status;
  ctx.set(response.headers);
  ctx.body = response.body;
}

/**
 * Koa's error handling sets the headers of `err.headers`. The class getter knows only the
 * default realm and core's headers, so the adapter's headers are pinned on this instance.
 */
function forThrow(err: ServiceJwtError, realm: string | undefined): ServiceJwtError {
  if (realm !== undefined || err.code === 'body_too_large') {
    Object.defineProperty(err, 'headers', {
      value: adapterResponse(err, realm).headers,
      configurable: true,
      enumerable: false,
      writable: true,
    });
  }
  return err;
}

function guard(
  verifier: ServiceJwtVerifier,
  adapter: ResolvedAdapterOptions,
): ServiceJwtMiddleware {
  const middleware = async (ctx: Context, next: Next): Promise<void> => {
    let result: VerifiedServiceJwt;
    try {
      const body = koaBodyReader(ctx);
      const pending = await verifier.authenticate(toRequestLike(ctx, body));
      result = await (pending.bodyCheck === null ? pending.complete() : pending.complete(body));
    } catch (thrown) {
      const err = toServiceJwtError(thrown);
      if (adapter.onError === 'throw') throw forThrow(err, adapter.realm);
      respond(ctx, err, adapter.realm);
      return;
    }
    ctx.state.serviceJwt = result;
    await next();
  };
  return Object.assign(middleware, { verifier }) as ServiceJwtMiddleware;
}

/**
 * Koa middleware that refuses any request without a valid service JWT and puts the verified
 * result at `ctx.state.serviceJwt` (`{ token, header, claims, issuer, subject }`).
 *
 * Takes `createVerifier`'s options plus `onError` and `realm`, or `{ verifier, ...routeOptions }`
 * to reuse a verifier. Works app-wide (`app.use`) or per route (`router.post(path, guard, …)`),
 * before or after `koa-bodyparser` / `@koa/bodyparser`, or with no parser. The body is read
 * only after the token is authenticated and only when a body hash (`bdy`) is present or
 * required.
 *
 * Refuses with the design's error table: 401 (`token_missing`, `signature_invalid`, …),
 * 403 (`source_mismatch`, `claim_check_failed`, `caller_not_allowed`), 400
 * (`token_duplicated`), 413 (`body_too_large`), 415 (`content_encoding_unsupported`), 503
 * (`keys_unavailable`, `store_unavailable`) and 500 (`configuration_error`, e.g. the body was
 * consumed without a raw copy). Throws `configuration_error` at construction for bad options.
 *
 * @example
 * ```ts
 * app.use(requireServiceJwt({
 *   issuers: { 'https://herald.internal/': { jwksUri: 'https://herald.internal/jwks.json' } },
 *   audience: 'https://census.internal/',
 * }));
 * app.use((ctx) => { ctx.body = { caller: ctx.state.serviceJwt?.issuer } });
 * ```
 */
export function requireServiceJwt(options: KoaServiceJwtOptions): ServiceJwtMiddleware {
  const { verifier, adapter } = resolveKoaOptions(options);
  return guard(verifier, adapter);
}

/**
 * Creates one verifier and returns a factory of per-route guards that share it (one key
 * cache, one replay store): `auth({ audience, callers, claims, bodyHash, requestBinding })`.
 * Route options may also override `onError` and `realm`. Options are validated when the
 * factory and each guard are created (`configuration_error`).
 *
 * @example
 * ```ts
 * const auth = serviceJwt({ issuers, audience: 'https://census.internal/' });
 * router.post('/orders', auth({ callers: { issuers: ['https://herald.internal/'] } }), createOrder);
 * router.get('/admin', auth({ audience: 'https://census.internal/admin' }), admin);
 * ```
 */
export function serviceJwt(options: KoaServiceJwtOptions): ServiceJwtMiddlewareFactory {
  const shared = resolveKoaOptions(options);
  const factory = (routeOptions: KoaRouteOptions = {}): ServiceJwtMiddleware => {
    const overrides = routeOptions as Record<string, unknown>;
    const adapter = resolveAdapterOptions(overrides, shared.adapter);
    return guard(routeVerifier(shared.verifier, withoutAdapterKeys(overrides)), adapter);
  };
  return Object.assign(factory, { verifier: shared.verifier }) as ServiceJwtMiddlewareFactory;
}
