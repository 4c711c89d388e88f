import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { diag, metrics, type ObservableResult, trace } from '@opentelemetry/api';
import {
  CHANNELS,
  type KeySetCooldownEvent,
  type KeySetFetchEvent,
  type KeySetStaleEvent,
  type RevocationSyncEvent,
  type StoreErrorEvent,
  type VerificationEvent,
} from '@service-jwt/core';
import { ATTRIBUTES, fetchErrorType, issuerLabel, oneOf, refusalCode } from './attributes.js';
import { createDurationPoints } from './duration-points.js';
import { createInstruments } from './instruments.js';
import { createKeySetAges } from './key-set-ages.js';
import { type InstrumentServiceJwtOptions, resolveOptions } from './options.js';
import { createVerificationAttributes } from './verification-attributes.js';

/** The instrumentation scope (meter name) of every metric this package records. */
export const INSTRUMENTATION_SCOPE = '@service-jwt/opentelemetry';

/** What `instrumentServiceJwt` returns. */
export interface ServiceJwtInstrumentation {
  /** Unsubscribes from every channel and stops the gauge. Calling it again does nothing. */
  disable(): void;
}

type Listener = (message: unknown, name: string | symbol) => void;

// A subscriber that throws would surface as an uncaught exception (diagnostics_channel rethrows
// on the next tick): a failure to record is reported to OpenTelemetry's diag logger instead.
function listener<T>(what: string, handle: (event: T) => void): Listener {
  return (message) => {
    if (typeof message !== 'object' || message === null) return;
    try {
      handle(message as T);
    } catch (err) {
      diag.error(`${INSTRUMENTATION_SCOPE}: recording ${what} failed`, err);
    }
  };
}

/**
 * Records service-jwt's diagnostics-channel events as OpenTelemetry metrics, and annotates the
 * active span of each verification. Built on `@opentelemetry/api` only: bring your SDK. Nothing
 * recorded holds a token, an `Authorization` value, a signature, a subject or key material, and
 * an `iss` that is not a trusted issuer is recorded as `(untrusted)`, never by its value.
 *
 * Metrics: `service_jwt.verification.duration` (histogram, s), `service_jwt.key_set.fetches`,
 * `service_jwt.key_set.stale_keys_served`, `service_jwt.key_set.refetches_held_back`,
 * `service_jwt.key_set.age` (gauge, s), `service_jwt.store.errors`,
 * `service_jwt.revocation.sync_events`: see {@link METRICS} and the README.
 *
 * @throws ServiceJwtError `configuration_error` when an option is invalid.
 * @example
 * ```ts
 * sdk.start(); // register the OpenTelemetry SDK first
 * const instrumentation = instrumentServiceJwt({ issuers: ['https://herald.internal/'] });
 * // at shutdown
 * instrumentation.disable();
 * ```
 */
export function instrumentServiceJwt(
  options?: InstrumentServiceJwtOptions,
): ServiceJwtInstrumentation {
  const { meterProvider, issuers, spanAttributes, now } = resolveOptions(options);
  const meter = (meterProvider ?? metrics.getMeterProvider()).getMeter(INSTRUMENTATION_SCOPE);
  const instruments = createInstruments(meter);
  const ages = createKeySetAges(now);
  const durations = createDurationPoints(instruments.verificationDuration);
  // Runs at the start of every collection, before the histogram is read (duration-points.ts).
  const observe = (result: ObservableResult): void => {
    durations.flush();
    ages.observe(result);
  };
  instruments.keySetAge.addCallback(observe);

  const attributeSets = createVerificationAttributes();

  function onVerification(event: VerificationEvent): void {
    const issuer =
      typeof event.issuer === 'string'
        ? issuerLabel(event.issuer, event.issuerTrusted === true, issuers)
        : undefined;
    const code = event.outcome === 'accepted' ? undefined : refusalCode(event.code);
    const attributes = attributeSets(code, issuer);
    const seconds = event.durationMs / 1000;
    if (Number.isFinite(seconds) && seconds >= 0) {
      durations.add(seconds, attributes.metric);
    }
    if (!spanAttributes) return;
    const span = trace.getActiveSpan();
    if (span === undefined || !span.isRecording()) return;
    span.setAttributes(event.cached === true ? attributes.span.cached : attributes.span.fresh);
  }

  // Key sets are fetched only for configured issuers: their `issuer` is never a caller's value.
  const keySetIssuer = (issuer: string): string => issuerLabel(issuer, true, issuers);

  function onFetch(event: KeySetFetchEvent): void {
    if (typeof event.issuer !== 'string') return;
    const issuer = keySetIssuer(event.issuer);
    if (event.outcome === 'fetched') {
      instruments.keySetFetches.add(1, {
        [ATTRIBUTES.issuer]: issuer,
        [ATTRIBUTES.outcome]: 'fetched',
      });
      ages.fetched(event.issuer, issuer);
      return;
    }
    instruments.keySetFetches.add(1, {
      [ATTRIBUTES.issuer]: issuer,
      [ATTRIBUTES.outcome]: 'failed',
      [ATTRIBUTES.errorType]: fetchErrorType(event.errno, event.httpStatus),
    });
  }

  function onStale(event: KeySetStaleEvent): void {
    if (typeof event.issuer !== 'string') return;
    instruments.keySetStaleKeysServed.add(1, { [ATTRIBUTES.issuer]: keySetIssuer(event.issuer) });
  }

  function onCooldown(event: KeySetCooldownEvent): void {
    if (typeof event.issuer !== 'string') return;
    instruments.keySetRefetchesHeldBack.add(1, {
      [ATTRIBUTES.issuer]: keySetIssuer(event.issuer),
    });
  }

  function onStoreError(event: StoreErrorEvent): void {
    instruments.storeErrors.add(1, {
      [ATTRIBUTES.store]: oneOf(event.store, ['replay', 'revocation']),
    });
  }

  function onRevocationSync(event: RevocationSyncEvent): void {
    instruments.revocationSyncEvents.add(1, {
      [ATTRIBUTES.syncEvent]: oneOf(event.event, ['synchronized', 'lagging', 'resync']),
    });
  }

  const subscriptions: ReadonlyArray<readonly [string, Listener]> = [
    [CHANNELS.verification, listener('a verification', onVerification)],
    [CHANNELS.keySetFetch, listener('a key-set fetch', onFetch)],
    [CHANNELS.keySetStale, listener('stale keys served', onStale)],
    [CHANNELS.keySetCooldown, listener('a refetch held back', onCooldown)],
    [CHANNELS.storeError, listener('a store error', onStoreError)],
    [CHANNELS.revocationSync, listener('a revocation sync', onRevocationSync)],
  ];
  for (const [name, handle] of subscriptions) subscribe(name, handle);

  let enabled = true;
  return {
    disable() {
      if (!enabled) return;
      enabled = false;
      for (const [name, handle] of subscriptions) unsubscribe(name, handle);
      instruments.keySetAge.removeCallback(observe);
      durations.flush();
      ages.clear();
    },
  };
}
