import { ServiceJwtError } from '../errors/service-jwt-error.js';
import type { PublicJwk } from './signing-keys.js';
import type { TokenSigningKey } from './token-signing-key.js';

/** Options of a rotation. */
export interface RotateOptions {
  /**
   * Seconds between publishing the next key and signing with it, so that every cached copy
   * of the old key set (our `Cache-Control: max-age`, verifiers' own key caches) has been
   * refreshed before the first token signed by the new key arrives. Must be longer than the
   * JWKS `max-age` (default 300). `0` switches at once. @default 600
   */
  readonly activateAfter?: number;
  /**
   * Seconds after the switch at which the old public key leaves the published set, whatever
   * tokens it signed. @default until the last token it signed has expired (plus 60 s of
   * clock tolerance)
   */
  readonly retireAfter?: number;
}

/** What {@link KeyRing.rotate} scheduled. */
export interface RotationPlan {
  /** `kid` of the next key. */
  readonly kid: string;
  /** When it starts signing, epoch milliseconds. */
  readonly activatesAt: number;
}

interface Entry {
  readonly key: TokenSigningKey;
  /** Latest `exp` (seconds) of a token this key signed. */
  lastExp: number;
  /** Set when the key stopped signing through a rotation; epoch ms. */
  retireAt: number | undefined;
  retireAfter: number | undefined;
}

/** Retired keys stay published this long past their last token's `exp` (clock tolerance). */
const RETIRE_MARGIN_MS = 60_000;
export const DEFAULT_ACTIVATE_AFTER = 600;

/**
 * The signer's keys through rotations: one signing key, an optional next key (published, not
 * yet signing), and superseded keys kept until their tokens have expired. Time is read from
 * `now` (epoch ms) on every call, so transitions need no timers.
 */
export interface KeyRing {
  /** The key that signs now; records that it issued a token expiring at `exp` (seconds). */
  signingKey(exp?: number): TokenSigningKey;
  /** Every key that verifiers must know now: signing, next, and not-yet-retired old keys. */
  publicKeys(): PublicJwk[];
  rotate(next: TokenSigningKey, options: RotateOptions): RotationPlan;
}

function check(value: number | undefined, option: string): void {
  if (value !== undefined && !(Number.isFinite(value) && value >= 0)) {
    throw new ServiceJwtError('configuration_error', `${option} must be a number of seconds >= 0`);
  }
}

export function createKeyRing(keys: readonly TokenSigningKey[], now: () => number): KeyRing {
  const entry = (key: TokenSigningKey): Entry => ({
    key,
    lastExp: 0,
    retireAt: undefined,
    retireAfter: undefined,
  });
  // entries[0] signs; the others are published. Initial extra keys never retire on their own.
  const entries: Entry[] = keys.map(entry);
  let pending: { entry: Entry; activatesAt: number } | undefined;

  function settle(): void {
    const at = now();
    if (pending !== undefined && at >= pending.activatesAt) {
      const old = entries[0] as Entry;
      const switchedAt = pending.activatesAt;
      old.retireAt =
        old.retireAfter !== undefined
          ? switchedAt + old.retireAfter * 1000
          : Math.max(switchedAt, old.lastExp * 1000 + RETIRE_MARGIN_MS);
      entries.unshift(pending.entry);
      pending = undefined;
    }
    for (let i = entries.length - 1; i > 0; i--) {
      const retireAt = (entries[i] as Entry).retireAt;
      if (retireAt !== undefined && at >= retireAt) entries.splice(i, 1);
    }
  }

  return {
    signingKey(exp) {
      settle();
      const current = entries[0] as Entry;
      if (exp !== undefined && exp > current.lastExp) current.lastExp = exp;
      return current.key;
    },
    publicKeys() {
      settle();
      const all = [entries[0] as Entry, ...(pending ? [pending.entry] : []), ...entries.slice(1)];
      return all.flatMap((e) => (e.key.publicJwk ? [{ ...e.key.publicJwk }] : []));
    },
    rotate(next, options) {
      check(options.activateAfter, 'rotate options.activateAfter');
      check(options.retireAfter, 'rotate options.retireAfter');
      settle();
      if (pending !== undefined) {
        throw new ServiceJwtError(
          'configuration_error',
          `a rotation to kid "${pending.entry.key.kid}" is already pending`,
        );
      }
      if (entries.some((e) => e.key.kid === next.kid)) {
        throw new ServiceJwtError(
          'configuration_error',
          `kid "${next.kid}" is already in the key set`,
        );
      }
      (entries[0] as Entry).retireAfter = options.retireAfter;
      const activatesAt = now() + (options.activateAfter ?? DEFAULT_ACTIVATE_AFTER) * 1000;
      pending = { entry: entry(next), activatesAt };
      settle();
      return { kid: next.kid, activatesAt };
    },
  };
}
