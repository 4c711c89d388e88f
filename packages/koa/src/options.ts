import type { Logger, RouteOptions, ServiceJwtVerifier, VerifierOptions } from '@service-jwt/core';

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
  /**
   * Where refusals are logged (a 5xx at `error` with its cause and the fix, a 401/403 at
   * `debug`) and, when the middleware creates the verifier, key-set changes too: pino, a
   * console, or any `{ error, warn, info, debug }`. @default no logging
   */
  readonly logger?: Logger;
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
