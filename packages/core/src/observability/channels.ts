import { channel } from 'node:diagnostics_channel';
import type {
  KeySetCooldownEvent,
  KeySetFetchEvent,
  KeySetStaleEvent,
  RevocationSyncEvent,
  StoreErrorEvent,
  VerificationEvent,
} from './events.js';

/**
 * The `node:diagnostics_channel` channels service-jwt publishes on: subscribe with
 * `diagnostics_channel.subscribe(CHANNELS.verification, listener)`, with no option set. Nothing
 * is built or timed unless a channel has a subscriber. Public API: names and event shapes
 * change only with a major version.
 *
 * | channel | event |
 * | --- | --- |
 * | `service-jwt:verification` | {@link VerificationEvent} |
 * | `service-jwt:key-set:fetch` | {@link KeySetFetchEvent} |
 * | `service-jwt:key-set:stale` | {@link KeySetStaleEvent} |
 * | `service-jwt:key-set:cooldown` | {@link KeySetCooldownEvent} |
 * | `service-jwt:store:error` | {@link StoreErrorEvent} |
 * | `service-jwt:revocation:sync` | {@link RevocationSyncEvent} |
 */
export const CHANNELS = Object.freeze({
  verification: 'service-jwt:verification',
  keySetFetch: 'service-jwt:key-set:fetch',
  keySetStale: 'service-jwt:key-set:stale',
  keySetCooldown: 'service-jwt:key-set:cooldown',
  storeError: 'service-jwt:store:error',
  revocationSync: 'service-jwt:revocation:sync',
} as const);

// Channel objects are looked up once; `hasSubscribers` is a field read, so an unobserved
// publish point costs one branch.
export const verificationChannel = channel(CHANNELS.verification);
export const keySetFetchChannel = channel(CHANNELS.keySetFetch);
export const keySetStaleChannel = channel(CHANNELS.keySetStale);
export const keySetCooldownChannel = channel(CHANNELS.keySetCooldown);
export const storeErrorChannel = channel(CHANNELS.storeError);
export const revocationSyncChannel = channel(CHANNELS.revocationSync);

export function publishKeySetFetch(event: KeySetFetchEvent): void {
  keySetFetchChannel.publish(event);
}

export function publishKeySetStale(event: KeySetStaleEvent): void {
  keySetStaleChannel.publish(event);
}

export function publishKeySetCooldown(event: KeySetCooldownEvent): void {
  keySetCooldownChannel.publish(event);
}

export function publishStoreError(event: StoreErrorEvent): void {
  storeErrorChannel.publish(event);
}

export function publishRevocationSync(event: RevocationSyncEvent): void {
  revocationSyncChannel.publish(event);
}

export function publishVerification(event: VerificationEvent): void {
  verificationChannel.publish(event);
}
