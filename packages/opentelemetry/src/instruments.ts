import type { Counter, Histogram, Meter, ObservableGauge } from '@opentelemetry/api';

/** The metric names this package records (see the README for units and attributes). */
export const METRICS = Object.freeze({
  verificationDuration: 'service_jwt.verification.duration',
  keySetFetches: 'service_jwt.key_set.fetches',
  keySetStaleKeysServed: 'service_jwt.key_set.stale_keys_served',
  keySetRefetchesHeldBack: 'service_jwt.key_set.refetches_held_back',
  keySetAge: 'service_jwt.key_set.age',
  storeErrors: 'service_jwt.store.errors',
  revocationSyncEvents: 'service_jwt.revocation.sync_events',
} as const);

/**
 * Bucket bounds of the verification histogram, in seconds. A verification on `node:crypto` takes
 * tens of microseconds (a cache hit) to about a millisecond; one that waits for a key-set fetch
 * takes up to the fetch time-out (5 s by default). The SDK's default bounds (0, 5, 10, 25 … 10000)
 * would put every verification in the first bucket.
 */
export const VERIFICATION_DURATION_BUCKETS: readonly number[] = Object.freeze([
  0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5,
  5, 10,
]);

export interface Instruments {
  readonly verificationDuration: Histogram;
  readonly keySetFetches: Counter;
  readonly keySetStaleKeysServed: Counter;
  readonly keySetRefetchesHeldBack: Counter;
  readonly keySetAge: ObservableGauge;
  readonly storeErrors: Counter;
  readonly revocationSyncEvents: Counter;
}

export function createInstruments(meter: Meter): Instruments {
  return {
    verificationDuration: meter.createHistogram(METRICS.verificationDuration, {
      description: 'Duration of service-jwt verifications, accepted and refused.',
      unit: 's',
      advice: { explicitBucketBoundaries: [...VERIFICATION_DURATION_BUCKETS] },
    }),
    keySetFetches: meter.createCounter(METRICS.keySetFetches, {
      description: "Fetches of trusted issuers' remote key sets, by outcome.",
      unit: '{fetch}',
    }),
    keySetStaleKeysServed: meter.createCounter(METRICS.keySetStaleKeysServed, {
      description:
        'Keys served past cacheMaxAge because the key-set endpoint failed (one per key lookup).',
      unit: '{key}',
    }),
    keySetRefetchesHeldBack: meter.createCounter(METRICS.keySetRefetchesHeldBack, {
      description: 'Refetches for an unknown kid held back by the cooldown.',
      unit: '{refetch}',
    }),
    keySetAge: meter.createObservableGauge(METRICS.keySetAge, {
      description: 'Seconds since the last successful fetch of the key set, per issuer.',
      unit: 's',
    }),
    storeErrors: meter.createCounter(METRICS.storeErrors, {
      description:
        'Replay-store and revocation-list failures (each refused 503 store_unavailable).',
      unit: '{error}',
    }),
    revocationSyncEvents: meter.createCounter(METRICS.revocationSyncEvents, {
      description: "Changes of the revocation list's synchronisation with its shared store.",
      unit: '{event}',
    }),
  };
}
