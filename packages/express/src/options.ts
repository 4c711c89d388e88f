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
export interface ResolvedAdapterOptions {
  readonly onError: 'respond' | 'throw';
  readonly realm: string | undefined;
}

const ADAPTER_KEYS = new Set(['onError', 'realm', 'verifier']);

function fail(message: string): never {
  throw new ServiceJwtError('configuration_error', message);
}

/** Validates the adapter-only options; `configuration_error` names the offending option. */
export function resolveAdapterOptions(options: AdapterOptions): ResolvedAdapterOptions {
  const { onError = 'respond', realm } = options;
  if (onError !== 'respond' && onError !== 'throw') {
    fail(`options.onError must be 'respond' or 'throw'`);
  }
  if (realm !== undefined && (typeof realm !== 'string' || realm === '' || /["\\]/.test(realm))) {
    fail('options.realm must be a non-empty string without quotes or backslashes');
  }
  return { onError, realm };
}

/** Copies `options` without the adapter-only members (core rejects unknown option names). */
function withoutAdapterKeys<T extends object>(options: T): Record<string, unknown> {
  const rest: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(options)) {
    if (!ADAPTER_KEYS.has(key)) rest[key] = value;
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
 * Turns adapter options into a verifier and the validated adapter options. With `verifier`,
 * the remaining members are route overrides applied through `forRoute` (same key cache);
 * otherwise they are core's `VerifierOptions` and a new verifier is created.
 */
export function resolveExpressOptions(options: ExpressServiceJwtOptions): {
  readonly verifier: ServiceJwtVerifier;
  readonly adapter: ResolvedAdapterOptions;
} {
  if (typeof options !== 'object' || options === null) {
    fail('options must be an object: core verifier options, or { verifier, ...routeOptions }');
  }
  const adapter = resolveAdapterOptions(options);
  const rest = withoutAdapterKeys(options);
  if ('verifier' in options) {
    if (!isVerifier(options.verifier)) {
      fail('options.verifier must be a verifier made by createVerifier');
    }
    if ('issuers' in rest) {
      fail(
        'options.issuers cannot be combined with options.verifier: configure issuers in createVerifier',
      );
    }
    const verifier =
      Object.keys(rest).length === 0
        ? options.verifier
        : options.verifier.forRoute(rest as RouteOptions);
    return { verifier, adapter };
  }
  return { verifier: createVerifier(rest as unknown as VerifierOptions), adapter };
}
