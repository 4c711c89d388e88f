import {
  type ClaimCheckRules,
  type ClaimsCheck,
  createClaimsCheck,
  type Logger,
  type RouteOptions,
  ServiceJwtError,
  type ServiceJwtVerifier,
  type VerifierOptions,
} from '@service-jwt/core';
import {
  createGuard,
  type Guard,
  resolveErrorHandling,
  resolveLogger,
} from '@service-jwt/core/adapter';

/** Options shared by both modes (same names as in the Express, Koa and Fastify adapters). */
export interface LambdaAdapterOptions {
  /**
   * `'respond'` returns the error response (`statusCode`, `headers`, `body`) to API Gateway;
   * `'throw'` rejects with the `ServiceJwtError` instead, for a wrapper of your own (it carries
   * `status`, `code` and `headers`).
   * @default 'respond'
   */
  readonly onError?: 'respond' | 'throw';
  /** The `realm` of the `WWW-Authenticate` challenge. @default 'service-jwt' */
  readonly realm?: string;
  /**
   * Where refusals are logged (a 5xx at `error` with its cause and the fix, a 401/403 at
   * `debug`) and, in verify mode when the wrapper creates the verifier, key-set changes too.
   * @default no logging
   */
  readonly logger?: Logger;
}

/**
 * Verify mode: the function verifies the token itself. Core's `VerifierOptions`, or
 * `{ verifier, ...routeOptions }` to reuse a verifier (and its key cache).
 */
export type LambdaVerifyOptions = (
  | VerifierOptions
  | (RouteOptions & { readonly verifier: ServiceJwtVerifier })
) &
  LambdaAdapterOptions & {
    /** @default 'verify' */
    readonly mode?: 'verify';
  };

/**
 * Authorizer mode: API Gateway's JWT (or Cognito) authorizer already checked signature,
 * issuer, audience and expiry; the function applies core's claim rules to the claims the
 * authorizer passes on.
 */
export type LambdaAuthorizerOptions = ClaimCheckRules &
  LambdaAdapterOptions & {
    readonly mode: 'authorizer';
  };

/** Options of `withServiceJwt`. */
export type LambdaServiceJwtOptions = LambdaVerifyOptions | LambdaAuthorizerOptions;

/** Options after validation. */
export type ResolvedLambdaOptions =
  | {
      readonly mode: 'verify';
      readonly guard: Guard;
      readonly onError: 'respond' | 'throw';
      readonly realm: string | undefined;
    }
  | {
      readonly mode: 'authorizer';
      /** The claim rules, compiled once at cold start. */
      readonly check: ClaimsCheck;
      readonly onError: 'respond' | 'throw';
      readonly realm: string | undefined;
      readonly logger: Logger | null;
    };

const AUTHORIZER_KEYS = new Set([
  'mode',
  'onError',
  'realm',
  'logger',
  'source',
  'requiredClaims',
  'claims',
  'callers',
]);

function fail(message: string): never {
  throw new ServiceJwtError('configuration_error', message);
}

function compileAuthorizerRules(options: Record<string, unknown>): ClaimsCheck {
  for (const key of Object.keys(options)) {
    if (!AUTHORIZER_KEYS.has(key)) {
      fail(
        `options.${key} is not an option in authorizer mode (the authorizer checks signature, issuer and audience; the function checks source, requiredClaims, claims, callers)`,
      );
    }
  }
  const rules: ClaimCheckRules = {
    ...(options.source === undefined
      ? {}
      : { source: options.source as ClaimCheckRules['source'] }),
    ...(options.requiredClaims === undefined
      ? {}
      : { requiredClaims: options.requiredClaims as readonly string[] }),
    ...(options.claims === undefined
      ? {}
      : { claims: options.claims as ClaimCheckRules['claims'] }),
    ...(options.callers === undefined
      ? {}
      : { callers: options.callers as ClaimCheckRules['callers'] }),
  };
  // Compiled once, at cold start: a bad rule fails here rather than on the first request.
  try {
    return createClaimsCheck(rules);
  } catch (err) {
    if (err instanceof ServiceJwtError && err.code === 'configuration_error') {
      throw new ServiceJwtError('configuration_error', `options.${err.message}`, { cause: err });
    }
    throw err;
  }
}

/**
 * Validates `withServiceJwt` options once, with core's `resolveErrorHandling` (authorizer mode)
 * or `resolveAdapterOptions` (verify mode). Verify mode builds the verifier here (or derives a
 * route verifier from `options.verifier`), so it lives as long as the container.
 *
 * @throws ServiceJwtError `configuration_error` naming the invalid option.
 */
export function resolveLambdaOptions(options: LambdaServiceJwtOptions): ResolvedLambdaOptions {
  if (typeof options !== 'object' || options === null) {
    fail('options must be an object: verifier options, { verifier }, or { mode: "authorizer" }');
  }
  const { mode = 'verify' } = options;
  if (mode !== 'verify' && mode !== 'authorizer') {
    fail(`options.mode must be 'verify' or 'authorizer'`);
  }
  if (mode === 'authorizer') {
    const { onError, realm } = resolveErrorHandling(options);
    const logger = resolveLogger(options.logger, 'options.logger');
    const check = compileAuthorizerRules(options as unknown as Record<string, unknown>);
    return { mode, check, onError, realm, logger };
  }
  const { realm } = resolveErrorHandling(options);
  const guard = createGuard(options, { adapterKeys: ['mode'] });
  return { mode, guard, onError: guard.onError, realm };
}
