import { type ClaimsCheck, compileClaimsCheck } from './check-claims.js';
import { normalizeTyp, type RegisteredClaimsPolicy } from './claims.js';
import { ServiceJwtError } from './errors.js';
import { ALL_ALGORITHMS } from './keys/algorithms.js';
import type {
  Algorithm,
  BodyHashOptions,
  ClaimRules,
  IssuerKeys,
  RequestBindingOptions,
  RouteOptions,
  VerifierOptions,
} from './options.js';
import type { ReplayStore, RevocationList } from './stores.js';

// Options are validated and frozen once, at construction; the hot path reads precomputed
// fields only (a Set of audiences, compiled claim checks, one body-hash policy object).

const HMAC: readonly Algorithm[] = ['HS256', 'HS384', 'HS512'];
const ASYMMETRIC = ALL_ALGORITHMS.filter((alg) => !HMAC.includes(alg));

const ROUTE_KEYS = [
  'audience',
  'source',
  'claims',
  'callers',
  'requiredClaims',
  'maxTokenAge',
  'bodyHash',
  'requestBinding',
] as const;
const VERIFIER_KEYS = new Set<string>([
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
]);
const BODY_HASH_KEYS = new Set([
  'claim',
  'algorithm',
  'allowLegacyMd5',
  'required',
  'maxBodyBytes',
  'allowContentEncoding',
]);
const BODY_HASH_ALGORITHMS = new Set(['sha256', 'sha384', 'sha512', 'md5-hex']);

/** A body-hash policy with every default filled in. */
export interface ResolvedBodyHash {
  readonly claim: string;
  readonly algorithm: 'sha256' | 'sha384' | 'sha512' | 'md5-hex';
  readonly required: boolean;
  readonly maxBodyBytes: number;
  readonly allowContentEncoding: boolean;
}

/** Everything a route decides, precomputed. */
export interface ResolvedRoute {
  /** The merged route options, kept so that `forRoute` can derive from them. */
  readonly input: RouteOptions;
  readonly registered: RegisteredClaimsPolicy;
  readonly checkClaims: ClaimsCheck;
  readonly bodyHash: ResolvedBodyHash;
  readonly requestBinding: { readonly required: boolean; readonly mountPrefix?: string };
}

/** Verifier-wide options with defaults filled in. */
export interface ResolvedOptions {
  readonly issuers: ReadonlyMap<
    string,
    { readonly config: IssuerKeys; readonly algorithms: readonly Algorithm[] }
  >;
  /** Union of every issuer's algorithms: a token naming anything else fails before key lookup. */
  readonly algorithms: ReadonlySet<string>;
  readonly clockTolerance: number;
  readonly maxLifetime: number | undefined;
  readonly requireExpiration: boolean;
  readonly typ: string | undefined;
  readonly token: { readonly header: string; readonly scheme: string | null };
  readonly maxTokenLength: number;
  readonly replay: { readonly store: ReplayStore; readonly required: boolean } | null;
  readonly revocation: RevocationList | null;
  readonly cacheEntries: number;
  readonly now: () => number;
  readonly route: ResolvedRoute;
}

function fail(message: string): never {
  throw new ServiceJwtError('configuration_error', message);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function positive(value: unknown, name: string, integer = false): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    fail(`${name} must be a positive finite number`);
  }
  if (integer && !Number.isInteger(value)) fail(`${name} must be a positive integer`);
  return value;
}

function flag(value: unknown, name: string, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') fail(`${name} must be true or false`);
  return value;
}

function rejectUnknown(value: Record<string, unknown>, known: ReadonlySet<string>, path: string) {
  const unknown = Object.keys(value).filter((key) => !known.has(key));
  if (unknown.length > 0) fail(`${path}unknown option(s): ${unknown.join(', ')}`);
}

function resolveAudience(value: unknown, name: string): ReadonlySet<string> | null {
  if (value === null) return null;
  const list = typeof value === 'string' ? [value] : value;
  if (
    !Array.isArray(list) ||
    list.length === 0 ||
    !list.every((item) => typeof item === 'string' && item !== '')
  ) {
    fail(`${name} must be a non-empty string or list of strings, or null to disable the check`);
  }
  return new Set(list as string[]);
}

function resolveBodyHash(value: BodyHashOptions | undefined, name: string): ResolvedBodyHash {
  if (value !== undefined && !isObject(value)) fail(`${name} must be an object`);
  const options = (value ?? {}) as BodyHashOptions;
  rejectUnknown(options as Record<string, unknown>, BODY_HASH_KEYS, `${name}: `);
  const claim = options.claim ?? 'bdy';
  if (typeof claim !== 'string' || claim === '') fail(`${name}.claim must be a non-empty string`);
  const algorithm = options.algorithm ?? 'sha256';
  if (!BODY_HASH_ALGORITHMS.has(algorithm)) {
    fail(`${name}.algorithm must be one of sha256, sha384, sha512, md5-hex`);
  }
  const legacy = flag(options.allowLegacyMd5, `${name}.allowLegacyMd5`, false);
  if (algorithm === 'md5-hex' && !legacy) {
    fail(`${name}.algorithm 'md5-hex' needs ${name}.allowLegacyMd5: true`);
  }
  return Object.freeze({
    claim,
    algorithm,
    required: flag(options.required, `${name}.required`, false),
    maxBodyBytes: positive(options.maxBodyBytes, `${name}.maxBodyBytes`, true) ?? 1_048_576,
    allowContentEncoding: flag(options.allowContentEncoding, `${name}.allowContentEncoding`, false),
  });
}

function resolveRequestBinding(value: RequestBindingOptions | undefined, name: string) {
  if (value !== undefined && !isObject(value)) fail(`${name} must be an object`);
  const options = (value ?? {}) as RequestBindingOptions;
  rejectUnknown(
    options as Record<string, unknown>,
    new Set(['required', 'mountPrefix']),
    `${name}: `,
  );
  const required = flag(options.required, `${name}.required`, false);
  const prefix = options.mountPrefix;
  if (prefix === undefined) return Object.freeze({ required });
  if (typeof prefix !== 'string' || !prefix.startsWith('/')) {
    fail(`${name}.mountPrefix must be a path starting with "/"`);
  }
  return Object.freeze({ required, mountPrefix: prefix });
}

interface GlobalClaimSettings {
  readonly clockTolerance: number;
  readonly requireExpiration: boolean;
  readonly maxLifetime: number | undefined;
  readonly typ: string | undefined;
}

/**
 * Resolves route options merged over `parent` (route values replace the parent's; `claims`
 * merge per claim name; `bodyHash` and `requestBinding` merge per field).
 *
 * @throws ServiceJwtError `configuration_error` naming the option (prefixed by `prefix`)
 */
export function resolveRoute(
  global: GlobalClaimSettings,
  parent: RouteOptions | undefined,
  overrides: RouteOptions,
  prefix: string,
): ResolvedRoute {
  if (!isObject(overrides)) fail(`${prefix.trim() || 'route options'} must be an object`);
  if (parent !== undefined) {
    rejectUnknown(overrides as Record<string, unknown>, new Set(ROUTE_KEYS), prefix);
  }
  const input: RouteOptions =
    parent === undefined ? pickRoute(overrides) : merge(parent, overrides);
  const audiences = resolveAudience(input.audience, `${prefix}audience`);
  const registered: RegisteredClaimsPolicy = Object.freeze({
    clockTolerance: global.clockTolerance,
    requireExpiration: global.requireExpiration,
    maxTokenAge: positive(input.maxTokenAge, `${prefix}maxTokenAge`),
    maxLifetime: global.maxLifetime,
    audiences,
    typ: global.typ,
  });
  return Object.freeze({
    input: Object.freeze(input),
    registered,
    checkClaims: compileClaimsCheck(input, prefix),
    bodyHash: resolveBodyHash(input.bodyHash, `${prefix}bodyHash`),
    requestBinding: resolveRequestBinding(input.requestBinding, `${prefix}requestBinding`),
  });
}

function pickRoute(options: RouteOptions): RouteOptions {
  const out: Record<string, unknown> = {};
  for (const key of ROUTE_KEYS) {
    if (options[key] !== undefined || (key === 'audience' && options[key] === null)) {
      out[key] = options[key];
    }
  }
  return out as RouteOptions;
}

function merge(parent: RouteOptions, overrides: RouteOptions): RouteOptions {
  const out: Record<string, unknown> = { ...parent };
  for (const key of ROUTE_KEYS) {
    const value = overrides[key];
    if (value === undefined) continue;
    if (key === 'claims' && isObject(value) && isObject(parent.claims)) {
      out.claims = { ...parent.claims, ...(value as ClaimRules) };
    } else if ((key === 'bodyHash' || key === 'requestBinding') && isObject(value)) {
      out[key] = { ...(isObject(parent[key]) ? parent[key] : {}), ...value };
    } else {
      out[key] = value;
    }
  }
  return out as RouteOptions;
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
    const secret = 'secret' in config;
    const kind = secret ? HMAC : ASYMMETRIC;
    let algorithms: Algorithm[];
    if (config.algorithms !== undefined) {
      algorithms = resolveAlgorithms(config.algorithms, `${path}.algorithms`);
      for (const alg of algorithms) {
        if (!kind.includes(alg)) {
          fail(`${path}.algorithms: ${alg} ${secret ? 'needs a public key' : 'needs a secret'}`);
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

function resolveReplay(value: unknown): ResolvedOptions['replay'] {
  if (value === undefined) return null;
  if (isObject(value) && typeof value.claim === 'function') {
    return Object.freeze({ store: value as unknown as ReplayStore, required: true });
  }
  if (isObject(value) && isObject(value.store) && typeof value.store.claim === 'function') {
    rejectUnknown(value, new Set(['store', 'required']), 'replay: ');
    return Object.freeze({
      store: value.store as unknown as ReplayStore,
      required: flag(value.required, 'replay.required', true),
    });
  }
  return fail('replay must be a ReplayStore or { store, required }');
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
  const global: GlobalClaimSettings = {
    clockTolerance,
    requireExpiration: flag(options.requireExpiration, 'requireExpiration', true),
    maxLifetime: positive(options.maxLifetime, 'maxLifetime'),
    typ: options.typ === undefined ? undefined : normalizeTyp(options.typ),
  };
  const token = options.token ?? {};
  if (!isObject(token)) fail('token must be an object');
  rejectUnknown(token, new Set(['header', 'scheme']), 'token: ');
  const header = token.header ?? 'authorization';
  if (typeof header !== 'string' || !/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(header)) {
    fail('token.header must be an HTTP header name');
  }
  const scheme = token.scheme === undefined ? 'Bearer' : token.scheme;
  if (scheme !== null && (typeof scheme !== 'string' || !/^[A-Za-z0-9._~+/-]+$/.test(scheme))) {
    fail('token.scheme must be an auth scheme name or null');
  }
  const revocation = options.revocation ?? null;
  if (revocation !== null && (!isObject(revocation) || typeof revocation.check !== 'function')) {
    fail('revocation must be a RevocationList');
  }
  const cache = options.cache ?? {};
  if (cache !== false && !isObject(cache)) fail('cache must be an object or false');
  if (cache !== false) rejectUnknown(cache, new Set(['maxEntries']), 'cache: ');
  const now = options.now ?? Date.now;
  if (typeof now !== 'function') fail('now must be a function returning epoch milliseconds');
  return Object.freeze({
    issuers,
    algorithms,
    ...global,
    token: Object.freeze({ header: header.toLowerCase(), scheme }),
    maxTokenLength: positive(options.maxTokenLength, 'maxTokenLength', true) ?? 8192,
    replay: resolveReplay(options.replay),
    revocation,
    cacheEntries:
      cache === false ? 0 : (positive(cache.maxEntries, 'cache.maxEntries', true) ?? 1000),
    now,
    route: resolveRoute(global, undefined, options, ''),
  });
}
