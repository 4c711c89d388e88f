import { channel } from 'node:diagnostics_channel';
import { type DiagLogger, DiagLogLevel, diag, metrics } from '@opentelemetry/api';
import {
  CHANNELS,
  createVerifier,
  type KeySetFetchEvent,
  type ServiceJwtVerifier,
} from '@service-jwt/core';
import { createTestIssuer, createTestVerifierOptions, type TestIssuer } from '@service-jwt/testing';
import {
  ATTRIBUTES,
  type InstrumentServiceJwtOptions,
  instrumentServiceJwt,
  METRICS,
  type ServiceJwtInstrumentation,
} from '../src/index.js';
import {
  AUDIENCE,
  bearer,
  createTelemetry,
  histogramOf,
  pointsOf,
  pointValue,
  type Telemetry,
} from './helpers.js';

const { issuer: ISSUER, outcome: OUTCOME, errorType: ERROR_TYPE, result: RESULT } = ATTRIBUTES;

let herald: TestIssuer;
let verifier: ServiceJwtVerifier;
let telemetry: Telemetry;
let instrumentation: ServiceJwtInstrumentation | undefined;

beforeAll(async () => {
  herald = await createTestIssuer({ issuer: 'https://herald.test/' });
  verifier = createVerifier(createTestVerifierOptions(herald, undefined, { audience: AUDIENCE }));
});

beforeEach(() => {
  telemetry = createTelemetry();
});

afterEach(async () => {
  instrumentation?.disable();
  instrumentation = undefined;
  await telemetry.shutdown();
});

const accept = async () => verifier.verify(bearer(await herald.sign({}, { audience: AUDIENCE })));
const acceptedCount = async () =>
  histogramOf(await telemetry.collect(), METRICS.verificationDuration, {
    [RESULT]: 'accepted',
    [ISSUER]: herald.issuer,
  })?.count ?? 0;

function fetchEvent(overrides: Partial<KeySetFetchEvent>): KeySetFetchEvent {
  return {
    issuer: herald.issuer,
    url: 'https://herald.test/.well-known/jwks.json',
    outcome: 'fetched',
    httpStatus: 200,
    errno: undefined,
    error: undefined,
    durationMs: 12,
    keyCount: 1,
    ...overrides,
  };
}

describe('instrumentServiceJwt', () => {
  it('uses the global meter provider by default', async () => {
    metrics.setGlobalMeterProvider(telemetry.meterProvider);
    try {
      instrumentation = instrumentServiceJwt();
      await accept();
      expect(await acceptedCount()).toBe(1);
    } finally {
      metrics.disable();
    }
  });

  it('records the documented fetch event: errno, else HTTP status, as error.type', async () => {
    instrumentation = instrumentServiceJwt({ meterProvider: telemetry.meterProvider });
    const fetches = channel(CHANNELS.keySetFetch);
    fetches.publish(fetchEvent({}));
    fetches.publish(
      fetchEvent({ outcome: 'failed', httpStatus: undefined, errno: 'ECONNREFUSED' }),
    );
    fetches.publish(fetchEvent({ outcome: 'failed', httpStatus: 502 }));
    fetches.publish(fetchEvent({ outcome: 'failed', httpStatus: undefined, error: 'timed out' }));

    const points = pointsOf(await telemetry.collect(), METRICS.keySetFetches);
    expect(points.map((p) => [p.attributes[OUTCOME], p.attributes[ERROR_TYPE], p.value])).toEqual([
      ['fetched', undefined, 1],
      ['failed', 'ECONNREFUSED', 1],
      ['failed', '502', 1],
      ['failed', '_OTHER', 1],
    ]);
  });

  it('stops recording, the gauge included, on disable(), and unsubscribes', async () => {
    let clock = 0;
    instrumentation = instrumentServiceJwt({
      meterProvider: telemetry.meterProvider,
      now: () => clock,
    });
    await accept();
    channel(CHANNELS.keySetFetch).publish(fetchEvent({}));
    clock += 7_000;
    let collected = await telemetry.collect();
    expect(pointValue(collected, METRICS.keySetAge, { [ISSUER]: herald.issuer })).toBe(7);

    instrumentation.disable();
    instrumentation.disable();
    expect(channel(CHANNELS.verification).hasSubscribers).toBe(false);
    expect(channel(CHANNELS.keySetFetch).hasSubscribers).toBe(false);
    await accept();
    channel(CHANNELS.keySetFetch).publish(fetchEvent({}));
    clock += 5_000;

    collected = await telemetry.collect();
    expect(await acceptedCount()).toBe(1);
    expect(
      pointValue(collected, METRICS.keySetFetches, {
        [ISSUER]: herald.issuer,
        [OUTCOME]: 'fetched',
      }),
    ).toBe(1);
    // The callback no longer runs: the SDK keeps exporting the last observation (a cumulative
    // stream is never deleted), which stays at 7 s as the clock moves on.
    expect(pointsOf(collected, METRICS.keySetAge).map((p) => p.value)).toEqual([7]);
  });

  it("reports a failure to record to OpenTelemetry's diag logger, never to the request", async () => {
    const errors: unknown[][] = [];
    const logger: DiagLogger = {
      error: (...args) => void errors.push(args),
      warn: () => {},
      info: () => {},
      debug: () => {},
      verbose: () => {},
    };
    diag.setLogger(logger, DiagLogLevel.ERROR);
    try {
      instrumentation = instrumentServiceJwt({ meterProvider: telemetry.meterProvider });
      const boom = new Error('boom');
      channel(CHANNELS.verification).publish({
        get outcome(): string {
          throw boom;
        },
      });
      expect(errors).toEqual([
        ['@service-jwt/opentelemetry: recording a verification failed', boom],
      ]);
      await accept();
      expect(await acceptedCount()).toBe(1);
    } finally {
      diag.disable();
    }
  });

  it.each<[string, unknown]>([
    ['issuers', 'https://herald.test/'],
    ['issuers', [42]],
    ['meterProvider', {}],
    ['spanAttributes', 'yes'],
    ['now', 1_700_000_000_000],
  ])('refuses options.%s = %p with configuration_error', (option, value) => {
    const options = { [option]: value } as InstrumentServiceJwtOptions;
    expect(() => instrumentServiceJwt(options)).toThrow(
      expect.objectContaining({
        code: 'configuration_error',
        message: expect.stringContaining(option),
      }),
    );
    expect(channel(CHANNELS.verification).hasSubscribers).toBe(false);
  });
});
