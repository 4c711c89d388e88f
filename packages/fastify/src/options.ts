import {
  type RouteOptions,
  resolveAdapterOptions,
  ServiceJwtError,
  type ServiceJwtVerifier,
  type VerifierOptions,
} from '@service-jwt/core';

/** Options every service-jwt HTTP adapter understands (same names in Express, Koa, Fastify). */
export interface AdapterOptions {
  /**
   * What the plugin does with a failure. Either way the `ServiceJwtError` goes through
   * Fastify's error handling (`onError` hooks, `setErrorHandler`). With `'respond'` the plugin
   * also sets `WWW-Authenticate`, `Cache-Control` and `Retry-After` (configured realm) on the
   * reply first, and, when Fastify's built-in error handler answers, replaces its body with the
   * design's `{ error, code, message }`. With `'throw'` the error is handed over untouched: the
   * app's error handler owns the response (the error carries `statusCode`, `code`, `headers`).
   * @default 'respond'
   */
  readonly onError?: 'respond' | 'throw';
  /** The `realm` of the `WWW-Authenticate` challenge. @default 'service-jwt' */
  readonly realm?: string;
}

/** Options of the plugin only. */
export interface PluginOnlyOptions extends AdapterOptions {
  /**
   * Protect every route declared in the registering scope (and its child scopes) after the
   * plugin, except routes with `config: { serviceJwt: false }`.
   * @default false
   */
  readonly global?: boolean;
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

/** Plugin settings after validation. */
export interface ResolvedSettings {
  readonly onError: 'respond' | 'throw';
  readonly realm: string | undefined;
  readonly global: boolean;
}

function fail(message: string): never {
  throw new ServiceJwtError('configuration_error', message);
}

/**
 * Validates the plugin options once, at registration: `global`, then core's
 * `resolveAdapterOptions` (`onError`, `realm`, and core's options through `createVerifier`, or
 * `forRoute` on a given `verifier`). `owned` tells whether the plugin created the verifier and
 * must close it with the app.
 */
export function resolvePluginOptions(options: FastifyServiceJwtOptions | undefined): {
  readonly verifier: ServiceJwtVerifier;
  readonly owned: boolean;
  readonly settings: ResolvedSettings;
} {
  // `global` first: nothing (no verifier) is created for options that are going to fail.
  const global = (options as PluginOnlyOptions | undefined)?.global ?? false;
  if (typeof global !== 'boolean') fail('options.global must be a boolean');
  const { verifier, owned, onError, realm } = resolveAdapterOptions(options, {
    adapterKeys: ['global'],
  });
  return { verifier, owned, settings: { onError, realm, global } };
}

/** Validates per-route options: an object of core's `RouteOptions`, or nothing. */
export function routeOverrides(value: unknown, where: string): RouteOptions | undefined {
  if (value === undefined || value === true) return undefined;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    fail(`${where} must be core route options (an object), true or false`);
  }
  return Object.keys(value).length === 0 ? undefined : (value as RouteOptions);
}
