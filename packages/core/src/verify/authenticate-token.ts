import { ServiceJwtError } from '../errors/service-jwt-error.js';
import { verifySignature } from '../jws/signature.js';
import {
  checkProtectedHeader,
  decodeJsonObject,
  type JsonObject,
  type ParsedCompact,
  parseCompact,
} from '../jws/token-syntax.js';
import { algorithmMatches } from '../keys/index.js';
import type { IssuerKeyResolver, VerificationKey } from '../keys/key-resolver.js';
import { checkClaimTypes } from './claims.js';
import { assertToken68 } from './extract-token.js';
import type { ResolvedOptions } from './resolve-options.js';
import type { VerificationCache } from './verification-cache.js';

// The outcome of steps 2–3 for one token string: what the verification cache holds.
export interface Authenticated {
  readonly header: JsonObject;
  readonly claims: JsonObject;
  readonly issuer: string;
  readonly key: VerificationKey;
  readonly resolver: IssuerKeyResolver;
}

export interface Shared {
  readonly options: ResolvedOptions;
  readonly resolvers: ReadonlyMap<string, IssuerKeyResolver>;
  /**
   * The one trusted issuer when there is exactly one: `iss` is a fresh string per token, and
   * comparing it costs less than hashing it for a map lookup.
   */
  readonly single: { readonly issuer: string; readonly resolver: IssuerKeyResolver } | null;
  readonly cache: VerificationCache<Authenticated> | null;
  /** Fingerprints of recently verified tokens: the cache's admission filter. */
  readonly seen: Int32Array;
}

// Admission filter: a token enters the verification cache on its second successful
// verification within a short window. Static identity tokens repeat and get cached at once;
// one-time request tokens never repeat and would only evict them (and cost an insert each).
// The fingerprint covers the signature's tail, which no one can choose without the key, and a
// false match only admits a token that has just passed full verification.
export const SEEN_SLOTS = 1024;

function admit(seen: Int32Array, token: string): boolean {
  const end = token.length;
  let hash = 0x811c9dc5 | 0;
  for (let i = end > 16 ? end - 16 : 0; i < end; i++) {
    hash = Math.imul(hash ^ token.charCodeAt(i), 0x01000193);
  }
  const slot = (hash >>> 22) & (SEEN_SLOTS - 1);
  if (seen[slot] === hash) return true;
  seen[slot] = hash;
  return false;
}

/**
 * Steps 2–3: strict decoding, issuer choice before any key fetch, signature. `fromHeader`: the
 * token came from `extractTokenCandidate`, whose token68 scan is owed unless the token is a
 * cached (already verified) one.
 */
export function authenticateToken(
  shared: Shared,
  token: string,
  now: number,
  fromHeader = false,
): Authenticated | Promise<Authenticated> {
  const cache = shared.cache;
  if (cache !== null) {
    const hit = cache.get(token, now);
    if (hit !== undefined) {
      if (hit.resolver.isActive(hit.key)) return hit;
      cache.delete(token);
    }
  }
  if (fromHeader) assertToken68(token);
  const parsed = parseCompact(token);
  const header = parsed.header;
  const alg = checkProtectedHeader(header);
  if (!shared.options.algorithms.has(alg)) {
    throw new ServiceJwtError('algorithm_not_allowed', 'token algorithm is not allowed');
  }
  const claims = decodeJsonObject(parsed.payload, 'payload');
  const issuer = checkClaimTypes(claims);
  const single = shared.single;
  const resolver =
    single === null
      ? shared.resolvers.get(issuer)
      : issuer === single.issuer
        ? single.resolver
        : undefined;
  if (resolver === undefined) {
    throw new ServiceJwtError('issuer_not_trusted', 'token issuer is not trusted');
  }
  const key = resolver.resolve({ alg, kid: header.kid as string | undefined });
  if (key instanceof Promise) {
    return key.then((found) =>
      checkSignature(shared, token, parsed, { header, claims, issuer, key: found, resolver }, now),
    );
  }
  return checkSignature(shared, token, parsed, { header, claims, issuer, key, resolver }, now);
}

// Step 3, once the key is known; caches the outcome.
function checkSignature(
  shared: Shared,
  token: string,
  parsed: ParsedCompact,
  entry: Authenticated,
  now: number,
): Authenticated {
  const key = entry.key;
  if (!algorithmMatches(key.algorithm, entry.header.alg as string)) {
    throw new ServiceJwtError('algorithm_not_allowed', 'token algorithm does not match the key');
  }
  const input = token.slice(0, parsed.signingInputLength);
  if (!verifySignature(key.algorithm, key.key, input, parsed.signature)) {
    throw new ServiceJwtError('signature_invalid', 'token signature is invalid');
  }
  if (shared.cache !== null && admit(shared.seen, token)) {
    shared.cache.set(token, entry, entry.claims.exp as number | undefined, now);
  }
  return entry;
}
