import { type Logger, resolveLogger } from '../observability/logger.js';
import type { RevocationList } from '../stores/store-interfaces.js';
import {
  type ResolvedTransactionTokens,
  resolveTransactionTokens,
} from '../transaction-tokens/resolve-options.js';
import { normalizeTyp } from './claims.js';
import { fail, flag, isObject, positive, rejectUnknown } from './option-checks.js';
import type { VerifierOptions } from './options.js';
import { type ResolvedIssuers, resolveIssuerMap } from './resolve-issuers.js';
import {
  type ResolvedRoute,
  ROUTE_KEYS,
  resolveRoute,
  type VerifierSettings,
} from './resolve-route.js';

// Options are validated and frozen once, at construction; the hot path reads precomputed
// fields only (a Set of audiences, compiled claim checks, one body-hash policy object).

/** Every option name of `createVerifier`. */
export const VERIFIER_KEYS: ReadonlySet<string> = new Set<string>([
  ...ROUTE_KEYS,
  'issuers',
  'algorithms',
  'clockTolerance',
  'maxLifetime',
  'requireExpiration',
  'typ',
  'token',
  'maxTokenLength',
  'replay',
  'revocation',
  'cache',
  'now',
  'logger',
  'transactionTokens',
]);
/** Verifier-wide options with defaults filled in. */
export interface ResolvedOptions {
  readonly issuers: ResolvedIssuers;
  /** Union of every issuer's algorithms: a token naming anything else fails before key lookup. */
  readonly algorithms: ReadonlySet<string>;
  readonly clockTolerance: number;
  readonly token: { readonly header: string; readonly scheme: string | null };
  readonly maxTokenLength: number;
  readonly revocation: RevocationList | null;
  /** What every route carries; `forRoute` resolves its overrides against it. */
  readonly settings: VerifierSettings;
  readonly cacheEntries: number;
  readonly now: () => number;
  readonly logger: Logger | null;
  readonly route: ResolvedRoute;
  /** `transactionTokens` resolved, `null` when the verifier trusts no token service. */
  readonly transactionTokens: ResolvedTransactionTokens | null;
}

// RFC 9110 §5.6.2 token: a header name, and an auth-scheme (§11.1).
const HTTP_TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/**
 * Validates every option of `createVerifier` and returns them frozen with defaults filled in.
 *
 * @throws ServiceJwtError `configuration_error` whose message names the option
 */
export function resolveVerifierOptions(options: VerifierOptions): ResolvedOptions {
  if (!isObject(options)) fail('createVerifier options must be an object');
  rejectUnknown(options, VERIFIER_KEYS, '');
  if (!('audience' in options) || options.audience === undefined) {
    fail('audience is required (set it to null to disable the audience check explicitly)');
  }
  const issuers = resolveIssuerMap(options.issuers, options.algorithms, 'issuers');
  const algorithms = new Set<string>();
  for (const { algorithms: list } of issuers.values()) for (const alg of list) algorithms.add(alg);
  const clockTolerance = options.clockTolerance ?? 5;
  if (
    typeof clockTolerance !== 'number' ||
    !Number.isFinite(clockTolerance) ||
    clockTolerance < 0
  ) {
    fail('clockTolerance must be a finite number of seconds >= 0');
  }
  if (options.typ !== undefined && (typeof options.typ !== 'string' || options.typ === '')) {
    fail('typ must be a non-empty string');
  }
  const revocation = options.revocation ?? null;
  if (revocation !== null && (!isObject(revocation) || typeof revocation.check !== 'function')) {
    fail('revocation must be a RevocationList');
  }
  const transactionTokens = resolveTransactionTokens(options.transactionTokens, issuers.keys());
  const global: VerifierSettings = {
    clockTolerance,
    requireExpiration: flag(options.requireExpiration, 'requireExpiration', true),
    maxLifetime: positive(options.maxLifetime, 'maxLifetime'),
    typ: options.typ === undefined ? undefined : normalizeTyp(options.typ),
    revocation,
    transactionTokens: transactionTokens !== null,
  };
  const token = options.token ?? {};
  if (!isObject(token)) fail('token must be an object');
  rejectUnknown(token, new Set(['header', 'scheme']), 'token.');
  const header = token.header ?? 'authorization';
  if (typeof header !== 'string' || !HTTP_TOKEN.test(header)) {
    fail('token.header must be an HTTP header name');
  }
  const scheme = token.scheme === undefined ? 'Bearer' : token.scheme;
  if (scheme !== null && (typeof scheme !== 'string' || !HTTP_TOKEN.test(scheme))) {
    fail('token.scheme must be an auth scheme name (an RFC 9110 token, such as Bearer) or null');
  }
  const cache = options.cache ?? {};
  if (cache !== false && !isObject(cache)) fail('cache must be an object or false');
  if (cache !== false) rejectUnknown(cache, new Set(['maxEntries']), 'cache.');
  const now = options.now ?? Date.now;
  if (typeof now !== 'function') fail('now must be a function returning epoch milliseconds');
  return Object.freeze({
    issuers,
    algorithms,
    clockTolerance: global.clockTolerance,
    token: Object.freeze({ header: header.toLowerCase(), scheme }),
    maxTokenLength: positive(options.maxTokenLength, 'maxTokenLength', true) ?? 8192,
    revocation,
    cacheEntries:
      cache === false ? 0 : (positive(cache.maxEntries, 'cache.maxEntries', true) ?? 1000),
    now,
    logger: resolveLogger(options.logger, 'logger'),
    settings: global,
    route: resolveRoute(global, undefined, options, ''),
    transactionTokens,
  });
}
