import { ServiceJwtError } from '../errors/service-jwt-error.js';
import { answeringInMemory } from './in-memory.js';
import { checkMaxEntries, checkNow } from './memory-replay-store.js';
import type { RevocationList, RevocationReason, RevocationSubject } from './store-interfaces.js';

/** Options of {@link createMemoryRevocationList}. */
export interface MemoryRevocationListOptions {
  /**
   * Most entries held at once (revoked token ids, subjects and key ids together; issuers are
   * bounded by configuration). Beyond it a revocation rejects with `store_unavailable`.
   * @default 100000
   */
  readonly maxEntries?: number;
  /** Clock, epoch milliseconds. @default Date.now */
  readonly now?: () => number;
}

function full(): Promise<never> {
  return Promise.reject(new ServiceJwtError('store_unavailable', 'revocation list is full'));
}

function invalid(message: string): Promise<never> {
  return Promise.reject(new ServiceJwtError('configuration_error', message));
}

/** An unambiguous in-process key for an (issuer, id) pair: the issuer's length prefixes it. */
function pairKey(issuer: string, id: string): string {
  return `${issuer.length}:${issuer}${id}`;
}

function isTime(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

/**
 * An in-process {@link RevocationList}. `check` is synchronous and O(1) (four map lookups).
 *
 * Rules:
 * - **jti**: `revokeToken(issuer, jti, expiresAt)` revokes that token id of that issuer until
 *   `expiresAt` (epoch seconds; pass the token's `exp`); the entry is then dropped.
 * - **subject / issuer issued-before**: a token of the issuer (and subject) is revoked when its
 *   `iat` is **at or before** `before`. `iat` has one-second resolution, so a token minted in
 *   the same second as the revocation cannot be told apart from one minted just before it;
 *   revoking it is the fail-closed choice. Revoking again keeps the later time (revocations
 *   only widen). A token **without `iat`** is revoked whenever such a rule matches its issuer
 *   or subject: its issue time is unknown, so it fails closed.
 * - **kid**: every token of the issuer whose header `kid` is the revoked key id.
 *
 * Bounded: revoked token ids, subjects and key ids together hold at most `maxEntries`; expired
 * token ids are swept (amortised, no timer) before a revocation is refused with
 * `store_unavailable` — never by forgetting an unexpired revocation.
 *
 * @throws ServiceJwtError `configuration_error` for invalid options; the `revoke*` methods
 *   reject with `configuration_error` for invalid arguments and `store_unavailable` when full.
 * @example
 * ```ts
 * const revocation = createMemoryRevocationList();
 * await revocation.revokeSubject('https://users.example', 'user-42', Math.floor(Date.now() / 1000));
 * const verifier = createVerifier({ ..., revocation });
 * ```
 */
export function createMemoryRevocationList(
  options: MemoryRevocationListOptions = {},
): RevocationList {
  const maxEntries = checkMaxEntries(options.maxEntries ?? 100_000, 'revocation.maxEntries');
  const now = checkNow(options.now, 'revocation.now');
  const tokens = new Map<string, number>();
  const subjects = new Map<string, number>();
  const issuers = new Map<string, number>();
  const keys = new Set<string>();
  let insertsSinceSweep = 0;

  const size = (): number => tokens.size + subjects.size + keys.size;

  function sweepTokens(): void {
    const nowSeconds = now() / 1000;
    for (const [key, expiresAt] of tokens) if (expiresAt <= nowSeconds) tokens.delete(key);
    insertsSinceSweep = 0;
  }

  /** Makes room for one more entry; `false` when the list is full of live entries. */
  function room(): boolean {
    if (insertsSinceSweep >= Math.max(1024, tokens.size >>> 1)) sweepTokens();
    if (size() < maxEntries) return true;
    sweepTokens();
    return size() < maxEntries;
  }

  function issuedBefore(before: number | undefined, issuedAt: number | undefined): boolean {
    return before !== undefined && (issuedAt === undefined || issuedAt <= before);
  }

  return answeringInMemory({
    check(token: RevocationSubject): RevocationReason | undefined {
      const { issuer, subject, jti, kid, issuedAt } = token;
      // Size guards skip building keys for empty maps: the common case is an empty list.
      if (kid !== undefined && keys.size > 0 && keys.has(pairKey(issuer, kid))) return 'kid';
      if (issuers.size > 0 && issuedBefore(issuers.get(issuer), issuedAt)) return 'issuer';
      if (
        subject !== undefined &&
        subjects.size > 0 &&
        issuedBefore(subjects.get(pairKey(issuer, subject)), issuedAt)
      ) {
        return 'subject';
      }
      if (jti !== undefined && tokens.size > 0) {
        const key = pairKey(issuer, jti);
        const expiresAt = tokens.get(key);
        if (expiresAt !== undefined) {
          if (expiresAt > now() / 1000) return 'jti';
          tokens.delete(key);
        }
      }
      return undefined;
    },

    revokeToken(issuer: string, jti: string, expiresAt: number): Promise<void> {
      if (typeof issuer !== 'string' || typeof jti !== 'string' || !isTime(expiresAt)) {
        return invalid('revokeToken(issuer, jti, expiresAt) needs two strings and a finite time');
      }
      const key = pairKey(issuer, jti);
      if (expiresAt <= now() / 1000) {
        tokens.delete(key);
        return Promise.resolve();
      }
      const existing = tokens.get(key);
      if (existing === undefined) {
        if (!room()) return full();
        insertsSinceSweep++;
      }
      tokens.set(key, Math.max(existing ?? expiresAt, expiresAt));
      return Promise.resolve();
    },

    revokeSubject(issuer: string, subject: string, before: number): Promise<void> {
      if (typeof issuer !== 'string' || typeof subject !== 'string' || !isTime(before)) {
        return invalid(
          'revokeSubject(issuer, subject, before) needs two strings and a finite time',
        );
      }
      const key = pairKey(issuer, subject);
      const existing = subjects.get(key);
      if (existing === undefined && !room()) return full();
      subjects.set(key, Math.max(existing ?? before, before));
      return Promise.resolve();
    },

    revokeIssuer(issuer: string, before: number): Promise<void> {
      if (typeof issuer !== 'string' || !isTime(before)) {
        return invalid('revokeIssuer(issuer, before) needs a string and a finite time');
      }
      const existing = issuers.get(issuer);
      // Issuers are few (trusted issuers come from configuration), but stay bounded anyway.
      if (existing === undefined && issuers.size >= maxEntries) return full();
      issuers.set(issuer, Math.max(existing ?? before, before));
      return Promise.resolve();
    },

    revokeKey(issuer: string, kid: string): Promise<void> {
      if (typeof issuer !== 'string' || typeof kid !== 'string') {
        return invalid('revokeKey(issuer, kid) needs two strings');
      }
      const key = pairKey(issuer, kid);
      if (!keys.has(key) && !room()) return full();
      keys.add(key);
      return Promise.resolve();
    },

    close(): Promise<void> {
      return Promise.resolve();
    },
  });
}
