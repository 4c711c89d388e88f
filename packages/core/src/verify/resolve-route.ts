import { type ResolvedHttpSignature, resolveHttpSignature } from '../http-signatures/options.js';
import { answersInMemory } from '../stores/in-memory.js';
import type { ReplayStore, RevocationList } from '../stores/store-interfaces.js';
import {
  type ResolvedTransactionRoute,
  resolveTransactionRoute,
} from '../transaction-tokens/resolve-options.js';
import { type ClaimsCheck, compileClaimsCheck } from './claim-rules.js';
import type { RegisteredClaimsPolicy } from './claims.js';
import { fail, flag, isObject, positive, rejectUnknown } from './option-checks.js';
import type {
  BodyHashOptions,
  ClaimRules,
  RequestBindingOptions,
  RouteOptions,
} from './options.js';

// Route options (the part `forRoute` and `verifyToken` overrides may change) resolved once
// into precomputed fields: a Set of audiences, compiled claim checks, one body-hash policy.

export const ROUTE_KEYS = [
  'audience',
  'source',
  'claims',
  'callers',
  'requiredClaims',
  'maxTokenAge',
  'bodyHash',
  'requestBinding',
  'replay',
  'httpSignature',
  'transactionToken',
] as const;
const BODY_HASH_KEYS = new Set([
  'claim',
  'algorithm',
  'allowLegacyMd5',
  'required',
  'maxBodyBytes',
  'allowContentEncoding',
  'timeout',
]);
/** How long a body may take to arrive, by default: a service call, not an upload. */
const DEFAULT_BODY_TIMEOUT = 10_000;
const BODY_HASH_ALGORITHMS = new Set(['sha256', 'sha384', 'sha512', 'md5-hex']);

/** A body-hash policy with every default filled in. */
export interface ResolvedBodyHash {
  readonly claim: string;
  readonly algorithm: 'sha256' | 'sha384' | 'sha512' | 'md5-hex';
  readonly required: boolean;
  readonly maxBodyBytes: number;
  readonly allowContentEncoding: boolean;
  /** Milliseconds the body may take once the token is authenticated. */
  readonly timeout: number;
}

/** Replay protection as a route applies it. */
export interface ResolvedReplay {
  readonly store: ReplayStore;
  /** Every token must carry `jti` and `exp`. */
  readonly required: boolean;
}

/** Everything a route decides, precomputed. */
export interface ResolvedRoute {
  /** The merged route options, kept so that `forRoute` can derive from them. */
  readonly input: RouteOptions;
  readonly registered: RegisteredClaimsPolicy;
  readonly checkClaims: ClaimsCheck;
  readonly bodyHash: ResolvedBodyHash;
  readonly requestBinding: { readonly required: boolean; readonly mountPrefix?: string };
  readonly replay: ResolvedReplay | null;
  /** The HTTP Message Signature binding, `null` for the claims binding alone. */
  readonly httpSignature: ResolvedHttpSignature | null;
  /** The route's Txn-Token policy, `null` when it ignores Txn-Tokens. */
  readonly transaction: ResolvedTransactionRoute | null;
  /**
   * Every store this route uses answers on the spot (core's in-memory ones, or none), so a
   * request whose body is in hand can be verified without waiting.
   */
  readonly answersNow: boolean;
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
    timeout: positive(options.timeout, `${name}.timeout`) ?? DEFAULT_BODY_TIMEOUT,
  });
}

/**
 * `replay`: a store (every token must then carry `jti` and `exp`), `{ store, required }`, or,
 * for a route, `false` to keep no record on it although the verifier does.
 */
function resolveReplay(value: unknown, name: string): ResolvedReplay | null {
  if (value === undefined || value === false) return null;
  if (isObject(value) && typeof value.claim === 'function') {
    return Object.freeze({ store: value as unknown as ReplayStore, required: true });
  }
  if (isObject(value) && isObject(value.store) && typeof value.store.claim === 'function') {
    rejectUnknown(value, new Set(['store', 'required']), `${name}: `);
    return Object.freeze({
      store: value.store as unknown as ReplayStore,
      required: flag(value.required, `${name}.required`, true),
    });
  }
  return fail(
    `${name} must be a ReplayStore, { store, required }, or false (no record on this route)`,
  );
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

/** Verifier-wide settings that every route carries. */
export interface VerifierSettings {
  readonly clockTolerance: number;
  readonly requireExpiration: boolean;
  readonly maxLifetime: number | undefined;
  readonly typ: string | undefined;
  readonly revocation: RevocationList | null;
  /** The verifier trusts token services (`transactionTokens`), so routes may read Txn-Tokens. */
  readonly transactionTokens: boolean;
}

/**
 * Resolves route options merged over `parent` (route values replace the parent's; `claims`
 * merge per claim name; `bodyHash` and `requestBinding` merge per field).
 *
 * @throws ServiceJwtError `configuration_error` naming the option (prefixed by `prefix`)
 */
export function resolveRoute(
  global: VerifierSettings,
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
  const replay = resolveReplay(input.replay, `${prefix}replay`);
  const httpSignature = resolveHttpSignature(input.httpSignature, `${prefix}httpSignature`);
  if (httpSignature !== null && replay === null) {
    fail(
      `${prefix}httpSignature needs a replay store for its nonces: set ${prefix}replay (createMemoryReplayStore(), or a shared store for a fleet)`,
    );
  }
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
    replay,
    httpSignature,
    transaction: resolveTransactionRoute(
      input.transactionToken,
      global.transactionTokens,
      `${prefix}transactionToken`,
    ),
    answersNow: answersInMemory(replay?.store ?? null) && answersInMemory(global.revocation),
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
    } else if (
      (key === 'bodyHash' || key === 'requestBinding' || key === 'httpSignature') &&
      isObject(value)
    ) {
      out[key] = { ...(isObject(parent[key]) ? parent[key] : {}), ...value };
    } else if (key === 'transactionToken' && parent.transactionToken !== undefined) {
      // Field by field; a bare mode keeps the parent's rules.
      const own = typeof value === 'string' ? { mode: value } : value;
      const inherited =
        typeof parent.transactionToken === 'string'
          ? { mode: parent.transactionToken }
          : parent.transactionToken;
      out.transactionToken = isObject(own) ? { ...inherited, ...own } : own;
    } else {
      out[key] = value;
    }
  }
  return out as RouteOptions;
}
