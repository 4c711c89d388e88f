import type { Logger, RouteOptions, ServiceJwtVerifier, VerifierOptions } from '@service-jwt/core';

/** Options every service-jwt HTTP adapter understands (same names in Express, Koa, Fastify). */
export interface AdapterOptions {
  /**
   * What happens when verification fails. `'respond'` answers at once with the status,
   * `WWW-Authenticate` and JSON body `{ error, code, message }` of core's `errorResponse`;
   * `'throw'` hands the `ServiceJwtError` to `next(err)` so the app's error handler shapes the
   * response (it carries `status`, `statusCode`, `code` and `headers`).
   * @default 'respond'
   */
  readonly onError?: 'respond' | 'throw';
  /** The `realm` of the `WWW-Authenticate` challenge. @default 'service-jwt' */
  readonly realm?: string;
  /**
   * Where refusals are logged (a 5xx at `error` with its cause and the fix, a 401/403 at
   * `debug`) and, when the middleware creates the verifier, key-set changes too: pino, a
   * console, or any `{ error, warn, info, debug }`. @default no logging
   */
  readonly logger?: Logger;
}

/** Build a verifier from core's options (plus adapter options). */
export type ExpressVerifierOptions = VerifierOptions & AdapterOptions;

/** Reuse a verifier made with `createVerifier` (one key cache), with optional route overrides. */
export type ExpressReuseOptions = RouteOptions &
  AdapterOptions & {
    readonly verifier: ServiceJwtVerifier;
  };

/** Options of `requireServiceJwt` and `serviceJwt`. */
export type ExpressServiceJwtOptions = ExpressVerifierOptions | ExpressReuseOptions;
