// The Redis key layout of the revocation list and the Lua scripts that keep it consistent.
// All keys share the `{rev}` hash tag so the scripts also run on Redis Cluster.
//
//   <prefix>{rev}:jti      ZSET   member JSON [issuer, jti]      score: expiresAt (epoch s)
//   <prefix>{rev}:before   HASH   field "s"+JSON [issuer, sub]   value: before (epoch s)
//                                 field "i"+JSON [issuer]        value: before (epoch s)
//   <prefix>{rev}:kid      SET    member JSON [issuer, kid]
//   <prefix>{rev}:version  STRING counter, incremented by every revocation
//   <prefix>{rev}:events   pub/sub channel: "<version>|<kind>|<number>|<field>"

/** One revocation: `j` token id, `s` subject before, `i` issuer before, `k` key id. */
export type RevocationKind = 'j' | 's' | 'i' | 'k';

export interface RevocationKeys {
  readonly jti: string;
  readonly before: string;
  readonly kid: string;
  readonly version: string;
  readonly channel: string;
}

export function revocationKeys(prefix: string): RevocationKeys {
  const base = `${prefix}{rev}:`;
  return {
    jti: `${base}jti`,
    before: `${base}before`,
    kid: `${base}kid`,
    version: `${base}version`,
    channel: `${base}events`,
  };
}

/** The field of one revocation: JSON keeps any issuer, subject, jti or kid unambiguous. */
export function revocationField(kind: RevocationKind, issuer: string, value?: string): string {
  return kind === 'i' ? JSON.stringify([issuer]) : JSON.stringify([issuer, value]);
}

/**
 * KEYS jti before kid version; ARGV kind field number channel now. Stores the revocation (never
 * weakening an existing one: the larger expiry or `before` wins), drops expired token ids, bumps
 * the version and publishes the change with it, all atomically, so versions on the channel are
 * contiguous and a gap always means a lost message.
 */
export const REVOKE_SCRIPT = `
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
return v
`;

/**
 * KEYS jti before kid version; ARGV mode now maxEntries. Mode `version` replies `{version}`
 * only (the cheap periodic check). Mode `snapshot` replies `{version, total}` when there are
 * more live revocations than `maxEntries`, else a consistent snapshot
 * `{version, total, jti+scores, before hash, kids}`.
 */
export const SYNC_SCRIPT = `
local v = redis.call('GET', KEYS[4]) or '0'
if ARGV[1] == 'version' then return {v} end
local live = '(' .. ARGV[2]
local total = redis.call('ZCOUNT', KEYS[1], live, '+inf') + redis.call('HLEN', KEYS[2])
  + redis.call('SCARD', KEYS[3])
if total > tonumber(ARGV[3]) then return {v, total} end
return {v, total, redis.call('ZRANGEBYSCORE', KEYS[1], live, '+inf', 'WITHSCORES'),
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
