import { rejectUnknownOptions } from '../errors/option-names.js';
import { configurationError } from '../errors/refusals.js';
import { type Logger, resolveLogger } from '../observability/logger.js';
import { internalsOf, isVerifier } from '../verify/internals.js';
import type { RouteOptions, VerifierOptions } from '../verify/options.js';
import { VERIFIER_KEYS } from '../verify/resolve-options.js';
import { ROUTE_KEYS } from '../verify/resolve-route.js';
import { createVerifier } from '../verify/verifier.js';
import type { ServiceJwtVerifier } from '../verify/verifier-interface.js';

/** How an adapter answers a refused request, as its users configure it. */
export interface ErrorHandlingOptions {
  /**
   * `'respond'`: the adapter writes core's `errorResponse`; `'throw'`: it hands the
   * `ServiceJwtError` to the host's own error handling. @default 'respond'
   */
  readonly onError?: 'respond' | 'throw';
  /** The `realm` of the `WWW-Authenticate` challenge (RFC 6750 §3). @default 'service-jwt' */
  readonly realm?: string;
}

/** {@link ErrorHandlingOptions} after validation. */
export interface ResolvedErrorHandling {
  readonly onError: 'respond' | 'throw';
  /** `undefined` means core's default realm. */
  readonly realm: string | undefined;
}

/** What an adapter's options resolve to: the verifier to use and the error handling. */
export interface ResolvedAdapterOptions extends ResolvedErrorHandling {
  readonly verifier: ServiceJwtVerifier;
  /** The adapter's `logger` option (refusals), `null` when none was given. */
  readonly logger: Logger | null;
  /**
   * `true` when the verifier was created here from core's options, so the adapter owns it
   * (and closes it with the app); `false` when the caller passed `verifier` in.
   */
  readonly owned: boolean;
}

/** How {@link resolveAdapterOptions} treats the options of one adapter. */
export interface AdapterOptionsSettings {
  /**
   * Names of the adapter's own further options (validated by the adapter itself), left out
   * of what is passed on to `createVerifier` or `forRoute`. @default []
   */
  readonly adapterKeys?: readonly string[];
}

const OWN_KEYS = ['onError', 'realm', 'verifier'];

// The realm goes into a quoted-string of the challenge header: refuse what would be dropped
// or would make Node refuse the header at request time, rather than altering it silently.
const REALM = /^[\x20\x21\x23-\x5b\x5d-\x7e]+$/;

function fail(message: string): never {
  throw configurationError(message);
}

/**
 * Validates `onError` and `realm`, the options every adapter shares.
 *
 * @throws ServiceJwtError `configuration_error` naming `options.onError` or `options.realm`.
 * @example
 * ```ts
 * const { onError, realm } = resolveErrorHandling({ realm: 'census' });
 * ```
 */
export function resolveErrorHandling(options: ErrorHandlingOptions): ResolvedErrorHandling {
  const { onError = 'respond', realm } = options;
  if (onError !== 'respond' && onError !== 'throw') {
    fail(`options.onError must be 'respond' or 'throw'`);
  }
  if (realm !== undefined && (typeof realm !== 'string' || !REALM.test(realm))) {
    fail(
      'options.realm must be a non-empty string of printable ASCII without quotes or backslashes',
    );
  }
  return { onError, realm };
}

/**
 * Resolves an adapter's options once, at construction: `onError` and `realm`
 * ({@link resolveErrorHandling}), then the verifier. With `verifier`, the other members are
 * route overrides applied through its `forRoute` (one key cache; the verifier itself when there
 * are none); otherwise they are core's `VerifierOptions` and a new verifier is created.
 * `onError`, `realm`, `verifier` and `settings.adapterKeys` never reach core.
 *
 * @throws ServiceJwtError `configuration_error` naming the invalid option: `options` not an
 *   object, `options.onError`, `options.realm`, `options.verifier` (not made by
 *   `createVerifier`), `options.issuers` beside `options.verifier`, or any option that
 *   `createVerifier` / `forRoute` refuses.
 * @example
 * ```ts
 * const { verifier, owned, onError, realm } = resolveAdapterOptions(options, {
 *   adapterKeys: ['global'],
 * });
 * ```
 */
export function resolveAdapterOptions(
  options: unknown,
  settings: AdapterOptionsSettings = {},
): ResolvedAdapterOptions {
  if (typeof options !== 'object' || options === null) {
    fail('options must be an object: core verifier options, or { verifier, ...routeOptions }');
  }
  const { onError, realm } = resolveErrorHandling(options as ErrorHandlingOptions);
  const logger = resolveLogger((options as { logger?: unknown }).logger, 'options.logger');
  const skip = new Set([...OWN_KEYS, ...(settings.adapterKeys ?? [])]);
  // Checked here, beside the adapter's own names, so `onEror` is told it means `onError`.
  const core = 'verifier' in options ? ROUTE_KEYS : VERIFIER_KEYS;
  rejectUnknownOptions(options, [...skip, 'logger', ...core], { path: 'options.' });
  const rest: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(options)) {
    if (!skip.has(key)) rest[key] = value;
  }
  if ('verifier' in options) {
    const shared = options.verifier;
    if (!isVerifier(shared)) fail('options.verifier must be a verifier made by createVerifier');
    if ('issuers' in rest) {
      fail(
        'options.issuers cannot be combined with options.verifier: configure issuers in createVerifier',
      );
    }
    // Beside a shared verifier, the logger is the adapter's own (refusals); the verifier keeps
    // the one it was created with (key-set changes).
    delete rest.logger;
    const verifier =
      Object.keys(rest).length === 0
        ? shared
        : internalsOf(shared).derive(rest as RouteOptions, 'options.');
    return { verifier, owned: false, onError, realm, logger };
  }
  const verifier = createVerifier(rest as unknown as VerifierOptions);
  return { verifier, owned: true, onError, realm, logger };
}
