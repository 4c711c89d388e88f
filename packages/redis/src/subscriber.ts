import type { IoRedisClientLike, NodeRedisClientLike } from './client.js';
import { isIoRedis } from './client.js';

/** Callbacks of a {@link ChannelSubscription}. */
export interface SubscriptionEvents {
  message(payload: string): void;
  /** The subscription is (again) active: resynchronise. */
  up(): void;
  /** Messages may be lost from now on, until the next `up`. */
  down(): void;
}

/** One channel subscription on a dedicated pub/sub connection. */
export interface ChannelSubscription {
  /** `true` while subscribed and connected. */
  readonly active: boolean;
  /** Unsubscribes, and closes the connection if this package opened it. */
  close(): Promise<void>;
}

/**
 * Subscribes to `channel` on `subscriber`, or, when `subscriber` is `undefined`, on a
 * duplicate of `client` that this package opens and later closes. A subscriber passed in is
 * never closed: only our channel and listeners are removed from it.
 */
export function subscribeChannel(
  client: IoRedisClientLike | NodeRedisClientLike,
  subscriber: IoRedisClientLike | NodeRedisClientLike | undefined,
  channel: string,
  events: SubscriptionEvents,
): ChannelSubscription {
  const owned = subscriber === undefined;
  const target = subscriber ?? client;
  return isIoRedis(target, owned ? 'client' : 'subscriber')
    ? subscribeIoRedis(owned ? target.duplicate() : target, owned, channel, events)
    : subscribeNodeRedis(owned ? target.duplicate() : target, owned, channel, events);
}

function subscribeIoRedis(
  sub: IoRedisClientLike,
  owned: boolean,
  channel: string,
  events: SubscriptionEvents,
): ChannelSubscription {
  let active = false;
  let closed = false;
  const subscribe = () => {
    // Re-issuing SUBSCRIBE after a reconnection is idempotent; awaiting its reply guarantees
    // that the subscription is live before we take the snapshot that `up` triggers.
    sub.subscribe(channel).then(
      () => {
        if (closed || active) return;
        active = true;
        events.up();
      },
      () => {
        // The connection dropped again; `ready` fires once it is back.
      },
    );
  };
  const onMessage = (ch: string, message: string) => {
    if (ch === channel) events.message(message);
  };
  const onReady = () => subscribe();
  const onDown = () => {
    if (!active) return;
    active = false;
    events.down();
  };
  const onError = () => {
    // Connection errors surface as `close`; the listener keeps ioredis from logging them.
  };
  sub.on('message', onMessage as never);
  sub.on('ready', onReady);
  sub.on('close', onDown);
  sub.on('end', onDown);
  sub.on('error', onError);
  if (sub.status === 'ready' || sub.status === 'wait' || !owned) subscribe();
  return {
    get active() {
      return active && sub.status === 'ready';
    },
    async close() {
      closed = true;
      active = false;
      sub.removeListener('message', onMessage as never);
      sub.removeListener('ready', onReady);
      sub.removeListener('close', onDown);
      sub.removeListener('end', onDown);
      if (owned) {
        sub.disconnect();
      } else {
        await sub.unsubscribe(channel).catch(() => undefined);
      }
      sub.removeListener('error', onError);
    },
  };
}

function subscribeNodeRedis(
  sub: NodeRedisClientLike,
  owned: boolean,
  channel: string,
  events: SubscriptionEvents,
): ChannelSubscription {
  let active = false;
  let closed = false;
  const listener = (message: string) => events.message(message);
  const onReady = () => {
    // node-redis resubscribes by itself during the reconnection handshake, before `ready`.
    if (closed || active || !subscribed) return;
    active = true;
    events.up();
  };
  const onDown = () => {
    if (!active) return;
    active = false;
    events.down();
  };
  const onError = () => {
    // Reported through `reconnecting`/`end`; the listener keeps the client from throwing.
  };
  let subscribed = false;
  sub.on('ready', onReady);
  sub.on('reconnecting', onDown);
  sub.on('end', onDown);
  sub.on('error', onError);
  const start = async () => {
    if (owned) await sub.connect();
    await sub.subscribe(channel, listener);
    subscribed = true;
    if (!closed && sub.isReady && !active) {
      active = true;
      events.up();
    }
  };
  start().catch(() => {
    // Connection failures are retried by the client; `ready` reports the recovery.
  });
  return {
    get active() {
      return active && sub.isReady;
    },
    async close() {
      closed = true;
      active = false;
      sub.removeListener('ready', onReady);
      sub.removeListener('reconnecting', onDown);
      sub.removeListener('end', onDown);
      if (owned) {
        const closer = sub as unknown as { destroy?: () => void; disconnect?: () => Promise<void> };
        if (typeof closer.destroy === 'function') closer.destroy();
        else await closer.disconnect?.().catch(() => undefined);
      } else if (subscribed) {
        await sub.unsubscribe(channel, listener).catch(() => undefined);
      }
      sub.removeListener('error', onError);
    },
  };
}
