import {
  type ResolvedErrorHandling,
  type RouteOptions,
  resolveAdapterOptions,
  type ServiceJwtVerifier,
  type VerifierOptions,
} from '@service-jwt/core';

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

/** Adapter options after validation. */
export type ResolvedAdapterOptions = ResolvedErrorHandling;

/**
 * Turns adapter options into a verifier and the validated adapter options, with core's
 * `resolveAdapterOptions`. With `verifier`, the remaining members are route overrides applied through `forRoute` (same key cache);
 * otherwise they are core's `VerifierOptions` and a new verifier is created.
 */
export function resolveExpressOptions(options: ExpressServiceJwtOptions): {
  readonly verifier: ServiceJwtVerifier;
  readonly adapter: ResolvedAdapterOptions;
} {
  const { verifier, onError, realm } = resolveAdapterOptions(options);
  return { verifier, adapter: { onError, realm } };
}
