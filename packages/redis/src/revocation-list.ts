import { type RevocationList, ServiceJwtError } from '@service-jwt/core';
import {
  createCommandRunner,
  createScript,
  type IoRedisClientLike,
  type NodeRedisClientLike,
} from './client.js';
import { beforeLoss, epochAt, lossRefusal, newEpochId } from './epoch.js';
import { configError } from './options.js';
import {
  LOOKUP_SCRIPT,
  REVOKE_SCRIPT,
  type RevocationKind,
  revocationField,
  revocationKeys,
} from './revocation-layout.js';
import { flat } from './revocation-messages.js';
import { decide, tokenFields } from './revocation-mirror.js';
import { type RedisRevocationListOptions, validate } from './revocation-options.js';
import { createMirrorSync } from './revocation-sync.js';
import { type ChannelSubscription, subscribeChannel } from './subscriber.js';

/** A {@link RevocationList} kept in Redis, with a synchronous local mirror. */
export interface RedisRevocationList extends RevocationList {
  /** Resolves once the mirror is current; rejects with `store_unavailable` if closed first. */
  ready(): Promise<void>;
  /** `true` while the mirror is confirmed current (within `maxStaleness`). */
  readonly synchronized: boolean;
  close(): Promise<void>;
}

/**
 * A {@link RevocationList} shared through Redis by every instance with the same prefix. Each
 * instance keeps a local mirror, fed by pub/sub and re-synchronised on reconnection and every
 * `syncInterval`, so `check` answers synchronously without a Redis round trip.
 *
 * Propagation bound: a revocation is enforced by every instance no later than `maxStaleness`
 * (default 12 s) after `revoke*()` resolved, usually within milliseconds; an instance that can't
 * confirm its mirror within that bound fails closed (`store_unavailable`, 503) unless
 * `failOpen`. While its pub/sub connection is down it fails closed at once.
 *
 * Survives a store loss: every script checks the store epoch (README); once Redis is found to
 * have lost its records, every instance reloads its mirror and refuses each token issued before
 * the loss (`iat` before it plus `clockTolerance`, or none) with `store_unavailable` until the
 * token expires, in every mode (pub/sub or periodic), `failOpen` included.
 *
 * Revocations never weaken: revoking an issuer or subject "before" an earlier time, or a jti
 * until an earlier time, keeps the stronger rule. As in core's in-memory list, an issued-before
 * rule revokes tokens whose `iat` is at or before its time, and tokens without `iat`.
 *
 * @throws ServiceJwtError `configuration_error` naming the bad option; `revoke*` reject with
 *   `store_unavailable` when Redis can't be reached within `commandTimeout`.
 * @example
 * ```ts
 * const revocation = createRedisRevocationList({ client: redis, prefix: 'orders:' });
 * await revocation.ready();
 * const verifier = createVerifier({ issuers, audience: 'orders', revocation });
 * await revocation.revokeSubject('https://billing', 'user-42', Date.now() / 1000);
 * ```
 */
export function createRedisRevocationList(
  options: RedisRevocationListOptions,
): RedisRevocationList {
  const o = validate(options);
  const keys = revocationKeys(o.prefix);
  const keyArgs = [keys.jti, keys.before, keys.kid, keys.version, keys.epoch];
  const runner = createCommandRunner({
    client: options.client,
    commandTimeout: o.commandTimeout,
    maxInFlight: o.maxInFlight,
    retryAfter: o.retryAfter,
    what: 'revocation list',
  });
  const revokeScript = createScript(runner, REVOKE_SCRIPT);
  const lookupScript = createScript(runner, LOOKUP_SCRIPT);
  const nowSeconds = () => o.now() / 1000;

  let closed = false;
  const unavailable = (reason: string) =>
    new ServiceJwtError('store_unavailable', `revocation list unavailable: ${reason}`, {
      retryAfter: o.retryAfter,
    });

  // The subscription's callbacks fire asynchronously, after `state` exists.
  let subscription: ChannelSubscription | undefined;
  // A snapshot may hold maxEntries revocations: give it longer than one small command. Safety
  // does not depend on it (checks fail closed once maxStaleness passes); recovery does.
  const snapshotRunner = createCommandRunner({
    client: options.client,
    commandTimeout: 10 * o.commandTimeout,
    maxInFlight: 2,
    retryAfter: o.retryAfter,
    what: 'revocation list',
  });
  const state = createMirrorSync({
    runner,
    snapshotRunner,
    keys,
    maxEntries: o.maxEntries,
    maxStaleness: o.maxStaleness,
    syncInterval: o.syncInterval,
    commandTimeout: o.commandTimeout,
    nowSeconds,
    subscribed: options.subscriber === false ? undefined : () => subscription?.active === true,
    durable: o.durable,
  });
  if (options.subscriber !== false) {
    const client = options.client as IoRedisClientLike | NodeRedisClientLike;
    subscription = subscribeChannel(client, options.subscriber, keys.channel, {
      message: (payload) => state.message(payload),
      up: () => void state.sync(true),
      down: () => state.down(),
    });
  }

  const revoke = async (kind: RevocationKind, field: string, value: number) => {
    if (closed) throw unavailable('closed');
    const reply = await revokeScript(keyArgs, [
      kind,
      field,
      String(value),
      keys.channel,
      String(nowSeconds()),
      state.epochId,
      newEpochId(),
      o.durable,
    ]);
    state.applyLocal(kind, field, value);
    state.observe(epochAt(Array.isArray(reply) ? reply : [], 1));
  };

  const text = (value: unknown, name: string) => {
    if (typeof value !== 'string') {
      throw configError(`${name} must be a string`);
    }
    return value;
  };
  const time = (value: unknown, name: string) => {
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      throw configError(`${name} must be a finite number of epoch seconds`);
    }
    return value;
  };

  // After a loss, a token the store can't vouch for: issued before it, and not revoked anyway.
  const window = (token: Parameters<RevocationList['check']>[0]) => {
    if (beforeLoss(state.since, token.issuedAt, o.clockTolerance)) {
      throw lossRefusal(
        'revocation list',
        state.since,
        o.clockTolerance,
        nowSeconds(),
        o.retryAfter,
      );
    }
    return undefined;
  };

  const lookup = async (token: Parameters<RevocationList['check']>[0]) => {
    const f = tokenFields(token);
    const r = flat(
      await lookupScript([keys.jti, keys.before, keys.kid], [f.jti, f.subject, f.issuer, f.kid]),
    );
    const num = (s: string | undefined) => (s === undefined || s === '' ? undefined : Number(s));
    const facts = {
      jtiUntil: num(r[0]),
      subjectBefore: num(r[1]),
      issuerBefore: num(r[2]),
      kidRevoked: r[3] === '1',
    };
    return decide(token, facts, nowSeconds()) ?? window(token);
  };

  return {
    get synchronized() {
      return !closed && state.fresh();
    },
    ready() {
      if (closed) return Promise.reject(unavailable('closed'));
      return state.whenFresh();
    },
    check(token) {
      if ((closed || !state.fresh()) && !o.failOpen) {
        throw unavailable('not synchronised with Redis');
      }
      if (!state.overflow) {
        return decide(token, state.mirror.facts(token), nowSeconds()) ?? window(token);
      }
      return lookup(token).catch((err: unknown) => {
        if (o.failOpen && !beforeLoss(state.since, token.issuedAt, o.clockTolerance)) {
          return undefined;
        }
        throw err;
      });
    },
    async revokeToken(issuer, jti, expiresAt) {
      const field = revocationField('j', text(issuer, 'issuer'), text(jti, 'jti'));
      await revoke('j', field, time(expiresAt, 'expiresAt'));
    },
    async revokeSubject(issuer, subject, before) {
      const field = revocationField('s', text(issuer, 'issuer'), text(subject, 'subject'));
      await revoke('s', field, time(before, 'before'));
    },
    async revokeIssuer(issuer, before) {
      await revoke('i', revocationField('i', text(issuer, 'issuer')), time(before, 'before'));
    },
    async revokeKey(issuer, kid) {
      await revoke('k', revocationField('k', text(issuer, 'issuer'), text(kid, 'kid')), 0);
    },
    async close() {
      if (closed) return;
      closed = true;
      state.stop(unavailable('closed'));
      await subscription?.close();
    },
  };
}
