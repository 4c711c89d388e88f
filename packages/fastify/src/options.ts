import {
  createVerifier,
  type RouteOptions,
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

const PLUGIN_KEYS = new Set(['onError', 'realm', 'global', 'verifier']);

function fail(message: string): never {
  throw new ServiceJwtError('configuration_error', message);
}

function resolveSettings(options: PluginOnlyOptions): ResolvedSettings {
  const { onError = 'respond', realm, global = false } = options;
  if (onError !== 'respond' && onError !== 'throw') {
    fail(`options.onError must be 'respond' or 'throw'`);
  }
  if (realm !== undefined && (typeof realm !== 'string' || realm === '' || /["\\]/.test(realm))) {
    fail('options.realm must be a non-empty string without quotes or backslashes');
  }
  if (typeof global !== 'boolean') fail('options.global must be a boolean');
  return { onError, realm, global };
}

function withoutPluginKeys(options: object): Record<string, unknown> {
  const rest: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(options)) {
    if (!PLUGIN_KEYS.has(key)) rest[key] = value;
  }
  return rest;
}

function isVerifier(value: unknown): value is ServiceJwtVerifier {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as ServiceJwtVerifier).authenticate === 'function' &&
    typeof (value as ServiceJwtVerifier).forRoute === 'function'
  );
}

/**
 * Validates the plugin options once, at registration: the plugin settings, then core's
 * options through `createVerifier` (or `forRoute` on a given `verifier`). `owned` tells
 * whether the plugin created the verifier and must close it with the app.
 */
export function resolvePluginOptions(options: FastifyServiceJwtOptions | undefined): {
  readonly verifier: ServiceJwtVerifier;
  readonly owned: boolean;
  readonly settings: ResolvedSettings;
} {
  if (typeof options !== 'object' || options === null) {
    fail('options must be an object: core verifier options, or { verifier, ...routeOptions }');
  }
  const settings = resolveSettings(options);
  const rest = withoutPluginKeys(options);
  if ('verifier' in options) {
    if (!isVerifier(options.verifier))
      fail('options.verifier must be a verifier made by createVerifier');
    if ('issuers' in rest) {
      fail(
        'options.issuers cannot be combined with options.verifier: configure issuers in createVerifier',
      );
    }
    const verifier =
      Object.keys(rest).length === 0
        ? options.verifier
        : options.verifier.forRoute(rest as RouteOptions);
    return { verifier, owned: false, settings };
  }
  return { verifier: createVerifier(rest as unknown as VerifierOptions), owned: true, settings };
}

/** Validates per-route options: an object of core's `RouteOptions`, or nothing. */
export function routeOverrides(value: unknown, where: string): RouteOptions | undefined {
  if (value === undefined || value === true) return undefined;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    fail(`${where} must be core route options (an object), true or false`);
  }
  return Object.keys(value).length === 0 ? undefined : (value as RouteOptions);
}
