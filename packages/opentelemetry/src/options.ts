import type { MeterProvider } from '@opentelemetry/api';
import { ServiceJwtError } from '@service-jwt/core';

/** Options of `instrumentServiceJwt`. */
export interface InstrumentServiceJwtOptions {
  /**
   * Where the metrics go. Read once, when `instrumentServiceJwt` is called: with the global
   * provider, register the SDK first. @default the global provider, `metrics.getMeterProvider()`
   */
  readonly meterProvider?: MeterProvider;
  /**
   * Issuers recorded by their `iss` value. A trusted issuer not in the list is recorded as
   * `(other)`; an untrusted one is always `(untrusted)`. @default every trusted issuer
   */
  readonly issuers?: readonly string[];
  /**
   * Set `service_jwt.*` attributes on the active span of each verification (the request's span,
   * made by your HTTP instrumentation). @default true
   */
  readonly spanAttributes?: boolean;
  /**
   * Clock of the `service_jwt.key_set.age` gauge, epoch milliseconds; give it the verifier's
   * `now` when that one is injected. @default Date.now
   */
  readonly now?: () => number;
}

/** The options after validation. */
export interface ResolvedOptions {
  readonly meterProvider: MeterProvider | undefined;
  readonly issuers: ReadonlySet<string> | undefined;
  readonly spanAttributes: boolean;
  readonly now: () => number;
}

function invalid(option: string, expected: string): ServiceJwtError {
  return new ServiceJwtError(
    'configuration_error',
    `instrumentServiceJwt: options.${option} must be ${expected}`,
  );
}

/** Validates the options once; throws `configuration_error` quoting the option. */
export function resolveOptions(options: InstrumentServiceJwtOptions = {}): ResolvedOptions {
  if (typeof options !== 'object' || options === null) {
    throw new ServiceJwtError(
      'configuration_error',
      'instrumentServiceJwt: options must be an object',
    );
  }
  const { meterProvider, issuers, spanAttributes = true, now = Date.now } = options;
  if (
    meterProvider !== undefined &&
    (typeof meterProvider !== 'object' ||
      meterProvider === null ||
      typeof meterProvider.getMeter !== 'function')
  ) {
    throw invalid('meterProvider', 'a MeterProvider (an object with getMeter)');
  }
  if (
    issuers !== undefined &&
    (!Array.isArray(issuers) || !issuers.every((issuer) => typeof issuer === 'string'))
  ) {
    throw invalid('issuers', 'an array of issuer strings');
  }
  if (typeof spanAttributes !== 'boolean') throw invalid('spanAttributes', 'a boolean');
  if (typeof now !== 'function') throw invalid('now', 'a function returning epoch milliseconds');
  return Object.freeze({
    meterProvider,
    issuers: issuers === undefined ? undefined : new Set(issuers),
    spanAttributes,
    now,
  });
}
