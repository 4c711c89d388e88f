import {
  createVerifier,
  type ErrorHandlingOptions,
  type RouteOptions,
  resolveErrorHandling,
  ServiceJwtError,
  type ServiceJwtVerifier,
  type VerifierOptions,
} from '@service-jwt/core';

/** Options that belong to the Koa adapter, not to the verifier. Same names in every adapter. */
export interface KoaAdapterOptions {
  /**
   * What to do with a refused request: `'respond'` sets status, `WWW-Authenticate` and the
   * JSON body `{ error, code, message }`; `'throw'` throws the `ServiceJwtError` (it carries
   * `status`, `expose` and `headers`) for an upstream error middleware or Koa's default
   * handler. @default 'respond'
   */
  readonly onError?: 'respond' | 'throw';
  /** The `realm` of the `WWW-Authenticate` challenge (RFC 6750 §3). @default 'service-jwt' */
  readonly realm?: string;
}

/** Per-route options: core's route overrides plus the adapter options. */
export type KoaRouteOptions = RouteOptions & KoaAdapterOptions;

/** Reuse an existing verifier (one key cache) with optional route overrides. */
export interface KoaVerifierReuseOptions extends KoaRouteOptions {
  readonly verifier: ServiceJwtVerifier;
}

/**
 * Options of `requireServiceJwt` and `serviceJwt`: either everything `createVerifier` takes
 * plus the adapter options, or `{ verifier, ...routeOptions }` to share a verifier.
 */
export type KoaServiceJwtOptions = (VerifierOptions & KoaAdapterOptions) | KoaVerifierReuseOptions;

/** Adapter options after validation, with defaults applied. */
export interface ResolvedAdapterOptions {
  readonly onError: 'respond' | 'throw';
  readonly realm: string | undefined;
}

function configurationError(message: string): ServiceJwtError {
  return new ServiceJwtError('configuration_error', message);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Validates the adapter options of `options` (core's rules), falling back to `defaults` for absent ones. */
export function resolveAdapterOptions(
  options: Record<string, unknown>,
  defaults: ResolvedAdapterOptions = { onError: 'respond', realm: undefined },
): ResolvedAdapterOptions {
  const { onError, realm } = resolveErrorHandling(options as ErrorHandlingOptions);
  return {
    onError: options.onError === undefined ? defaults.onError : onError,
    realm: realm ?? defaults.realm,
  };
}

function isVerifier(value: unknown): value is ServiceJwtVerifier {
  return (
    isObject(value) &&
    typeof value.authenticate === 'function' &&
    typeof value.forRoute === 'function'
  );
}

/** Removes the adapter-only keys (and `verifier`) so core sees only its own options. */
function withoutAdapterKeys(options: Record<string, unknown>): Record<string, unknown> {
  const { onError: _onError, realm: _realm, verifier: _verifier, ...rest } = options;
  return rest;
}

/** A verifier plus the adapter options, resolved once at construction. */
export interface ResolvedKoaOptions {
  readonly verifier: ServiceJwtVerifier;
  readonly adapter: ResolvedAdapterOptions;
}

/**
 * Validates `options` and builds (or reuses) the verifier. Throws `configuration_error`
 * naming the offending option; core validates its own options the same way.
 */
export function resolveKoaOptions(options: KoaServiceJwtOptions): ResolvedKoaOptions {
  if (!isObject(options)) {
    throw configurationError('options must be an object (verifier options or { verifier })');
  }
  const adapter = resolveAdapterOptions(options);
  if ('verifier' in options && options.verifier !== undefined) {
    if (!isVerifier(options.verifier)) {
      throw configurationError('verifier must be a verifier created by createVerifier');
    }
    if ('issuers' in options) {
      throw configurationError(
        'issuers cannot be combined with verifier: configure issuers on the shared verifier',
      );
    }
    return { verifier: routeVerifier(options.verifier, withoutAdapterKeys(options)), adapter };
  }
  const verifierOptions = withoutAdapterKeys(options) as unknown as VerifierOptions;
  return { verifier: createVerifier(verifierOptions), adapter };
}

/** The route's verifier: the shared one itself when there is nothing to override. */
export function routeVerifier(
  verifier: ServiceJwtVerifier,
  overrides: Record<string, unknown>,
): ServiceJwtVerifier {
  return Object.keys(overrides).length === 0
    ? verifier
    : verifier.forRoute(overrides as RouteOptions);
}

export { isObject, withoutAdapterKeys };
