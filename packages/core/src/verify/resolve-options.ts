import {
  ALL_ALGORITHMS,
  type Algorithm,
  ASYMMETRIC_ALGORITHMS,
  HMAC_ALGORITHMS,
} from '../jws/algorithms.js';
import { holdsSecrets } from '../keys/local-key-set.js';
import { type Logger, resolveLogger } from '../observability/logger.js';
import type { RevocationList } from '../stores/store-interfaces.js';
import { normalizeTyp } from './claims.js';
import { fail, flag, isObject, positive, rejectUnknown } from './option-checks.js';
import type { IssuerKeys, VerifierOptions } from './options.js';
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
]);
/** Verifier-wide options with defaults filled in. */
export interface ResolvedOptions {
  readonly issuers: ReadonlyMap<
    string,
    { readonly config: IssuerKeys; readonly algorithms: readonly Algorithm[] }
  >;
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
}

function resolveAlgorithms(list: unknown, name: string): Algorithm[] {
  if (!Array.isArray(list) || list.length === 0) fail(`${name} must be a non-empty list`);
  for (const alg of list) {
    if (!ALL_ALGORITHMS.includes(alg as Algorithm)) fail(`${name} holds an unknown algorithm`);
  }
  return [...(list as Algorithm[])];
}

function resolveIssuers(options: VerifierOptions): ResolvedOptions['issuers'] {
  if (!isObject(options.issuers) || Object.keys(options.issuers).length === 0) {
    fail('issuers must map at least one trusted issuer to its keys');
  }
  const global =
    options.algorithms === undefined
      ? undefined
      : resolveAlgorithms(options.algorithms, 'algorithms');
  const issuers = new Map<string, { config: IssuerKeys; algorithms: readonly Algorithm[] }>();
  for (const [issuer, config] of Object.entries(options.issuers)) {
    const path = `issuers[${JSON.stringify(issuer)}]`;
    if (issuer === '') fail('issuers: an issuer must be a non-empty string');
    if (!isObject(config)) fail(`${path} must be an object`);
    const secret =
      'secret' in config || ('keys' in config && holdsSecrets(config.keys, `${path}.keys`));
    const kind = secret ? HMAC_ALGORITHMS : ASYMMETRIC_ALGORITHMS;
    let algorithms: Algorithm[];
    if (config.algorithms !== undefined) {
      algorithms = resolveAlgorithms(config.algorithms, `${path}.algorithms`);
      for (const alg of algorithms) {
        if (!kind.includes(alg)) {
          fail(
            `${path}.algorithms: ${alg} ${secret ? 'needs a public key' : 'needs a shared secret (secret, or keys of kty "oct")'}`,
          );
        }
        if (global !== undefined && !global.includes(alg)) {
          fail(`${path}.algorithms: ${alg} is not in algorithms`);
        }
      }
    } else {
      algorithms = (global ?? kind).filter((alg) => kind.includes(alg));
      if (algorithms.length === 0) {
        fail(
          `${path}: algorithms allows nothing this issuer's ${secret ? 'secret' : 'keys'} can verify`,
        );
      }
    }
    issuers.set(issuer, Object.freeze({ config, algorithms: Object.freeze(algorithms) }));
  }
  return issuers;
}

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
  const issuers = resolveIssuers(options);
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
  const global: VerifierSettings = {
    clockTolerance,
    requireExpiration: flag(options.requireExpiration, 'requireExpiration', true),
    maxLifetime: positive(options.maxLifetime, 'maxLifetime'),
    typ: options.typ === undefined ? undefined : normalizeTyp(options.typ),
    revocation,
  };
  const token = options.token ?? {};
  if (!isObject(token)) fail('token must be an object');
  rejectUnknown(token, new Set(['header', 'scheme']), 'token.');
  const header = token.header ?? 'authorization';
  if (typeof header !== 'string' || !/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(header)) {
    fail('token.header must be an HTTP header name');
  }
  const scheme = token.scheme === undefined ? 'Bearer' : token.scheme;
  if (scheme !== null && (typeof scheme !== 'string' || !/^[A-Za-z0-9._~+/-]+$/.test(scheme))) {
    fail('token.scheme must be an auth scheme name or null');
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
  });
}
