/** A token minted for the cache, with what is needed to decide when to renew it. */
export interface CachedToken {
  readonly token: string;
  readonly iat: number;
  readonly exp: number;
  readonly kid: string;
}

interface Entry {
  minted: CachedToken | undefined;
  promise: Promise<string>;
}

const MAX_ENTRIES = 1000;

/**
 * Seconds before `exp` at which a cached token is renewed: 20% of its lifetime, but at least
 * 30 s (or half the lifetime, for tokens shorter than a minute), so a token handed out is
 * never close to expiring in transit.
 */
export function renewalLead(lifetime: number): number {
  return Math.max(Math.min(30, lifetime / 2), lifetime * 0.2);
}

/**
 * One token per key (audience and subject), minted on first use and renewed ahead of expiry
 * or when the signing key changed. Concurrent callers share one in-flight signing; a failed
 * signing is not cached. Bounded: the oldest entry goes when {@link MAX_ENTRIES} is reached.
 */
export function createTokenCache(
  mint: (cacheKey: string) => Promise<CachedToken>,
  nowSeconds: () => number,
  currentKid: () => string,
) {
  const entries = new Map<string, Entry>();

  function fresh(minted: CachedToken): boolean {
    const lead = renewalLead(minted.exp - minted.iat);
    return nowSeconds() < minted.exp - lead && minted.kid === currentKid();
  }

  return {
    get(cacheKey: string): Promise<string> {
      const existing = entries.get(cacheKey);
      if (existing !== undefined) {
        if (existing.minted === undefined) return existing.promise;
        if (fresh(existing.minted)) return existing.promise;
      }
      const entry: Entry = { minted: undefined, promise: Promise.resolve('') };
      entry.promise = mint(cacheKey).then(
        (minted) => {
          entry.minted = minted;
          return minted.token;
        },
        (err: unknown) => {
          if (entries.get(cacheKey) === entry) entries.delete(cacheKey);
          throw err;
        },
      );
      entries.delete(cacheKey);
      if (entries.size >= MAX_ENTRIES) {
        const oldest = entries.keys().next();
        if (!oldest.done) entries.delete(oldest.value);
      }
      entries.set(cacheKey, entry);
      return entry.promise;
    },
    clear(): void {
      entries.clear();
    },
  };
}
