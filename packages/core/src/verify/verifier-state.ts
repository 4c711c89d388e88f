import type { JsonObject } from '../jws/token-syntax.js';
import { createIssuerKeyResolver } from '../keys/create-issuer-key-resolver.js';
import type { IssuerKeyResolver, VerificationKey } from '../keys/key-resolver.js';
import type { KeySetStateChange } from '../keys/key-set-status.js';
import { logKeySetChange } from '../observability/key-set-log.js';
import type { Logger } from '../observability/logger.js';
import type { RevocationList } from '../stores/store-interfaces.js';
import { TXN_TOKEN_TYPE } from '../transaction-tokens/txn-token.js';
import type { TransactionTokenState } from '../transaction-tokens/verify-transaction-token.js';
import type { ResolvedTokenLocation } from './extract-token.js';
import type { ResolvedIssuers } from './resolve-issuers.js';
import type { ResolvedOptions } from './resolve-options.js';
import type { VerifiedServiceJwt } from './result.js';
import { createVerificationCache, type VerificationCache } from './verification-cache.js';

/** The outcome of steps 2–5 for one token string: what the verification cache holds. */
export interface Signed {
  readonly header: JsonObject;
  readonly claims: JsonObject;
  readonly issuer: string;
  readonly key: VerificationKey;
  readonly keys: IssuerKeyResolver;
  /**
   * The answer to a request with this token and no Txn-Token, made on the first such request
   * and handed out again on every cache hit: it is frozen and holds only what the token says.
   */
  result: VerifiedServiceJwt | undefined;
}

/**
 * What a verifier holds for every request, built once by `createVerifier` and shared by every
 * route verifier `forRoute` derives: the key resolvers (one per issuer), the verification
 * cache and the revocation list. Route-specific policy lives in `ResolvedRoute`.
 */
export interface VerifierState {
  /** Union of every issuer's algorithms: a token naming anything else fails before key lookup. */
  readonly algorithms: ReadonlySet<string>;
  readonly clockTolerance: number;
  readonly token: ResolvedTokenLocation;
  readonly maxTokenLength: number;
  readonly revocation: RevocationList | null;
  readonly cache: VerificationCache<Signed> | null;
  /** Epoch milliseconds. */
  readonly now: () => number;
  /** The verifier's own logger (refusals of `verify()`, key-set changes), `null` for none. */
  readonly logger: Logger | null;
  /** Every issuer's key resolver, for readiness and health. */
  readonly resolvers: ReadonlyMap<string, IssuerKeyResolver>;
  /** The trusted token services and their key resolvers, `null` without `transactionTokens`. */
  readonly transaction: TransactionTokenState | null;
  /**
   * The verifier was built for Txn-Tokens themselves (`typ: 'txntoken+jwt'`, as the token
   * service checks its own): only then is such a token not refused as a misplaced credential.
   */
  readonly verifiesTxnTokens: boolean;
  /** The key resolver of a trusted issuer, `undefined` for any other `iss`. */
  keysOf(issuer: string): IssuerKeyResolver | undefined;
  /** Offers a freshly verified token to the cache (see the admission filter below). */
  admit(token: string, signed: Signed, now: number): void;
  close(): void;
}

// Admission filter: a token enters the verification cache on its second successful
// verification within a short window. Static identity tokens repeat and get cached at once;
// one-time request tokens never repeat and would only evict them (and cost an insert each).
// The fingerprint covers the signature's tail, which no one can choose without the key, and a
// false match only admits a token that has just passed full verification.
const SEEN_SLOTS = 1024;

function seenBefore(seen: Int32Array, token: string): boolean {
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

/** One key resolver per issuer of `issuers` (`path` names the option), into `into`. */
function addResolvers(
  into: Map<string, IssuerKeyResolver>,
  issuers: ResolvedIssuers,
  path: string,
  options: ResolvedOptions,
): void {
  for (const [issuer, { config, algorithms }] of issuers) {
    into.set(
      issuer,
      createIssuerKeyResolver(issuer, config, {
        algorithms,
        optionPath: `${path}[${JSON.stringify(issuer)}]`,
        now: options.now,
        ...(options.logger === null
          ? {}
          : {
              onStateChange: (change: KeySetStateChange) =>
                logKeySetChange(options.logger!, change),
            }),
      }),
    );
  }
}

/** Builds the shared state from resolved options; closes what it opened if a resolver fails. */
export function createVerifierState(options: ResolvedOptions): VerifierState {
  const resolvers = new Map<string, IssuerKeyResolver>();
  const tokenServices = new Map<string, IssuerKeyResolver>();
  try {
    addResolvers(resolvers, options.issuers, 'issuers', options);
    if (options.transactionTokens !== null) {
      addResolvers(
        tokenServices,
        options.transactionTokens.issuers,
        'transactionTokens.issuers',
        options,
      );
    }
  } catch (err) {
    for (const resolver of [...resolvers.values(), ...tokenServices.values()]) resolver.close();
    throw err;
  }
  const cache =
    options.cacheEntries === 0
      ? null
      : createVerificationCache<Signed>({ maxEntries: options.cacheEntries, maxAgeSeconds: 3600 });
  const seen = new Int32Array(SEEN_SLOTS);
  // With one trusted issuer, `iss` (a fresh string per token) is compared rather than hashed
  // for a map lookup.
  const [only] = resolvers.size === 1 ? resolvers : [];
  const keysOf =
    only === undefined
      ? (issuer: string) => resolvers.get(issuer)
      : (issuer: string) => (issuer === only[0] ? only[1] : undefined);
  return {
    algorithms: options.algorithms,
    clockTolerance: options.clockTolerance,
    token: options.token,
    maxTokenLength: options.maxTokenLength,
    revocation: options.revocation,
    cache,
    now: options.now,
    logger: options.logger,
    resolvers,
    transaction:
      options.transactionTokens === null
        ? null
        : Object.freeze({
            settings: options.transactionTokens,
            resolvers: tokenServices,
            clockTolerance: options.clockTolerance,
            maxTokenLength: options.maxTokenLength,
          }),
    verifiesTxnTokens: options.settings.typ === TXN_TOKEN_TYPE,
    keysOf,
    admit(token, signed, now) {
      if (cache !== null && seenBefore(seen, token)) {
        cache.set(token, signed, signed.claims.exp as number | undefined, now);
      }
    },
    close() {
      for (const resolver of [...resolvers.values(), ...tokenServices.values()]) resolver.close();
    },
  };
}
