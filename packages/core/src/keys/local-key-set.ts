import { algorithmNotAllowed, configurationError, keyNotFound } from '../errors/refusals.js';
import { algorithmMatches } from '../jws/algorithms.js';
import { importJwk } from './key-import.js';
import type {
  IssuerKeyResolver,
  KeyImportContext,
  KeyLookup,
  KeySetHealth,
  VerificationKey,
} from './key-resolver.js';

/** Keys of one issuer, indexed for O(1) lookup by `kid`. */
export interface KeyIndex {
  readonly byKid: ReadonlyMap<string, VerificationKey>;
  /** The key when the set holds exactly one (a token may then omit `kid`). */
  readonly single: VerificationKey | undefined;
  readonly keys: ReadonlySet<VerificationKey>;
}

/**
 * Indexes loaded keys. Returns the `kid` that appears twice instead of an index, so local and
 * remote sets can report it their own way.
 */
export function indexKeys(keys: readonly VerificationKey[]): KeyIndex | { duplicateKid: string } {
  const byKid = new Map<string, VerificationKey>();
  for (const key of keys) {
    if (key.kid === undefined) continue;
    if (byKid.has(key.kid)) return { duplicateKid: key.kid };
    byKid.set(key.kid, key);
  }
  return { byKid, single: keys.length === 1 ? keys[0] : undefined, keys: new Set(keys) };
}

/**
 * Picks the key a token names. Returns `undefined` for a `kid` the set does not hold (a remote
 * set may then refresh); throws `key_not_found` when a several-key set gets no `kid`, and
 * `algorithm_not_allowed` when the header `alg` is not the key's bound algorithm.
 */
export function selectKey(index: KeyIndex, lookup: KeyLookup): VerificationKey | undefined {
  const kid = lookup.kid;
  let key: VerificationKey | undefined;
  if (kid === undefined) {
    key = index.single;
    if (key === undefined)
      throw keyNotFound('the token has no kid and the issuer has several keys');
  } else {
    key = index.byKid.get(kid);
    // A lone key configured without a kid matches whatever kid the token names.
    if (key === undefined && index.single !== undefined && index.single.kid === undefined) {
      key = index.single;
    }
    if (key === undefined) return undefined;
  }
  if (!algorithmMatches(key.algorithm, lookup.alg)) {
    throw algorithmNotAllowed("the token's alg is not the algorithm of the issuer's key");
  }
  return key;
}

/** A resolver over a fixed set of keys: synchronous, one `Map` lookup, always ready. */
export function createStaticKeyResolver(
  index: KeyIndex,
  source: 'local' | 'secret' = 'local',
): IssuerKeyResolver {
  const health: KeySetHealth = Object.freeze({
    source,
    state: 'local',
    keyCount: index.keys.size,
    url: undefined,
    lastSuccess: undefined,
    lastError: undefined,
    stale: false,
    nextRefresh: undefined,
  });
  return {
    resolve(lookup) {
      const key = selectKey(index, lookup);
      if (key === undefined) throw keyNotFound();
      return key;
    },
    isActive(key) {
      return index.keys.has(key);
    },
    ready: () => Promise.resolve(),
    health: () => health,
    close() {},
  };
}

function keyList(input: unknown): unknown {
  return Array.isArray(input)
    ? input
    : typeof input === 'object' && input !== null
      ? (input as { keys?: unknown }).keys
      : undefined;
}

/**
 * `true` when a local JWK set holds shared secrets (`kty: "oct"`, e.g. a KrakenD-style HS256
 * set), `false` for public keys or anything that is not a set (the loader reports that).
 * Read before the keys are imported, because it decides which algorithms the issuer allows.
 * Throws `configuration_error` naming `path` when the set mixes both kinds.
 */
export function holdsSecrets(input: unknown, path: string): boolean {
  const list = keyList(input);
  if (!Array.isArray(list)) return false;
  const secrets = list.filter(
    (jwk) => typeof jwk === 'object' && jwk !== null && (jwk as { kty?: unknown }).kty === 'oct',
  ).length;
  if (secrets !== 0 && secrets !== list.length) {
    throw configurationError(
      `${path} mixes shared secrets (kty "oct") and public keys: an issuer's set holds one kind; configure the other kind as another issuer`,
    );
  }
  return secrets !== 0;
}

/**
 * Loads a local JWK set strictly: every key must be usable (a bad key is a configuration
 * mistake, not something to skip), `kid`s must be unique and present when the set holds
 * several keys. A set is all-symmetric (`oct` keys, accepted when `ctx.allowSymmetric`) or
 * all-asymmetric. Throws `configuration_error`.
 */
export function loadLocalKeySet(input: unknown, ctx: KeyImportContext): KeyIndex {
  const path = ctx.optionPath;
  holdsSecrets(input, path);
  const list = keyList(input);
  if (!Array.isArray(list))
    throw configurationError(`${path} must be a JWK set ({ keys: [...] }) or an array`);
  if (list.length === 0) throw configurationError(`${path} holds no keys`);
  const keys = list.map((jwk, i) => importJwk(jwk, { ...ctx, optionPath: `${path}[${i}]` }));
  if (keys.length > 1 && keys.some((key) => key.kid === undefined)) {
    throw configurationError(`${path}: every key needs a "kid" when the set holds several keys`);
  }
  const index = indexKeys(keys);
  if ('duplicateKid' in index) throw configurationError(`${path} holds two keys with the same kid`);
  return index;
}
