// The store epoch: how the replay store and the revocation list notice that Redis lost their
// records (a restart without persistence, FLUSHALL, a failover to a lagging replica, a cluster
// slot whose owner came back empty), and the window of tokens they refuse afterwards.
//
// Each structure keeps an epoch record (a hash) beside its data, in the same cluster slot:
//
//   id     random id of the epoch, chosen by the client that began it
//   since  epoch seconds (Redis TIME) when it began after a loss; "0" for a store first used
//   run    run_id of the Redis process that holds the record
//
// Every script of the structure runs the epoch step first, atomically with its own work. A new
// epoch begins, with `since` = now, when
//   - the record is missing and the caller had seen one before (a total loss), or
//   - the record was written by another Redis process (a restart or a failover: the new process
//     may lack writes the old one acknowledged; a replica lags by design), unless the owner
//     declared that Redis never loses an acknowledged write (`durableWrites`), or
//   - the caller had seen another id, and the record says it began on a fresh store: it was
//     re-created, after a loss, by an instance that had not seen the store before.
// A missing record that nobody remembers is a store used for the first time (`since` = 0): a
// loss while no instance of the fleet runs is indistinguishable from it (README: the limit).

import { randomBytes } from 'node:crypto';
import { ServiceJwtError } from '@service-jwt/core';

/** What a script tells about the epoch: its id, and when it began after a loss (0: never). */
export interface Epoch {
  readonly id: string;
  readonly since: number;
}

/**
 * Lua: `local id, since, began = epoch(key, known, fresh, durable)`. `known` is the epoch id the
 * caller saw last ('' for none), `fresh` the id to use if an epoch begins now, `durable` '1'
 * when a new Redis process is not by itself a loss.
 */
export const EPOCH_LUA = `
local function epoch(key, known, fresh, durable)
  local run = string.match(redis.call('INFO', 'server'), 'run_id:(%x+)') or ''
  local r = redis.call('HMGET', key, 'id', 'since', 'run')
  local id, since = r[1], r[2]
  if not id then
    since = '0'
    if known ~= '' then since = redis.call('TIME')[1] end
    redis.call('HSET', key, 'id', fresh, 'since', since, 'run', run)
    return fresh, since, true
  end
  if r[3] ~= run then
    if durable == '1' then
      redis.call('HSET', key, 'run', run)
      return id, since, false
    end
    since = redis.call('TIME')[1]
    redis.call('HSET', key, 'id', fresh, 'since', since, 'run', run)
    return fresh, since, true
  end
  if known ~= '' and known ~= id and since == '0' then
    since = redis.call('TIME')[1]
    redis.call('HSET', key, 'since', since)
    return id, since, true
  end
  return id, since, false
end
`;

/** A new epoch id: 128 random bits, hex. */
export function newEpochId(): string {
  return randomBytes(16).toString('hex');
}

/** Reads the `id, since` pair a script returns at `offset` of its reply. */
export function epochAt(reply: readonly unknown[], offset: number): Epoch {
  const id = reply[offset];
  const since = Number(reply[offset + 1]);
  if (typeof id !== 'string' || id === '' || !Number.isFinite(since)) {
    throw new Error('unexpected epoch in the reply of a script');
  }
  return { id, since };
}

/**
 * Whether the epoch must refuse a token: after a loss (`since` > 0), every token issued before
 * it, the clock tolerance included, or without `iat`. Such a token is refused until it expires,
 * and the verifier refuses it from then on anyway: the window is bounded by each token's `exp`.
 */
export function beforeLoss(
  since: number,
  issuedAt: number | undefined,
  tolerance: number,
): boolean {
  return since > 0 && (issuedAt === undefined || issuedAt < since + tolerance);
}

/**
 * The refusal of a token issued before a loss: 503 `store_unavailable`. `Retry-After` is when a
 * token minted anew passes (at least `retryAfter`): the refused token itself never will.
 */
export function lossRefusal(
  what: string,
  since: number,
  tolerance: number,
  nowSeconds: number,
  retryAfter: number,
): ServiceJwtError {
  const wait = Math.max(retryAfter, Math.ceil(since + tolerance - nowSeconds) + 1);
  return new ServiceJwtError(
    'store_unavailable',
    `${what} lost its records: tokens issued before the loss are refused until they expire`,
    { retryAfter: wait },
  );
}
