import type { Logger, RouteOptions, ServiceJwtVerifier, VerifierOptions } from '@service-jwt/core';
import { configurationError, createGuard, type Guard } from '@service-jwt/core/adapter';

/** Options every service-jwt HTTP adapter understands (same names in Express, Koa, Fastify). */
export interface AdapterOptions {
  /**
   * What the plugin does with a failure. Either way the `ServiceJwtError` goes through
   * Fastify's error handling (`onError` hooks run). With `'respond'` the protected route's
   * error handler answers it with the design's status, headers (`WWW-Authenticate` with the
   * configured realm, `Cache-Control`, `Retry-After`) and body `{ error, code, message }`, as
   * every adapter does; other errors go on to the app's `setErrorHandler`. With `'throw'` the
   * app's error handler (or Fastify's default) owns the response: the error carries
   * `statusCode`, `code` and `headers`.
   * @default 'respond'
   */
  readonly onError?: 'respond' | 'throw';
  /** The `realm` of the `WWW-Authenticate` challenge. @default 'service-jwt' */
  readonly realm?: string;
  /**
   * Where refusals are logged (a 5xx at `error` with its cause and the fix, a 401/403 at
   * `debug`), and key-set changes when the plugin creates the verifier.
   * @default `request.log` for refusals, the app's `fastify.log` for key-set changes
   */
  readonly logger?: Logger;
}

/** Options of the plugin only. */
export interface PluginOnlyOptions extends AdapterOptions {
  /**
   * Protect every route declared in the registering scope (and its child scopes) after the
   * plugin, except routes with `config: { serviceJwt: false }`.
   * @default false
   */
  readonly global?: boolean;
  /**
   * Make the app's `ready()` (and so `listen()`) wait until every issuer has usable keys, and
   * fail with `keys_unavailable` naming the issuers that have none: `true`, or
   * `{ timeout }` in milliseconds. @default false (keys are fetched on first use)
   */
  readonly waitForKeys?: boolean | { readonly timeout?: number };
}

/** Build a verifier from core's options. */
export type FastifyVerifierOptions = VerifierOptions & PluginOnlyOptions;

/** Reuse a verifier made with `createVerifier` (one key cache), with optional overrides. */
export type FastifyReuseOptions = RouteOptions &
  PluginOnlyOptions & {
    readonly verifier: ServiceJwtVerifier;
  };

/** Options of the `serviceJwt` plugin. */
export type FastifyServiceJwtOptions = FastifyVerifierOptions | FastifyReuseOptions;

function fail(message: string): never {
  throw configurationError(message);
}

/**
 * Validates the plugin options once, at registration: `global`, then core's adapter kit
 * (`onError`, `realm`, and core's options through `createVerifier`, or `forRoute` on a given
 * `verifier`). `guard.owned` tells whether the plugin created the verifier and must close it
 * with the app.
 */
export function resolvePluginOptions(
  options: FastifyServiceJwtOptions | undefined,
  appLogger: Logger,
): {
  readonly guard: Guard;
  readonly global: boolean;
  readonly waitForKeys: { readonly timeout?: number } | undefined;
  readonly logger: Logger | undefined;
} {
  // Plugin options first: nothing (no verifier) is created for options that are going to fail.
  const own = (options ?? {}) as PluginOnlyOptions;
  const global = own.global ?? false;
  if (typeof global !== 'boolean') fail('options.global must be a boolean');
  const wait = own.waitForKeys ?? false;
  if (typeof wait !== 'boolean' && (typeof wait !== 'object' || wait === null)) {
    fail('options.waitForKeys must be true, false or { timeout }');
  }
  const guard = createGuard(
    { ...options, logger: own.logger ?? appLogger },
    { adapterKeys: ['global', 'waitForKeys'] },
  );
  return {
    guard,
    global,
    waitForKeys: wait === false ? undefined : wait === true ? {} : wait,
    logger: own.logger,
  };
}

/** Validates per-route options: an object of core's `RouteOptions`, or nothing. */
export function routeOverrides(value: unknown, where: string): RouteOptions | undefined {
  if (value === undefined || value === true) return undefined;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    fail(`${where} must be core route options (an object), true or false`);
  }
  return Object.keys(value).length === 0 ? undefined : (value as RouteOptions);
}
