// The Redis key layout of the revocation list and the Lua scripts that keep it consistent.
// All keys share the `{rev}` hash tag so the scripts also run on Redis Cluster.
import { EPOCH_LUA } from './epoch.js';

//   <prefix>{rev}:jti      ZSET   member JSON [issuer, jti]      score: expiresAt (epoch s)
//   <prefix>{rev}:before   HASH   field "s"+JSON [issuer, sub]   value: before (epoch s)
//                                 field "i"+JSON [issuer]        value: before (epoch s)
//   <prefix>{rev}:kid      SET    member JSON [issuer, kid]
//   <prefix>{rev}:version  STRING counter, incremented by every revocation
//   <prefix>{rev}:epoch    HASH   the store epoch (epoch.ts): id, since, run
//   <prefix>{rev}:events   pub/sub channel: "<version>|<kind>|<number>|<field>", and
//                                 "0|e|<since>|<epoch id>" when an epoch begins after a loss

/** One revocation: `j` token id, `s` subject before, `i` issuer before, `k` key id. */
export type RevocationKind = 'j' | 's' | 'i' | 'k';

export interface RevocationKeys {
  readonly jti: string;
  readonly before: string;
  readonly kid: string;
  readonly version: string;
  readonly epoch: string;
  readonly channel: string;
}

export function revocationKeys(prefix: string): RevocationKeys {
  const base = `${prefix}{rev}:`;
  return {
    jti: `${base}jti`,
    before: `${base}before`,
    kid: `${base}kid`,
    version: `${base}version`,
    epoch: `${base}epoch`,
    channel: `${base}events`,
  };
}

/** The field of one revocation: JSON keeps any issuer, subject, jti or kid unambiguous. */
export function revocationField(kind: RevocationKind, issuer: string, value?: string): string {
  return kind === 'i' ? JSON.stringify([issuer]) : JSON.stringify([issuer, value]);
}

// The epoch step shared by both scripts: ARGV of the script at `at` are known fresh durable;
// an epoch begun after a loss is announced on the channel so every instance reloads at once.
const epochStep = (at: number, channel: string) => `
local id, since, began = epoch(KEYS[5], ARGV[${at}], ARGV[${at + 1}], ARGV[${at + 2}])
if began and since ~= '0' then redis.call('PUBLISH', ${channel}, '0|e|' .. since .. '|' .. id) end
`;

/**
 * KEYS jti before kid version epoch; ARGV kind field number channel now known fresh durable.
 * Checks the store epoch, stores the revocation (never weakening an existing one: the larger
 * expiry or `before` wins), drops expired token ids, bumps the version and publishes the change
 * with it, all atomically, so versions on the channel are contiguous and a gap always means a
 * lost message. Replies `{version, epochId, since}`.
 */
export const REVOKE_SCRIPT = `${EPOCH_LUA}${epochStep(6, 'ARGV[4]')}
local kind, field, n = ARGV[1], ARGV[2], tonumber(ARGV[3])
if kind == 'j' then
  redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', '(' .. ARGV[5])
  local cur = tonumber(redis.call('ZSCORE', KEYS[1], field) or '')
  if not cur or cur < n then redis.call('ZADD', KEYS[1], ARGV[3], field) end
elseif kind == 'k' then
  redis.call('SADD', KEYS[3], field)
else
  local cur = tonumber(redis.call('HGET', KEYS[2], kind .. field) or '')
  if not cur or cur < n then redis.call('HSET', KEYS[2], kind .. field, ARGV[3]) end
end
local v = redis.call('INCR', KEYS[4])
redis.call('PUBLISH', ARGV[4], v .. '|' .. kind .. '|' .. ARGV[3] .. '|' .. field)
return {v, id, since}
`;

/**
 * KEYS jti before kid version epoch; ARGV mode now maxEntries known fresh durable channel.
 * Checks the store epoch. Mode `version` replies `{version, epochId, since}` only (the cheap
 * periodic check). Mode `snapshot` replies `{version, epochId, since, total}` when there are
 * more live revocations than `maxEntries`, else a consistent snapshot
 * `{version, epochId, since, total, jti+scores, before hash, kids}`.
 */
export const SYNC_SCRIPT = `${EPOCH_LUA}${epochStep(4, 'ARGV[7]')}
local v = redis.call('GET', KEYS[4]) or '0'
if ARGV[1] == 'version' then return {v, id, since} end
local live = '(' .. ARGV[2]
local total = redis.call('ZCOUNT', KEYS[1], live, '+inf') + redis.call('HLEN', KEYS[2])
  + redis.call('SCARD', KEYS[3])
if total > tonumber(ARGV[3]) then return {v, id, since, total} end
return {v, id, since, total, redis.call('ZRANGEBYSCORE', KEYS[1], live, '+inf', 'WITHSCORES'),
  redis.call('HGETALL', KEYS[2]), redis.call('SMEMBERS', KEYS[3])}
`;

/**
 * KEYS jti before kid; ARGV jtiField subjectField issuerField kidField (empty: not asked).
 * Replies four strings, empty when nothing is revoked: jti expiry, subject before, issuer
 * before, and "1" for a revoked kid. Used only when the mirror is over its size limit.
 */
export const LOOKUP_SCRIPT = `
local r = {'', '', '', ''}
if ARGV[1] ~= '' then r[1] = redis.call('ZSCORE', KEYS[1], ARGV[1]) or '' end
if ARGV[2] ~= '' then r[2] = redis.call('HGET', KEYS[2], 's' .. ARGV[2]) or '' end
r[3] = redis.call('HGET', KEYS[2], 'i' .. ARGV[3]) or ''
if ARGV[4] ~= '' and redis.call('SISMEMBER', KEYS[3], ARGV[4]) == 1 then r[4] = '1' end
return r
`;
