import {
  createResponseSigner,
  errorResponse,
  type ResponseSigner,
  type ResponseSignerOptions,
} from '@service-jwt/core';
import {
  configurationError,
  resolveErrorHandling,
  toServiceJwtError,
} from '@service-jwt/core/adapter';
import type { Context, Middleware, Next } from 'koa';
import type { KoaAdapterOptions } from './options.js';

/** Options of {@link signResponseKeys}: core's `createResponseSigner` options plus `onError`/`realm`. */
export type KoaSignResponseKeysOptions = ResponseSignerOptions & KoaAdapterOptions;

/** The middleware returned by {@link signResponseKeys}. */
export interface SignResponseKeysMiddleware extends Middleware {
  /** The core signer behind it (`await middleware.signer.ready()` checks the keys at start-up). */
  readonly signer: ResponseSigner;
}

function destroyStream(body: unknown): void {
  const stream = body as { pipe?: unknown; destroy?: (() => void) | undefined } | null;
  if (typeof stream?.pipe === 'function' && typeof stream.destroy === 'function') stream.destroy();
}

/**
 * Koa middleware for a gateway route: after `await next()`, when the response is JSON (2xx,
 * an object/array body, or a string/Buffer body typed `application/json` or
 * `application/*+json`), each top-level key of `keysToSign` holding a JSON object is replaced
 * by its JWS (see core's `createResponseSigner`).
 *
 * Passes through untouched: statuses outside 200–299, non-JSON content types, empty bodies,
 * bodies without any key to sign. A JSON-typed stream is read (up to `maxBodyBytes`) and
 * handled like a buffered body. Refused (never signed half-way): a key to sign holding
 * anything but an object, a JSON type whose body does not parse, or a body over
 * `maxBodyBytes` — 500 `configuration_error`; a signing key that cannot be obtained or
 * failed its TLS checks — 503 `keys_unavailable` with `Retry-After`. A refused response loses
 * every header set downstream and carries core's `errorResponse`, or with `onError: 'throw'`
 * the `ServiceJwtError` is thrown to upstream error handling.
 *
 * @throws ServiceJwtError `configuration_error` at construction, naming the invalid option.
 * @example
 * ```ts
 * router.post('/token', signResponseKeys({
 *   keysToSign: ['access_token', 'refresh_token'],
 *   alg: 'HS256', kid: 'sim2', keys: { keys: [{ kty: 'oct', kid: 'sim2', k }] },
 * }), async (ctx) => { ctx.body = await backendLogin(ctx.request.body) });
 * ```
 */
export function signResponseKeys(options: KoaSignResponseKeysOptions): SignResponseKeysMiddleware {
  if (typeof options !== 'object' || options === null) {
    throw configurationError('options must be an object');
  }
  const adapter = resolveErrorHandling(options);
  const { onError: _onError, realm: _realm, ...signerOptions } = options;
  const signer = createResponseSigner(signerOptions);

  const middleware = async (ctx: Context, next: Next): Promise<void> => {
    await next();
    const body: unknown = ctx.body;
    let result: Awaited<ReturnType<ResponseSigner['signResponse']>>;
    try {
      result = await signer.signResponse({
        status: ctx.status,
        contentType: ctx.response.get('Content-Type') || undefined,
        body,
      });
    } catch (thrown) {
      const err = toServiceJwtError(thrown);
      destroyStream(body);
      for (const name of Object.keys(ctx.response.headers)) ctx.remove(name);
      if (adapter.onError === 'throw') throw err;
      const response = errorResponse(
        err,
        adapter.realm === undefined ? {} : { realm: adapter.realm },
      );
      ctx.status = response.status;
      ctx.set(response.headers);
      ctx.body = response.body;
      return;
    }
    // The Content-Type already set (JSON) is kept; Koa recomputes Content-Length. A JSON stream
    // was read to be inspected, so its bytes are sent even when nothing was signed.
    if (result.body !== undefined) ctx.body = Buffer.from(result.body);
  };
  return Object.assign(middleware, { signer });
}
